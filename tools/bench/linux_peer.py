# The Linux peer's boot files for `make bench`: Debian's kernel and busybox-static fetched with
# tools/apt-private into build/linux-peer/, peer_bench.c built with musl-gcc, and a newc initramfs.
import os
import re
import shutil
import stat
import subprocess
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APT_PRIVATE = os.path.join(REPO_ROOT, "tools", "apt-private")
PEER_SOURCE = os.path.join(REPO_ROOT, "tools", "bench", "linux", "peer_bench.c")

KERNEL_METAPACKAGE = "linux-image-amd64"
KERNEL_PACKAGE_PATTERN = r"linux-image-6\.1\.[0-9][^_\s]*-amd64"  # what the metapackage depends on
BUSYBOX_PACKAGE = "busybox-static"
MUSL_GCC = "musl-gcc"
PEER_CFLAGS = ("-static", "-O2", "-Wall", "-Wextra", "-Werror")

DONE_LINE = "linux-peer: done"
INIT_SCRIPT = f"""#!/bin/busybox sh
# /init of the Linux peer's initramfs (written by tools/bench/linux_peer.py): run the benchmarks, power off.
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
echo "linux-peer: Linux $(uname -r), $(nproc) CPU(s), clocksource $clocksource"
/peer_bench
status=$?
if [ "$status" = 0 ]; then
\techo "{DONE_LINE}"
else
\techo "linux-peer: peer_bench failed with status $status"
fi
poweroff -f
"""


class PeerError(Exception):
    """A step of preparing the Linux peer failed; the message names the step."""


# --- newc cpio ----------------------------------------------------------------------------------

NEWC_MAGIC = b"070701"
NEWC_TRAILER = "TRAILER!!!"


def _pad4(n: int) -> bytes:
    return b"\0" * (-n % 4)


def newc_entry(ino: int, name: str, mode: int, data: bytes = b"", rdev: tuple[int, int] = (0, 0)) -> bytes:
    """One newc ("070701") record: header, NUL-terminated name and data, each padded to 4 bytes.

    Owner root, mtime 0, one link. For a symlink, data is the target.
    """
    encoded = name.encode() + b"\0"
    fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(encoded), 0)
    header = NEWC_MAGIC + b"".join(b"%08X" % f for f in fields)
    return header + encoded + _pad4(len(header) + len(encoded)) + data + _pad4(len(data))


def newc_archive(entries: list[tuple]) -> bytes:
    """A newc archive of (name, mode[, data[, rdev]]) entries in the order given, then the trailer."""
    out = b"".join(newc_entry(i, *e) for i, e in enumerate(entries, 1))
    return out + newc_entry(0, NEWC_TRAILER, 0)


def read_newc(data: bytes) -> list[dict]:
    """The records of a newc archive up to the trailer. Raises ValueError on a malformed one."""
    records, pos = [], 0
    while True:
        header = data[pos:pos + 110]
        if len(header) < 110:
            raise ValueError(f"archive cut short at offset {pos}")
        if header[:6] != NEWC_MAGIC:
            raise ValueError(f"no newc header at offset {pos}")
        f = [int(header[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        namesize, filesize = f[11], f[6]
        name_end = pos + 110 + namesize
        name = data[pos + 110:name_end - 1].decode()
        start = name_end + (-(110 + namesize) % 4)
        body = data[start:start + filesize]
        if len(body) != filesize or data[name_end - 1] != 0:
            raise ValueError(f"record {name!r} is cut short")
        pos = start + filesize + (-filesize % 4)
        if name == NEWC_TRAILER:
            return records
        records.append({"name": name, "mode": f[1], "data": body, "rdev": (f[9], f[10])})


def initramfs_entries(busybox: bytes, peer_bench: bytes) -> list[tuple]:
    """The initramfs: busybox with a /bin/sh link, /init, /peer_bench, and /dev/console for init's stdio."""
    dirs = ["bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp", "root"]
    return ([(d, stat.S_IFDIR | 0o755) for d in dirs] + [
        ("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1)),
        ("bin/busybox", stat.S_IFREG | 0o755, busybox),
        ("bin/sh", stat.S_IFLNK | 0o777, b"busybox"),
        ("init", stat.S_IFREG | 0o755, INIT_SCRIPT.encode()),
        ("peer_bench", stat.S_IFREG | 0o755, peer_bench),
    ])


def write_initramfs(busybox: str, peer_bench: str, out: str) -> None:
    with open(busybox, "rb") as f:
        bb = f.read()
    with open(peer_bench, "rb") as f:
        pb = f.read()
    _write_atomically(out, newc_archive(initramfs_entries(bb, pb)))


def _write_atomically(path: str, data: bytes) -> None:
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


# --- fetching Debian's packages -------------------------------------------------------------------


def versioned_kernel_package(depends_output: str) -> str:
    """The linux-image-6.1.*-amd64 package that `apt-cache depends linux-image-amd64` names."""
    found = re.findall(r"^\s*\|?Depends:\s*(" + KERNEL_PACKAGE_PATTERN + r")\s*$", depends_output, re.M)
    if not found:
        raise PeerError(f"apt-cache depends {KERNEL_METAPACKAGE} names no linux-image-6.1.*-amd64 package")
    return found[0]


def _apt_private(*args: str) -> str:
    try:
        proc = subprocess.run([APT_PRIVATE, *args], capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise PeerError(f"tools/apt-private {' '.join(args)}: {e}") from e
    if proc.returncode != 0:
        last = (proc.stderr.strip() or proc.stdout.strip() or "no output").splitlines()[-1]
        raise PeerError(f"tools/apt-private {' '.join(args)} failed (no network or no Debian mirror?): {last}")
    return proc.stdout


def _cached_deb(debs: str, package: str) -> str | None:
    """The downloaded .deb of a package whose name matches the regex package, last by file name; None if
    there is none."""
    if not os.path.isdir(debs):
        return None
    names = sorted(n for n in os.listdir(debs) if re.fullmatch(package + r"_[^_]+_[^_]+\.deb", n))
    return os.path.join(debs, names[-1]) if names else None


def _fetch_deb(debs: str, package: str) -> str:
    deb = _cached_deb(debs, re.escape(package))
    if deb is None:
        _apt_private("download", debs, package)
        deb = _cached_deb(debs, re.escape(package))
        if deb is None:
            raise PeerError(f"tools/apt-private download {package} left no .deb in {debs}")
    return deb


def _extract(deb: str, dest: str, members: tuple[str, ...] = ()) -> None:
    """Unpacks deb (or only the tar members matching the patterns) into a fresh dest."""
    tmp = tempfile.mkdtemp(prefix=".extract-", dir=os.path.dirname(dest))
    try:
        if members:
            tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
            untar = subprocess.run(["tar", "-x", "-C", tmp, "--wildcards", *members], stdin=tar.stdout,
                                   capture_output=True, text=True)
            tar.stdout.close()
            ok = tar.wait() == 0 and untar.returncode == 0
            why = untar.stderr.strip()
        else:
            proc = subprocess.run(["dpkg-deb", "-x", deb, tmp], capture_output=True, text=True)
            ok, why = proc.returncode == 0, proc.stderr.strip()
        if not ok:
            raise PeerError(f"cannot unpack {deb}: {why or 'dpkg-deb failed'}")
        shutil.rmtree(dest, ignore_errors=True)
        os.chmod(tmp, 0o755)
        os.replace(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _find(root: str, subdir: str, prefix: str) -> str | None:
    d = os.path.join(root, subdir)
    names = sorted(n for n in os.listdir(d) if n.startswith(prefix)) if os.path.isdir(d) else []
    return os.path.join(d, names[-1]) if names else None


def fetch_kernel(peer_dir: str) -> str:
    """/boot/vmlinuz-* of the linux-image-6.1.*-amd64 package that linux-image-amd64 depends on.

    Downloads and unpacks it once: a kernel already under peer_dir/linux-image is used as it is
    (delete build/linux-peer to take a newer one). Only /boot is unpacked, not the modules.
    """
    root = os.path.join(peer_dir, "linux-image")
    vmlinuz = _find(root, "boot", "vmlinuz-")
    if vmlinuz:
        return vmlinuz
    debs = os.path.join(peer_dir, "debs")
    deb = _cached_deb(debs, KERNEL_PACKAGE_PATTERN)
    if deb is None:
        package = versioned_kernel_package(_apt_private("cache", "depends", KERNEL_METAPACKAGE))
        deb = _fetch_deb(debs, package)
    _extract(deb, root, ("./boot/vmlinuz-*",))
    vmlinuz = _find(root, "boot", "vmlinuz-")
    if not vmlinuz:
        raise PeerError(f"{deb} holds no /boot/vmlinuz-*")
    return vmlinuz


def fetch_busybox(peer_dir: str) -> str:
    """/bin/busybox from busybox-static, downloaded and unpacked once."""
    root = os.path.join(peer_dir, BUSYBOX_PACKAGE)
    busybox = os.path.join(root, "bin", "busybox")
    if not os.path.isfile(busybox):
        _extract(_fetch_deb(os.path.join(peer_dir, "debs"), BUSYBOX_PACKAGE), root)
    if not os.path.isfile(busybox):
        raise PeerError(f"the {BUSYBOX_PACKAGE} package holds no /bin/busybox")
    return busybox


# --- the benchmark program -----------------------------------------------------------------------


def build_peer_bench(out: str, source: str = PEER_SOURCE) -> str:
    """Builds source with musl-gcc -static -O2 unless out is newer. Returns out."""
    if os.path.isfile(out) and os.path.getmtime(out) >= os.path.getmtime(source):
        return out
    if shutil.which(MUSL_GCC) is None:
        raise PeerError(f"{MUSL_GCC} not found (Debian's musl-tools; tools/setup installs it)")
    proc = subprocess.run([MUSL_GCC, *PEER_CFLAGS, "-o", out + ".tmp", source], capture_output=True, text=True)
    if proc.returncode != 0:
        raise PeerError(f"{MUSL_GCC} {os.path.basename(source)} failed:\n{proc.stderr.strip()}")
    os.replace(out + ".tmp", out)
    return out


def prepare(peer_dir: str) -> tuple[str, str]:
    """Fetches and builds what the Linux boot needs. Returns (vmlinuz, initramfs). Raises PeerError."""
    os.makedirs(peer_dir, exist_ok=True)
    vmlinuz = fetch_kernel(peer_dir)
    busybox = fetch_busybox(peer_dir)
    peer_bench = build_peer_bench(os.path.join(peer_dir, "peer_bench"))
    initramfs = os.path.join(peer_dir, "initramfs.cpio")
    write_initramfs(busybox, peer_bench, initramfs)
    return vmlinuz, initramfs
