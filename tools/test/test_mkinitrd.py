# Host-side checks of how the initrd is packed (tools/build/mkinitrd, `make iso EXTRA_ROOTFS=dir`):
# extra files land at the root over the built ones with their modes, and bad input is a clear error.
import os
import stat
import subprocess
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MKINITRD = REPO / "tools" / "build" / "mkinitrd"


def mkinitrd(tmp: Path, *roots: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(MKINITRD), str(tmp / "out.tar"), str(tmp / "stage"), *map(str, roots)],
                          capture_output=True, text=True)


def write(path: Path, text: str, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Path, Path]:
    base, extra = tmp_path / "base", tmp_path / "extra"
    write(base / "etc" / "motd", "base motd\n", 0o644)
    write(base / "bin" / "tool", "base tool\n", 0o755)
    write(extra / "bin" / "hello", "extra hello\n", 0o755)
    write(extra / "bin" / "tool", "extra tool\n", 0o700)
    write(extra / "etc" / "secret", "s\n", 0o600)
    (extra / "share" / "doc").mkdir(parents=True)
    (extra / "share").chmod(0o750)
    os.symlink("../bin/hello", extra / "share" / "hello-link")
    return base, extra


def test_extra_files_land_at_the_root_with_their_modes(tmp_path, roots):
    done = mkinitrd(tmp_path, *roots)
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"mkinitrd: {roots[1]}/bin/tool replaces /bin/tool\n"
    with tarfile.open(tmp_path / "out.tar") as tar:
        assert not any(m.name.startswith(("./", "/")) for m in tar)
        members = {m.name: m for m in tar}
        assert tar.extractfile("bin/hello").read() == b"extra hello\n"
        assert tar.extractfile("bin/tool").read() == b"extra tool\n"  # the later root wins
        assert tar.extractfile("etc/motd").read() == b"base motd\n"
    assert (tmp_path / "out.tar").read_bytes()[257:265] == b"ustar\x0000"  # POSIX USTAR headers
    modes = {name: stat.S_IMODE(m.mode) for name, m in members.items()}
    assert modes["bin/hello"] == 0o755 and modes["bin/tool"] == 0o700
    assert modes["etc/secret"] == 0o600 and modes["etc/motd"] == 0o644 and modes["share"] == 0o750
    assert members["share/hello-link"].issym() and members["share/hello-link"].linkname == "../bin/hello"
    assert all(m.uid == 0 and m.gid == 0 and m.mtime == 0 for m in members.values())


def test_the_same_files_give_the_same_archive(tmp_path, roots):
    assert mkinitrd(tmp_path, *roots).returncode == 0
    first = (tmp_path / "out.tar").read_bytes()
    os.utime(roots[1] / "bin" / "hello", (1, 1))
    assert mkinitrd(tmp_path, *roots).returncode == 0
    assert (tmp_path / "out.tar").read_bytes() == first


def test_a_missing_or_bad_root_is_a_clear_error(tmp_path, roots):
    base, extra = roots
    done = mkinitrd(tmp_path, base, tmp_path / "nope")
    assert done.returncode == 1 and f"mkinitrd: {tmp_path / 'nope'}: no such directory" in done.stderr
    done = mkinitrd(tmp_path, base, base / "etc" / "motd")
    assert done.returncode == 1 and "not a directory" in done.stderr
    assert not (tmp_path / "out.tar").exists()
    os.symlink("/bin/hello", extra / "bin" / "abs")
    done = mkinitrd(tmp_path, base, extra)
    assert done.returncode == 1 and "bin/abs: symbolic link with an absolute target" in done.stderr
    (extra / "bin" / "abs").unlink()
    os.mkfifo(extra / "fifo")
    done = mkinitrd(tmp_path, base, extra)
    assert done.returncode == 1 and "fifo: not a regular file, directory or symbolic link" in done.stderr


def test_make_refuses_a_missing_extra_rootfs(tmp_path):
    done = subprocess.run(["make", "-C", str(REPO), "-n", f"BUILD={tmp_path / 'build'}", "iso",
                           f"EXTRA_ROOTFS={tmp_path / 'missing'}"], capture_output=True, text=True)
    assert done.returncode != 0
    assert f"EXTRA_ROOTFS={tmp_path / 'missing'}: no such directory" in done.stderr


def test_make_packs_the_extra_rootfs_last(tmp_path, roots):
    build = tmp_path / "build"
    done = subprocess.run(["make", "-C", str(REPO), "-n", f"BUILD={build}", str(build / "initrd.tar"),
                           f"EXTRA_ROOTFS={roots[1]}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    pack = [line for line in done.stdout.splitlines() if line.startswith("tools/build/mkinitrd ")]
    assert pack and pack[0].split()[-1] == str(roots[1])
    assert (build / ".extra-rootfs").read_text().strip() == str(roots[1])
