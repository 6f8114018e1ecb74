/* echo: prints its arguments separated by spaces and a newline (-n: no
 * newline). As POSIX echo: no option other than a leading -n. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	int i = 1, newline = 1;
	if (i < argc && strcmp(argv[i], "-n") == 0) {
		newline = 0;
		i++;
	}
	for (int first = i; i < argc; i++) {
		if (i > first)
			putchar(' ');
		fputs(argv[i], stdout);
	}
	if (newline)
		putchar('\n');
	if (fflush(stdout) != 0) {
		perror("echo: write");
		return 1;
	}
	return 0;
}
