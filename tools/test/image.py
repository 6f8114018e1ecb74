# Reads the PPM screendumps QEMU writes and writes PNG copies of them for people to look at.
import struct
import zlib
from dataclasses import dataclass


class ImageError(ValueError):
    pass


@dataclass
class Image:
    width: int
    height: int
    rgb: bytes  # width * height * 3 bytes, rows top to bottom

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        i = (y * self.width + x) * 3
        return self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]

    def luminance(self, x: int, y: int) -> float:
        r, g, b = self.pixel(x, y)
        return 0.299 * r + 0.587 * g + 0.114 * b


def read_ppm(path: str) -> Image:
    """Reads a binary (P6) PPM. Raises ImageError if it is not one."""
    with open(path, "rb") as f:
        data = f.read()
    return parse_ppm(data)


def parse_ppm(data: bytes) -> Image:
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.find(b"\n", pos)
            if pos < 0:
                raise ImageError("PPM header is truncated")
            continue
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace():
            pos += 1
        if start == pos:
            raise ImageError("PPM header is truncated")
        fields.append(data[start:pos])
    pos += 1  # exactly one whitespace byte ends the header
    if fields[0] != b"P6":
        raise ImageError(f"not a binary PPM (magic {fields[0]!r})")
    width, height, maxval = (int(v) for v in fields[1:])
    if maxval != 255:
        raise ImageError(f"PPM maxval {maxval} is not supported")
    rgb = data[pos:pos + width * height * 3]
    if len(rgb) != width * height * 3:
        raise ImageError("PPM pixel data is truncated")
    return Image(width, height, rgb)


def write_png(image: Image, path: str) -> None:
    """Writes an 8-bit RGB PNG."""
    stride = image.width * 3
    raw = b"".join(b"\x00" + image.rgb[y * stride:(y + 1) * stride] for y in range(image.height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", image.width, image.height, 8, 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6))
                + chunk(b"IEND", b""))
