/* The RAMFS built over librae's heap (for the host), so test_ramfs_memory
 * sees the pages it holds. */
#define VFS_HOST_LIBRAE_HEAP 1
#include "../../../services/vfs/ramfs.c"
