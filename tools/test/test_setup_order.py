# A fresh machine has none of the packages tools/setup installs, so every build step must wait for
# it (build/.setup-done). Checked in a clean clone of this repository (the working tree's tracked
# files), where nothing has been built: make's dry run of each top-level target runs tools/setup
# first; every target with a recipe has the setup stamp among its prerequisites, so make -j cannot
# start it early; and reading the Makefile (which make -n does too) needs no package at all.
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STAMP = "build/.setup-done"
GOALS = ["all", "iso", "run", "test", "bench", "lint", "fuzz", "fuzz-os", "kernel", "user",
         "host-tests", "host-bench", "sysroot", "ports"]
# Targets that need no package: the stamp and its alias, and clean (rm -rf build).
NEEDS_NOTHING = {STAMP, "setup", "clean"}


def make_env(**extra: str) -> dict[str, str]:
    """The environment without the calling make's flags (make test runs pytest)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    env.update(extra)
    return env


def is_checkout() -> bool:
    return shutil.which("git") is not None and subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--is-inside-work-tree"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A clean clone holding the working tree's tracked files as they are now (from a source tree
    that is no git checkout, a copy of it without build/)."""
    path = tmp_path_factory.mktemp("fresh") / "raeenos"
    if not is_checkout():
        shutil.copytree(REPO, path, symlinks=True, ignore=lambda d, names:
                        ["build"] if Path(d) == REPO else [])
        return path
    work = subprocess.run(["git", "-C", str(REPO), "stash", "create"], check=True,
                          capture_output=True, text=True).stdout.strip() or "HEAD"
    rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", work], check=True,
                         capture_output=True, text=True).stdout.strip()
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(REPO), str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "checkout", "--quiet", rev], check=True)
    assert not (path / "build").exists()
    return path


def dry_run(clone: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    # Each run starts from a clone with nothing built (make -n still creates build/gen).
    shutil.rmtree(clone / "build", ignore_errors=True)
    return subprocess.run(["make", "-n", *args], cwd=clone, capture_output=True, text=True,
                          env=env or make_env())


@pytest.mark.parametrize("goal", GOALS)
def test_setup_runs_before_anything_else(clone, goal):
    done = dry_run(clone, goal)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "tools/setup" in lines, f"make {goal} never runs tools/setup"
    before = lines[:lines.index("tools/setup")]
    # Only the stamp's own `mkdir -p build` may come first.
    assert all(line.startswith("mkdir -p ") for line in before), \
        f"make {goal} runs this before tools/setup:\n" + "\n".join(before)


def parse_database(text: str) -> dict[str, tuple[list[str], bool]]:
    """make -p's file entries: target -> (all its prerequisites, whether it has a recipe)."""
    files = text.split("\n# Files\n", 1)[1].split("\n# files hash-table stats", 1)[0]
    rules: dict[str, tuple[list[str], bool]] = {}
    for entry in files.split("\n\n"):
        lines = entry.strip("\n").splitlines()
        if not lines or lines[0] == "# Not a target:":
            continue
        # The rule line; target-specific variables (`t: V := x`) come before it.
        heads = [m for m in (re.match(r"^(\S+?):{1,2}(?:\s(.*))?$", ln) for ln in lines
                             if not ln.startswith(("#", "\t")))
                 if m and not re.search(r"(^|\s)\S+\s*[:+?!]?=", m.group(2) or "")]
        if not heads:
            continue
        match = heads[0]
        prereqs = (match.group(2) or "").replace("|", " ").split()
        rules[match.group(1)] = (prereqs, any(ln.startswith("\t") for ln in lines))
    return rules


def test_every_recipe_waits_for_setup(clone):
    # bench is left out: its recipe is a second make (a release build of the same rules), whose
    # database would be printed into this one.
    goals = [g for g in GOALS if g != "bench"]
    done = dry_run(clone, "-p", *goals)
    assert done.returncode == 0, done.stderr
    rules = parse_database(done.stdout)
    assert STAMP in rules and len(rules) > 300, "make -p printed no usable database"
    waits: dict[str, bool] = {STAMP: True}

    def reaches_stamp(target: str, seen: frozenset[str] = frozenset()) -> bool:
        if target not in waits:
            prereqs = rules.get(target, ([], False))[0]
            waits[target] = any(p not in seen and reaches_stamp(p, seen | {target}) for p in prereqs)
        return waits[target]

    early = sorted(t for t, (_, recipe) in rules.items()
                   if recipe and t not in NEEDS_NOTHING and not reaches_stamp(t))
    assert not early, "these can run before tools/setup (make -j):\n" + "\n".join(early)


def essential_path(tmp: Path) -> str:
    """A PATH holding only the commands of a fresh Debian system: its Essential packages, plus
    make and git (the user needs them to get here)."""
    listing = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Essential}\n"],
                             capture_output=True, text=True, check=True).stdout
    pkgs = [ln.split()[0] for ln in listing.splitlines() if ln.endswith(" yes")] + ["make", "git"]
    files = subprocess.run(["dpkg-query", "-L", *pkgs], capture_output=True, text=True).stdout
    bindir = tmp / "bin"
    bindir.mkdir()
    for f in files.splitlines():
        p = Path(f)
        if p.parent.as_posix() in ("/bin", "/usr/bin", "/sbin", "/usr/sbin") and p.is_file() \
                and os.access(p, os.X_OK) and not (bindir / p.name).exists():
            (bindir / p.name).symlink_to(p)
    assert (bindir / "make").exists() and (bindir / "sh").exists()
    return str(bindir)


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian system")
def test_reading_the_makefile_needs_no_package(clone, tmp_path):
    # make -n setup reads the whole Makefile, running every $(shell ...) in it, and expands only
    # the stamp's recipe; on a fresh machine none of that may need what tools/setup installs.
    path = essential_path(tmp_path)
    for c in ("gcc", "cc", "clang", "python3", "qemu-system-x86_64"):
        assert not (Path(path) / c).exists(), f"{c} is not in a fresh Debian system"
    done = dry_run(clone, "setup", env=make_env(PATH=path))
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
    assert "tools/setup" in done.stdout.splitlines()
