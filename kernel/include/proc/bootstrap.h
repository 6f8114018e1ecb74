/* Starting the first user process with the root resource and the initrd
 * (abi/rae/bootstrap.h): the only authority the kernel hands out. */
#ifndef PROC_BOOTSTRAP_H
#define PROC_BOOTSTRAP_H

#include <proc/process.h>

/* Spawns `path` from the initrd with an endpoint as its argument and sends
 * it the bootstrap call, waiting (at most `timeout_ns`) until the process
 * has received and answered it. Returns the process, or NULL with *status
 * (spawn errors, RAE_ERR_NOT_FOUND without an initrd, RAE_ERR_NO_MEMORY,
 * RAE_ERR_TIMED_OUT or RAE_ERR_PEER_CLOSED if it did not answer: it is
 * then killed and reaped). */
process_t *bootstrap_start(const char *path, uint64_t timeout_ns, rae_status_t *status);

#endif
