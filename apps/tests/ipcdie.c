/* Receives one call on the endpoint it was given and exits without
 * replying: its caller must get RAE_ERR_PEER_CLOSED, not hang. */
#include <rae.h>

int main(uint64_t arg)
{
	rae_msg_t m = {0};
	rae_ipc_receive((rae_handle_t)arg, &m, RAE_TIMEOUT_NEVER);
	return 0;
}
