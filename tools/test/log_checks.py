# Console lines a kernel test case must leave in the serial log besides its KTAP result: what
# a user-space service reports can only be seen there. A case that passed without them fails.
import re

import lua_checks

# rae-vfsd loading build/user/root/test/vfs-malformed.tar (tools/build/mkbadtar.py) for
# bin/vfstest: every malformed entry is named, with why, and the good ones still load.
_VFSD_MNT = r"vfsd\[mnt\]: initrd: "
CASE_LINES: dict[str, tuple[str, ...]] = {
    "user_vfs_service": (
        _VFSD_MNT + r"skipped entry 1 'badsum\.txt' at offset 1024: header checksum mismatch",
        _VFSD_MNT + r"skipped entry 2 '\.\./escape\.txt' at offset 2048: '\.\.' leads out of the root",
        _VFSD_MNT + r"skipped entry 3 'dir/abs-link' at offset 3072: symbolic link with an absolute target",
        _VFSD_MNT + r"skipped entry 4 'dir/up-link' at offset 3584: symbolic link target leads out",
        _VFSD_MNT + r"skipped entry 5 'hard' at offset 4096: hard link target leads out of the root",
        _VFSD_MNT + r"skipped entry 6 'badsize\.txt' at offset 4608: size field is not a number",
        _VFSD_MNT + r"3 files, 3 directories, 1 symbolic links, 0 hard links loaded, 6 entries skipped",
    ),
    # bin/coreutilstest runs the commands with standard output on the kernel's debug console.
    "user_coreutils": (
        r"^coreutilstest: echo says hello\s*$",
        r"^coreutilstest: no newline\s*$",
        r"^Welcome to RaeenOS\.\s*$",  # cat /etc/motd
        r"^cat: /nonexistent: No such file or directory\s*$",
        r"^coreutilstest\s*$",  # ls /bin, one name a line
        r"^-[r-][w-][x-][r-][w-][x-][r-][w-][x-] +\d+ +\d+ +\d+ +\d+ \d{4}-\d\d-\d\d \d\d:\d\d /etc/motd\s*$",
        r"^/etc:\s*$",  # ls with several operands: a heading per directory
        r"^ls: /nonexistent: No such file or directory\s*$",
        r"^mkdir: /tmp/cu/a: File exists\s*$",
        r"^rm: /tmp/cu/a: Is a directory\s*$",
        r"^ps: no job handle",
        r"^CASE +P50 +P99 +MAX\s*$",
        r"^ipc-reg +\d+ +\d+ +\d+\s*$",
    ),
}


# Lines whose patterns depend on the log itself (a value the host recomputes from one the program
# printed, such as a date from its seconds): a function of the whole serial log.
CASE_LINE_FUNCTIONS = {
    # The Lua interpreter (ports/lua) run by bin/luatest: every value recomputed on the host.
    "user_lua_program": lua_checks.line_patterns,
}


def missing_lines(case: str, text: str) -> list[str]:
    """The patterns CASE_LINES and CASE_LINE_FUNCTIONS want for case that match no line of text."""
    lines = text.split("\n")
    patterns = CASE_LINES.get(case, ()) + tuple(CASE_LINE_FUNCTIONS.get(case, lambda _: ())(text))
    return [p for p in patterns if not any(re.search(p, line) for line in lines)]
