"""docs/syscalls.md's table must be what tools/build/syscall_docs.py makes of
abi/rae/syscalls.def, and the generator must notice a table that changed."""
import os
import re
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools", "build"))
import syscall_docs  # noqa: E402


def read(path):
    with open(path) as f:
        return f.read()


def test_committed_docs_match_the_table():
    doc = read(syscall_docs.DOC)
    assert syscall_docs.render(doc, read(syscall_docs.TABLE)) == doc, \
        "docs/syscalls.md is out of date: run tools/build/syscall_docs.py"


def test_a_changed_table_changes_the_docs():
    doc, table = read(syscall_docs.DOC), read(syscall_docs.TABLE)
    changed = table.replace("Out: `RAE_OK` after at least `ns` nanoseconds",
                            "Out: `RAE_OK` after about `ns` nanoseconds")
    assert changed != table
    assert syscall_docs.render(doc, changed) != doc


def test_every_number_once_and_in_range():
    entries = syscall_docs.parse(read(syscall_docs.TABLE))
    numbers = [e["nr"] for e in entries]
    assert numbers == sorted(set(numbers))
    count = int(re.search(r"#define RAE_SYS_COUNT\s+(\d+)", read(os.path.join(REPO, "abi", "rae", "syscall.h"))).group(1))
    assert max(numbers) < count


@pytest.mark.parametrize("bad, message", [
    ("#define RAE_SYS_YIELD 6\nRAE_SYSCALL(YIELD, yield, STATUS, TYPED, NONE, 0, 1)", "arguments"),
    ("#define RAE_SYS_YIELD 5\nRAE_SYSCALL(YIELD, yield, STATUS, TYPED, NONE, 0, 0)", "twice"),
    ("#define RAE_SYS_YIELD 6\nRAE_SYSCALL(YIELD, yield, MAYBE, TYPED, NONE, 0, 0)", "return kind"),
])
def test_a_broken_table_is_refused(bad, message):
    table = read(syscall_docs.TABLE)
    good = "#define RAE_SYS_YIELD 6\nRAE_SYSCALL(YIELD, yield, STATUS, TYPED, NONE, 0, 0)"
    assert good in table
    with pytest.raises(syscall_docs.SyscallTableError, match=message):
        syscall_docs.parse(table.replace(good, bad))


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc missing")
def test_numbers_agree_with_what_c_sees():
    out = subprocess.run(["gcc", "-dM", "-E", "-I" + os.path.join(REPO, "abi"), "-x", "c",
                          os.path.join(REPO, "abi", "rae", "syscall.h")],
                         capture_output=True, text=True, check=True).stdout
    c_numbers = {m.group(1): int(m.group(2)) for m in re.finditer(r"#define RAE_SYS_(\w+) (\d+)$", out, re.M)}
    c_numbers.pop("COUNT")
    table = {e["NAME"]: e["nr"] for e in syscall_docs.parse(read(syscall_docs.TABLE))}
    assert c_numbers == table
