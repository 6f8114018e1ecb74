/* A console client that never lets go: it connects with the handle it was
 * given (an OPEN handle: bin/consoletest), attaches, says it is ready and
 * waits for input that never comes, until it is killed, as a program is at
 * Ctrl-C. */
#include <rae.h>
#include <rae_console.h>

int main(uint64_t arg)
{
	rae_console_t con;
	if (rae_console_connect(&con, (rae_handle_t)arg) != RAE_OK)
		return 1;
	rae_console_winsize_t ws;
	if (rae_console_winsize(&con, &ws) != RAE_OK)
		return 2;
	char buf[16];
	for (;;)
		rae_console_read(&con, buf, sizeof(buf), RAE_TIMEOUT_NEVER, NULL);
}
