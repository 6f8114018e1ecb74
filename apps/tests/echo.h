/* The protocol of bin/echod, the service manager's test service. */
#ifndef APPS_TESTS_ECHO_H
#define APPS_TESTS_ECHO_H

/* Reply: tag RAE_OK, word 0 the call's word 0 + 1, word 1 the server's
 * pid, word 2 the badge the call came with; the buffer comes back. */
#define ECHO_PING 1
/* The server writes to address 0 and is killed for it: the call ends
 * with RAE_ERR_PEER_CLOSED. */
#define ECHO_CRASH 2

#endif
