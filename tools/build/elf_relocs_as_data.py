#!/usr/bin/python3
"""Marks the kernel's relocation section as plain data (SHT_PROGBITS).

The kernel applies its own relocations at boot (KASLR), reading them between
the linker symbols __rela_start and __rela_end. GRUB's multiboot2 loader
refuses any ELF that has relocation sections, so the final image describes
them as data; their bytes, and the program headers, are unchanged."""
import struct
import sys

SHT_PROGBITS, SHT_RELA, SHT_REL = 1, 4, 9


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: elf_relocs_as_data.py KERNEL.elf")
    with open(sys.argv[1], "r+b") as f:
        ident = f.read(64)
        if ident[:4] != b"\x7fELF" or ident[4] != 2 or ident[5] != 1:
            sys.exit("elf_relocs_as_data.py: not a little-endian ELF64 file")
        shoff = struct.unpack_from("<Q", ident, 0x28)[0]
        shentsize, shnum = struct.unpack_from("<HH", ident, 0x3A)
        for i in range(shnum):
            pos = shoff + i * shentsize + 4
            f.seek(pos)
            (sh_type,) = struct.unpack("<I", f.read(4))
            if sh_type in (SHT_RELA, SHT_REL):
                f.seek(pos)
                f.write(struct.pack("<I", SHT_PROGBITS))


if __name__ == "__main__":
    main()
