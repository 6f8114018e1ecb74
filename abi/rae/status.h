/* The one status type shared by the kernel and user space: RAE_OK or a
 * negative error code. Codes are stable ABI; never renumber one. */
#ifndef RAE_STATUS_H
#define RAE_STATUS_H

typedef int rae_status_t;

#define RAE_OK                0
#define RAE_ERR_INVALID       -1  /* malformed argument or input */
#define RAE_ERR_TRUNCATED     -2  /* input ends before its declared length */
#define RAE_ERR_NO_MEMORY     -3  /* out of memory or out of table space */
#define RAE_ERR_NOT_FOUND     -4  /* the named thing does not exist */
#define RAE_ERR_CHECKSUM      -5  /* a checksum did not match */
#define RAE_ERR_UNSUPPORTED   -6  /* valid, but not something we handle */
#define RAE_ERR_RANGE         -7  /* a value is outside its allowed range */
#define RAE_ERR_END           -8  /* iteration finished; not a failure */
#define RAE_ERR_FAULT         -9  /* a bad address */
#define RAE_ERR_LIMIT         -10 /* a resource limit or admission bound would be exceeded */
#define RAE_ERR_BAD_HANDLE    -11 /* not a valid handle (closed, stale or never issued) */
#define RAE_ERR_WRONG_TYPE    -12 /* the handle names an object of another type */
#define RAE_ERR_ACCESS_DENIED -13 /* the handle lacks a right the call needs */
#define RAE_ERR_PEER_CLOSED   -14 /* the other end of an IPC object is gone */
#define RAE_ERR_TIMED_OUT     -15 /* a wait ended at its timeout */
#define RAE_ERR_BUSY          -16 /* the thing is already in use (an interrupt line someone owns) */
#define RAE_ERR_EXISTS        -17 /* the name is already taken (POSIX EEXIST) */
#define RAE_ERR_NOT_DIR       -18 /* a path component is not a directory (ENOTDIR) */
#define RAE_ERR_IS_DIR        -19 /* a directory where a file is needed (EISDIR) */
#define RAE_ERR_NOT_EMPTY     -20 /* the directory still has entries (ENOTEMPTY) */
#define RAE_ERR_LOOP          -21 /* too many symbolic links while resolving a path (ELOOP) */
#define RAE_ERR_CROSS_DEVICE  -22 /* the operation would cross a mount point (EXDEV) */

/* A short, constant name for a status code ("RAE_ERR_INVALID"). */
static inline const char *rae_status_name(rae_status_t s)
{
	switch (s) {
	case RAE_OK: return "RAE_OK";
	case RAE_ERR_INVALID: return "RAE_ERR_INVALID";
	case RAE_ERR_TRUNCATED: return "RAE_ERR_TRUNCATED";
	case RAE_ERR_NO_MEMORY: return "RAE_ERR_NO_MEMORY";
	case RAE_ERR_NOT_FOUND: return "RAE_ERR_NOT_FOUND";
	case RAE_ERR_CHECKSUM: return "RAE_ERR_CHECKSUM";
	case RAE_ERR_UNSUPPORTED: return "RAE_ERR_UNSUPPORTED";
	case RAE_ERR_RANGE: return "RAE_ERR_RANGE";
	case RAE_ERR_END: return "RAE_ERR_END";
	case RAE_ERR_FAULT: return "RAE_ERR_FAULT";
	case RAE_ERR_LIMIT: return "RAE_ERR_LIMIT";
	case RAE_ERR_BAD_HANDLE: return "RAE_ERR_BAD_HANDLE";
	case RAE_ERR_WRONG_TYPE: return "RAE_ERR_WRONG_TYPE";
	case RAE_ERR_ACCESS_DENIED: return "RAE_ERR_ACCESS_DENIED";
	case RAE_ERR_PEER_CLOSED: return "RAE_ERR_PEER_CLOSED";
	case RAE_ERR_TIMED_OUT: return "RAE_ERR_TIMED_OUT";
	case RAE_ERR_BUSY: return "RAE_ERR_BUSY";
	case RAE_ERR_EXISTS: return "RAE_ERR_EXISTS";
	case RAE_ERR_NOT_DIR: return "RAE_ERR_NOT_DIR";
	case RAE_ERR_IS_DIR: return "RAE_ERR_IS_DIR";
	case RAE_ERR_NOT_EMPTY: return "RAE_ERR_NOT_EMPTY";
	case RAE_ERR_LOOP: return "RAE_ERR_LOOP";
	case RAE_ERR_CROSS_DEVICE: return "RAE_ERR_CROSS_DEVICE";
	default: return "RAE_ERR_?";
	}
}

#endif
