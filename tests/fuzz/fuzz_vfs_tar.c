/* libFuzzer entry point for rae-vfsd's tar loader: any byte string is an
 * initrd; loading it must never crash, and the tree it makes must keep its
 * invariants (tar_check.h), including every file inside the archive. A few
 * lookups then run over whatever was built. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tar.h"
#include "tar_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *paths[] = {"etc/motd", "a/b/../c", "x/y/z/", "l", "..//./etc"};
	static ramfs_lookup_t lk;
	ramfs_t fs;
	vfs_tar_stats_t st;
	if (ramfs_init(&fs, 8 << 20) != RAE_OK)
		abort();
	vfs_tar_load(&fs, data, size, NULL, NULL, &st);
	tar_check_tree(&fs, data, size);
	for (unsigned i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		ramfs_lookup(&fs, paths[i], strlen(paths[i]), RAMFS_FOLLOW, &lk);
	ramfs_destroy(&fs);
	return 0;
}
