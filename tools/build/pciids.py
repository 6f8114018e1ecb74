#!/usr/bin/python3
"""Packs Debian's pci.ids (package pci.ids) into the compact table lspci reads.

Every vendor, device and class name is kept; subsystem names are dropped (lspci
does not print them). Names are stored as words: a word used more than once is
an index into one word list (1 byte for the 127 most frequent, 2 bytes for the
rest), a word used once is spelled out. That packs the 1.3 MB file into about a
quarter of it. The layout (little-endian), which apps/coreutils/lspci.c reads:

    header   "RAEPCI1\\0", then u32 pairs (count or size, offset):
             words, vendors, records, classes
    words    the word list: NUL-terminated strings, most frequent first
    vendors  8 bytes each, sorted by ID: u16 vendor ID, u16 0, u32 record offset
    records  per vendor: its name, u16 device count, then per device
             u16 device ID and its name (devices sorted by ID)
    classes  text lines "CC name", "CCSS name", "CCSSPP name" (hex), sorted

A name is a sequence of words joined by single spaces, ended by byte 0; byte
b in 1..127 is word b - 1; b >= 128 with the next byte n is word
127 + ((b & 0x7f) << 8 | n), except 0xffff, which is followed by a literal
word ending in byte 0. Usage: pciids.py PCI_IDS OUT [VENDOR,...]: with a
list of vendor IDs (hex), only those vendors (a small table: the fuzzer's seed).
"""
import collections
import struct
import sys

MAGIC = b"RAEPCI1\0"
ONE_BYTE_WORDS = 127
LITERAL = 0xFFFF
MAX_WORDS = ONE_BYTE_WORDS + 0x7FFF


def parse(path):
    vendors = {}  # id -> (name, {device id: name})
    classes = {}  # "CC", "CCSS", "CCSSPP" -> name
    vendor = None
    klass = subclass = None
    in_classes = False
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith("C "):
                in_classes = True
                klass = line[2:4].lower()
                classes[klass] = line[4:].strip()
                continue
            if in_classes:
                if line.startswith("\t\t"):
                    code, name = line[2:].split(" ", 1)
                    classes[klass + subclass + code.lower()] = name.strip()
                elif line.startswith("\t"):
                    code, name = line[1:].split(" ", 1)
                    subclass = code.lower()
                    classes[klass + subclass] = name.strip()
                else:
                    in_classes = False  # another list (device types) follows
                continue
            if line.startswith("\t\t"):
                continue  # subsystems
            if line.startswith("\t"):
                code, name = line[1:].split(" ", 1)
                if vendor is not None:
                    vendors[vendor][1][int(code, 16)] = name.strip()
                continue
            if len(line) > 4 and line[4] == " " and all(c in "0123456789abcdef" for c in line[:4]):
                vendor = int(line[:4], 16)
                vendors[vendor] = (line[5:].strip(), {})
            else:
                vendor = None  # another list: device types, languages...
    return vendors, classes


def pack(vendors, classes):
    counts = collections.Counter()
    for name, devices in vendors.values():
        counts.update(name.split(" "))
        for dname in devices.values():
            counts.update(dname.split(" "))
    words = [w for w, n in counts.most_common() if n > 1][:MAX_WORDS - 1]
    index = {w: i for i, w in enumerate(words)}

    def encode(name):
        out = bytearray()
        for word in name.split(" "):
            i = index.get(word)
            if i is None:
                out += struct.pack(">H", LITERAL) + word.encode() + b"\0"
            elif i < ONE_BYTE_WORDS:
                out.append(i + 1)
            else:
                v = i - ONE_BYTE_WORDS
                out += bytes((0x80 | (v >> 8), v & 0xFF))
        return bytes(out) + b"\0"

    word_blob = b"".join(w.encode() + b"\0" for w in words)
    records = bytearray()
    vendor_table = bytearray()
    for vid in sorted(vendors):
        name, devices = vendors[vid]
        vendor_table += struct.pack("<HHI", vid, 0, len(records))
        records += encode(name) + struct.pack("<H", len(devices))
        for did in sorted(devices):
            records += struct.pack("<H", did) + encode(devices[did])
    class_blob = "".join(f"{code} {classes[code]}\n" for code in sorted(classes)).encode()

    header_size = len(MAGIC) + 4 * 8
    sections = [(len(words), word_blob), (len(vendors), bytes(vendor_table)),
                (len(records), bytes(records)), (len(class_blob), class_blob)]
    header = bytearray(MAGIC)
    body = bytearray()
    for count, blob in sections:
        header += struct.pack("<II", count, header_size + len(body))
        body += blob
    return bytes(header + body)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: pciids.py PCI_IDS OUT [VENDOR,...]")
    vendors, classes = parse(sys.argv[1])
    if len(sys.argv) == 4:
        keep = {int(v, 16) for v in sys.argv[3].split(",")}
        vendors = {vid: v for vid, v in vendors.items() if vid in keep}
    data = pack(vendors, classes)
    with open(sys.argv[2], "wb") as f:
        f.write(data)
    devices = sum(len(d) for _, d in vendors.values())
    print(f"pciids: {len(vendors)} vendors, {devices} devices, {len(classes)} classes: "
          f"{len(data)} bytes")


if __name__ == "__main__":
    main()
