#!/usr/bin/python3
"""Writes a USTAR archive mixing good entries with deliberately malformed ones.

bin/vfstest serves it from a second vfsd: the good entries must load, each bad
one must be skipped with a console line naming it and why (the harness checks
those lines, see tools/test/log_checks.py). Usage: mkbadtar.py OUT.tar
"""
import sys

BLOCK = 512
MTIME = 1700000000


def header(name, size=0, typeflag=b"0", link=b"", mode=0o644, checksum_delta=0, size_field=None):
    h = bytearray(BLOCK)
    h[0:len(name)] = name
    h[100:108] = b"%07o\0" % mode
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = size_field if size_field is not None else b"%011o\0" % size
    h[136:148] = b"%011o\0" % MTIME
    h[156:157] = typeflag
    h[157:157 + len(link)] = link
    h[257:265] = b"ustar\x0000"
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % (sum(h) + checksum_delta)
    return bytes(h)


def entry(name, data=b"", **kw):
    pad = (-len(data)) % BLOCK
    return header(name, size=len(data), **kw) + data + b"\0" * pad


def main(out):
    parts = [
        entry(b"hello.txt", b"hello from the malformed archive\n"),
        entry(b"badsum.txt", b"must not load\n", checksum_delta=1),
        entry(b"../escape.txt", b"must not load\n"),
        entry(b"dir/abs-link", typeflag=b"2", link=b"/etc/motd"),
        entry(b"dir/up-link", typeflag=b"2", link=b"../../outside"),
        entry(b"hard", typeflag=b"1", link=b"../hello.txt"),
        entry(b"badsize.txt", b"must not load\n", size_field=b"0000000001x\0"),
        entry(b"dir/after.txt", b"loaded after the bad entries\n"),
        entry(b"dir/ok-link", typeflag=b"2", link=b"../hello.txt"),
        entry(b"sub/deep/file", b"deep\n", mode=0o600),
        b"\0" * (2 * BLOCK),
    ]
    with open(out, "wb") as f:
        f.write(b"".join(parts))


if __name__ == "__main__":
    main(sys.argv[1])
