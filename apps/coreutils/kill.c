/* kill: sends a signal (SIGTERM unless -SIGNAL, -s SIGNAL or -NUMBER
 * says otherwise) to each process id; -l lists the signal names. The POSIX
 * runtime delivers it through the caller's job: only processes in the
 * job tree the program was given can be signalled. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	int number;
} signals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ILL", SIGILL},   {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"BUS", SIGBUS},   {"FPE", SIGFPE},   {"KILL", SIGKILL}, {"USR1", SIGUSR1},
    {"SEGV", SIGSEGV}, {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
};
#define SIGNAL_COUNT (sizeof(signals) / sizeof(signals[0]))

/* A signal by name (with or without SIG) or number; -1 if none. */
static int signal_number(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && !*end)
		return n >= 0 && n < NSIG ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (unsigned i = 0; i < SIGNAL_COUNT; i++) {
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].number;
	}
	return -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: kill [-s SIGNAL | -SIGNAL] pid...\n       kill -l\n");
	return 2;
}

int main(int argc, char **argv)
{
	int sig = SIGTERM, i = 1;
	if (i < argc && strcmp(argv[i], "-l") == 0) {
		for (unsigned k = 0; k < SIGNAL_COUNT; k++)
			printf("%2d %s\n", signals[k].number, signals[k].name);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "-s") == 0) {
		if (i + 1 >= argc)
			return usage();
		sig = signal_number(argv[i + 1]);
		if (sig < 0) {
			fprintf(stderr, "kill: %s: unknown signal\n", argv[i + 1]);
			return 2;
		}
		i += 2;
	} else if (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--") != 0) {
		sig = signal_number(argv[i] + 1);
		if (sig < 0) {
			fprintf(stderr, "kill: %s: unknown signal\n", argv[i] + 1);
			return 2;
		}
		i++;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i == argc)
		return usage();
	int status = 0;
	for (; i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);
		if (!*argv[i] || *end || pid <= 0) {
			fprintf(stderr, "kill: %s: not a process id\n", argv[i]);
			status = 1;
			continue;
		}
		if (kill((pid_t)pid, sig) != 0) {
			fprintf(stderr, "kill: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
