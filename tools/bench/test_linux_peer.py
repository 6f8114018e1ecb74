# Unit tests of the Linux peer's boot files: the newc writer, the initramfs, resolving and unpacking Debian's
# packages (from fake .debs, no network), and building peer_bench.c.
import os
import shutil
import stat
import subprocess

import pytest

import linux_peer


# --- newc cpio ---------------------------------------------------------------------------------------------


def test_newc_record_layout():
    rec = linux_peer.newc_entry(7, "init", stat.S_IFREG | 0o755, b"#!/bin/sh\n")
    # 110-byte header: magic, then 13 eight-digit hex fields.
    assert rec[:6] == b"070701" and len(rec) % 4 == 0
    fields = [int(rec[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
    assert fields == [7, 0o100755, 0, 0, 1, 0, 10, 0, 0, 0, 0, 5, 0]
    # The name (with its NUL) is padded so the data starts on a 4-byte boundary: 110 + 5 -> 116.
    assert rec[110:116] == b"init\0\0" and rec[116:126] == b"#!/bin/sh\n" and rec[126:] == b"\0\0"


def test_newc_archive_round_trips():
    entries = [("bin", stat.S_IFDIR | 0o755), ("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1)),
               ("bin/sh", stat.S_IFLNK | 0o777, b"busybox"), ("a", stat.S_IFREG | 0o644, b"x" * 1001),
               ("empty", stat.S_IFREG | 0o644, b"")]
    data = linux_peer.newc_archive(entries)
    assert len(data) % 4 == 0 and b"TRAILER!!!\0" in data[-128:]
    got = linux_peer.read_newc(data)
    assert [(r["name"], r["mode"], r["data"], r["rdev"]) for r in got] == [
        (e[0], e[1], e[2] if len(e) > 2 else b"", e[3] if len(e) > 3 else (0, 0)) for e in entries]
    with pytest.raises(ValueError, match="cut short"):
        linux_peer.read_newc(data[:200])
    with pytest.raises(ValueError, match="no newc header"):
        linux_peer.read_newc(b"070707" + data[6:])


@pytest.mark.skipif(shutil.which("cpio") is None, reason="cpio not installed")
def test_newc_archive_lists_with_cpio(tmp_path):
    data = linux_peer.newc_archive([("bin", stat.S_IFDIR | 0o755), ("bin/sh", stat.S_IFLNK | 0o777, b"busybox"),
                                    ("init", stat.S_IFREG | 0o755, b"#!/bin/sh\n")])
    out = subprocess.run(["cpio", "-t"], input=data, capture_output=True, check=True).stdout.decode()
    assert out.split() == ["bin", "bin/sh", "init"]


def test_initramfs_holds_busybox_init_and_the_benchmarks(tmp_path):
    (tmp_path / "busybox").write_bytes(b"\x7fELF busybox")
    (tmp_path / "peer_bench").write_bytes(b"\x7fELF peer")
    out = tmp_path / "initramfs.cpio"
    linux_peer.write_initramfs(str(tmp_path / "busybox"), str(tmp_path / "peer_bench"), str(out))
    files = {r["name"]: r for r in linux_peer.read_newc(out.read_bytes())}
    assert files["bin/busybox"]["data"] == b"\x7fELF busybox" and files["peer_bench"]["data"] == b"\x7fELF peer"
    assert stat.S_ISLNK(files["bin/sh"]["mode"]) and files["bin/sh"]["data"] == b"busybox"
    assert stat.S_ISCHR(files["dev/console"]["mode"]) and files["dev/console"]["rdev"] == (5, 1)
    assert all(stat.S_ISDIR(files[d]["mode"]) for d in ("proc", "sys", "dev", "usr/sbin"))
    init = files["init"]
    assert init["mode"] == stat.S_IFREG | 0o755
    script = init["data"].decode()
    assert script.startswith("#!/bin/busybox sh\n") and "/peer_bench\n" in script
    assert f'echo "{linux_peer.DONE_LINE}"' in script and script.rstrip().endswith("poweroff -f")


# --- Debian's packages -----------------------------------------------------------------------------------------

DEPENDS = """linux-image-amd64
  Depends: linux-image-6.1.0-56-amd64
"""


def test_the_metapackage_names_the_versioned_kernel():
    assert linux_peer.versioned_kernel_package(DEPENDS) == "linux-image-6.1.0-56-amd64"
    assert linux_peer.versioned_kernel_package(
        "linux-image-amd64\n |Depends: linux-image-6.1.0-9-amd64\n  Depends: linux-image-6.1.0-8-amd64\n"
    ) == "linux-image-6.1.0-9-amd64"
    for text in ("", "linux-image-amd64\n  Depends: linux-image-6.1.0-56-amd64-unsigned-dbg\n",
                 "linux-image-amd64\n  Depends: linux-image-6.12.9-amd64\n"):
        with pytest.raises(linux_peer.PeerError, match="names no linux-image-6.1"):
            linux_peer.versioned_kernel_package(text)


def fake_deb(tmp_path, name: str, files: dict[str, bytes], debs) -> str:
    """A .deb (built with dpkg-deb) of the given files, saved in debs under apt's file name."""
    package, version, _arch = name.split("_")
    version = version.replace("%3a", ":")  # apt's file names quote the epoch's colon
    root = tmp_path / f"pkg-{package}"
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(f"Package: {package}\nVersion: {version}\nArchitecture: amd64\n"
                                             "Maintainer: test <t@example.org>\nDescription: test\n")
    debs.mkdir(parents=True, exist_ok=True)
    deb = debs / (name + ".deb")
    subprocess.run(["dpkg-deb", "--root-owner-group", "-b", str(root), str(deb)], check=True, capture_output=True)
    return str(deb)


def no_apt(*args):
    raise AssertionError(f"apt-private called: {args}")


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb")
def test_cached_debs_are_unpacked_without_apt(tmp_path, monkeypatch):
    monkeypatch.setattr(linux_peer, "_apt_private", no_apt)
    peer, debs = tmp_path / "peer", tmp_path / "peer" / "debs"
    peer.mkdir()
    fake_deb(tmp_path, "linux-image-6.1.0-56-amd64_6.1.192-2_amd64",
             {"boot/vmlinuz-6.1.0-56-amd64": b"kernel", "lib/modules/6.1.0-56-amd64/x.ko": b"module"}, debs)
    fake_deb(tmp_path, "busybox-static_1%3a1.35.0-4_amd64", {"bin/busybox": b"bb"}, debs)
    vmlinuz = linux_peer.fetch_kernel(str(peer))
    assert vmlinuz == str(peer / "linux-image" / "boot" / "vmlinuz-6.1.0-56-amd64")
    assert open(vmlinuz, "rb").read() == b"kernel"
    assert not (peer / "linux-image" / "lib").exists()  # only /boot is unpacked
    assert open(linux_peer.fetch_busybox(str(peer)), "rb").read() == b"bb"
    # Unpacked once: the .debs are no longer needed.
    shutil.rmtree(debs)
    assert linux_peer.fetch_kernel(str(peer)) == vmlinuz
    assert not [n for n in os.listdir(peer) if n.startswith(".extract-")]


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb")
def test_the_kernel_is_resolved_and_downloaded_when_not_cached(tmp_path, monkeypatch):
    calls = []

    def apt(*args):
        calls.append(args)
        if args[0] == "cache":
            return DEPENDS
        fake_deb(tmp_path, "linux-image-6.1.0-56-amd64_6.1.192-2_amd64", {"boot/vmlinuz-6.1.0-56-amd64": b"k"},
                 tmp_path / "peer" / "debs")
        return ""

    monkeypatch.setattr(linux_peer, "_apt_private", apt)
    assert linux_peer.fetch_kernel(str(tmp_path / "peer")).endswith("vmlinuz-6.1.0-56-amd64")
    assert calls == [("cache", "depends", "linux-image-amd64"),
                     ("download", str(tmp_path / "peer" / "debs"), "linux-image-6.1.0-56-amd64")]


def test_apt_failures_name_the_command(tmp_path, monkeypatch):
    fake = tmp_path / "apt-private"
    fake.write_text("#!/bin/sh\necho 'E: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease' >&2\n"
                    "echo 'apt-private: apt-get update failed (is the Debian mirror reachable?)' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(linux_peer, "APT_PRIVATE", str(fake))
    with pytest.raises(linux_peer.PeerError) as e:
        linux_peer.fetch_kernel(str(tmp_path / "peer"))
    assert str(e.value) == ("tools/apt-private cache depends linux-image-amd64 failed (no network or no Debian "
                            "mirror?): apt-private: apt-get update failed (is the Debian mirror reachable?)")
    with pytest.raises(linux_peer.PeerError, match="download .*busybox-static failed"):
        linux_peer.fetch_busybox(str(tmp_path / "peer"))


# --- peer_bench.c ------------------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which(linux_peer.MUSL_GCC) is None, reason="musl-gcc not installed (tools/setup)")
def test_peer_bench_builds_static(tmp_path):
    out = str(tmp_path / "peer_bench")
    assert linux_peer.build_peer_bench(out) == out
    header = open(out, "rb").read(64)
    assert header[:4] == b"\x7fELF"
    readelf = shutil.which("readelf")
    if readelf:
        text = subprocess.run([readelf, "-lW", out], capture_output=True, text=True, check=True).stdout
        assert "INTERP" not in text  # static: no dynamic loader
    mtime = os.path.getmtime(out)
    assert linux_peer.build_peer_bench(out) == out and os.path.getmtime(out) == mtime  # up to date: not rebuilt


def test_peer_bench_build_errors_are_reported(tmp_path, monkeypatch):
    bad = tmp_path / "bad.c"
    bad.write_text("int main(void) { return undeclared; }\n")
    if shutil.which(linux_peer.MUSL_GCC) is None:
        with pytest.raises(linux_peer.PeerError, match="musl-gcc not found"):
            linux_peer.build_peer_bench(str(tmp_path / "out"), str(bad))
        return
    with pytest.raises(linux_peer.PeerError, match="(?s)musl-gcc bad.c failed:\n.*undeclared"):
        linux_peer.build_peer_bench(str(tmp_path / "out"), str(bad))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(linux_peer.PeerError, match=r"musl-gcc not found \(Debian's musl-tools"):
        linux_peer.build_peer_bench(str(tmp_path / "out"), str(bad))
