# The documentation stays true to the tree: README.md and docs/ link only to files and headings
# that exist, every repository path they name in backquotes exists, and the lock order in
# docs/design/locking.md is the one kernel/include/sync/lock_levels.h defines.
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")])
# Top-level folders whose paths the docs name in backquotes (build/ is made, so not checked).
TREE_ROOTS = ("abi/", "apps/", "docs/", "kernel/", "lib/", "ports/", "rootfs/", "services/",
              "tests/", "tools/")
# Files named by a path inside some folder (`object/pipe.c` is kernel/generic/object/pipe.c) must
# end a tracked file's path, except these, which are not ours.
FOREIGN = {"arch/x86_64/syscall_arch.h"}  # musl's, which ports/musl/patches changes
SOURCE_FILE = re.compile(r"[\w./-]+\.(c|h|S|py|md|ld|sh|svc|lua)")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")


def rel(path: Path) -> str:
    return str(path.relative_to(REPO))


def without_code_blocks(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes."""
    found = set()
    for line in without_code_blocks(path.read_text()).splitlines():
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            slug = re.sub(r"[^\w\- ]", "", m.group(1).lower()).replace(" ", "-")
            found.add(slug)
    return found


@pytest.mark.parametrize("doc", DOCS, ids=rel)
def test_relative_links_resolve(doc):
    dead = []
    for target in LINK.findall(without_code_blocks(doc.read_text())):
        if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        dest = (doc.parent / file).resolve() if file else doc
        if not dest.exists():
            dead.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            dead.append(f"{target}: no heading #{anchor} in {rel(dest)}")
    assert not dead, f"{rel(doc)}:\n" + "\n".join(dead)


@pytest.fixture(scope="module")
def tracked() -> list[str]:
    done = subprocess.run(["git", "-C", str(REPO), "ls-files"], capture_output=True, text=True)
    if done.returncode == 0:
        return done.stdout.split()
    # Not a git checkout: every file outside build/.
    return [rel(p) for p in REPO.rglob("*") if p.is_file() and p.parts[len(REPO.parts)] != "build"]


@pytest.mark.parametrize("doc", DOCS, ids=rel)
def test_named_paths_exist(doc, tracked):
    missing = []
    for span in CODE_SPAN.findall(without_code_blocks(doc.read_text())):
        path = span.split()[0].rstrip(":.") if span.split() else ""
        # Only plain paths: no placeholders, wildcards or options.
        if re.search(r"[<>*{}$=,()]|\.\.\.", path):
            continue
        if path.startswith(TREE_ROOTS):
            if not (REPO / path).exists():
                missing.append(path)
        elif SOURCE_FILE.fullmatch(path) and not path.startswith(("build/", "../")) \
                and not re.search(r"(^|/)[A-Z]+\.", path) and path not in FOREIGN \
                and not any(f == path or f.endswith("/" + path) for f in tracked):
            missing.append(path)
    assert not missing, f"{rel(doc)} names paths that do not exist:\n" + "\n".join(missing)


def test_lock_order_table_matches_lock_levels_h():
    header = (REPO / "kernel/include/sync/lock_levels.h").read_text()
    defined = {name: int(level) for name, level in
               re.findall(r"^#define\s+(LOCK_LEVEL_\w+)\s+(\d+)", header, re.M)}
    table = (REPO / "docs/design/locking.md").read_text()
    rows = [(int(level), name) for level, name in
            re.findall(r"^\|\s*(\d+)\s*\|\s*`(LOCK_LEVEL_\w+)`", table, re.M)]
    assert defined, "no LOCK_LEVEL_ definitions found"
    assert {name: level for level, name in rows} == defined
    assert len(rows) == len(defined), "a level is listed twice"
    assert rows == sorted(rows), "the table is not in lock order"
