/* uname: the system's name (-s, the default), the kernel's release (-r,
 * from RAE_SYS_SYSTEM_INFO), the machine (-m) or all three (-a). */
#include <stdio.h>
#include <string.h>
#include <rae.h>
#include <rae/process.h>

#define SHOW_SYSNAME 0x1
#define SHOW_RELEASE 0x2
#define SHOW_MACHINE 0x4

int main(int argc, char **argv)
{
	unsigned show = 0;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-' || !argv[i][1])
			goto usage;
		for (const char *o = argv[i] + 1; *o; o++) {
			switch (*o) {
			case 'a': show |= SHOW_SYSNAME | SHOW_RELEASE | SHOW_MACHINE; break;
			case 's': show |= SHOW_SYSNAME; break;
			case 'r': show |= SHOW_RELEASE; break;
			case 'm': show |= SHOW_MACHINE; break;
			default: goto usage;
			}
		}
	}
	if (!show)
		show = SHOW_SYSNAME;

	rae_system_info_t info;
	int64_t st = rae_system_info(&info);
	if (st != RAE_OK) {
		fprintf(stderr, "uname: system information: %s\n",
			rae_status_name((rae_status_t)st));
		return 1;
	}
	/* The kernel fills the strings; make sure they end. */
	info.version[sizeof(info.version) - 1] = '\0';
	info.machine[sizeof(info.machine) - 1] = '\0';
	const char *sep = "";
	if (show & SHOW_SYSNAME) {
		printf("%sRaeenOS", sep);
		sep = " ";
	}
	if (show & SHOW_RELEASE) {
		printf("%s%s", sep, info.version);
		sep = " ";
	}
	if (show & SHOW_MACHINE)
		printf("%s%s", sep, info.machine);
	putchar('\n');
	return 0;
usage:
	fprintf(stderr, "usage: uname [-asrm]\n");
	return 2;
}
