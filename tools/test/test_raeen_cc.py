# Host-side checks of the C toolchain for RaeenOS (tools/raeen-cc, build/sysroot): what it links
# is a program the kernel's loader accepts, and nothing in musl or the runtime it links traps
# into the kernel except through the runtime. Needs the sysroot (`make sysroot`; make test builds it).
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SYSROOT = REPO / "build" / "sysroot"
RAEEN_CC = REPO / "tools" / "raeen-cc"

PROGRAM = r"""
#include <pthread.h>
#include <stdio.h>
static __thread int t;
static void *run(void *a) { t = 1; return a; }
int main(void)
{
	pthread_t th;
	pthread_create(&th, 0, run, 0);
	pthread_join(th, 0);
	printf("%d\n", t);
	return 0;
}
"""

needs_sysroot = pytest.mark.skipif(not (SYSROOT / "lib" / "libposix.a").exists(),
                                   reason="no build/sysroot (make sysroot)")


def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def program(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("raeen-cc")
    (d / "prog.c").write_text(PROGRAM)
    out = d / "prog"
    run(str(RAEEN_CC), "-O2", "-Wall", "-Werror", "-o", str(out), str(d / "prog.c"))
    return out


@needs_sysroot
def test_program_is_a_static_pie_without_interpreter(program):
    header = run("readelf", "-h", str(program))
    assert re.search(r"Type:\s+DYN", header)
    segments = run("readelf", "-lW", str(program))
    assert "INTERP" not in segments
    assert "NEEDED" not in run("readelf", "-d", str(program))


@needs_sysroot
def test_no_segment_is_writable_and_executable_and_the_stack_is_not_executable(program):
    seen = 0
    for line in run("readelf", "-lW", str(program)).splitlines():
        fields = line.split()
        if fields and fields[0] in ("LOAD", "GNU_STACK"):
            seen += 1
            perms = "".join(f for f in fields[6:-1] if set(f) <= set("RWE"))
            assert not ("W" in perms and "E" in perms), line
            if fields[0] == "GNU_STACK":
                assert "E" not in perms, line
    assert seen >= 3  # code, data and the stack note at least


@needs_sysroot
def test_only_relative_relocations(program):
    types = re.findall(r"R_X86_64_\w+", run("readelf", "-rW", str(program)))
    assert types and set(types) == {"R_X86_64_RELATIVE"}


@needs_sysroot
def test_nothing_but_the_runtime_executes_syscall():
    # The runtime's own wrappers are the only place a `syscall` instruction may be.
    disasm = run("objdump", "-d", str(SYSROOT / "lib" / "libc.a"))
    assert not re.search(r"\tsyscall\s*$", disasm, re.M), "musl executes syscall directly"
    disasm = run("objdump", "-d", str(SYSROOT / "lib" / "libposix.a"))
    assert re.search(r"\tsyscall\s*$", disasm, re.M)
