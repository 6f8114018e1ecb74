# Loads PSF1/PSF2 console fonts (optionally gzip'd) and renders text to a bitmap, as a framebuffer console would.
import gzip
import struct
from dataclasses import dataclass, field

PSF1_MAGIC = b"\x36\x04"
PSF1_MODE512 = 0x01
PSF1_MODEHASTAB = 0x02
PSF1_MODEHASSEQ = 0x04
PSF1_SEPARATOR = 0xFFFF
PSF1_STARTSEQ = 0xFFFE

PSF2_MAGIC = b"\x72\xb5\x4a\x86"
PSF2_HAS_UNICODE_TABLE = 0x01
PSF2_SEPARATOR = 0xFF
PSF2_STARTSEQ = 0xFE

DEFAULT_FONT = "/usr/share/consolefonts/Lat15-Terminus16.psf.gz"


class PsfError(ValueError):
    pass


@dataclass
class PsfFont:
    width: int
    height: int
    glyphs: list[bytes]
    # Unicode code point -> glyph index. Without a table, index == code point.
    unicode_map: dict[int, int] = field(default_factory=dict)

    @property
    def bytes_per_row(self) -> int:
        return (self.width + 7) // 8

    def glyph_index(self, ch: str) -> int:
        """The glyph a console draws for ch; '?' (or glyph 0) when the font lacks it."""
        cp = ord(ch)
        if self.unicode_map:
            if cp in self.unicode_map:
                return self.unicode_map[cp]
            return self.unicode_map.get(ord("?"), 0)
        return cp if cp < len(self.glyphs) else (ord("?") if ord("?") < len(self.glyphs) else 0)

    def glyph_bitmap(self, ch: str) -> list[list[bool]]:
        """height rows of width booleans; True where the glyph is lit (MSB is leftmost)."""
        data = self.glyphs[self.glyph_index(ch)]
        stride = self.bytes_per_row
        rows = []
        for y in range(self.height):
            row_bytes = data[y * stride:(y + 1) * stride]
            rows.append([bool(row_bytes[x // 8] & (0x80 >> (x % 8))) for x in range(self.width)])
        return rows

    def render(self, text: str) -> list[list[bool]]:
        """One text row: height rows of len(text) * width booleans, cells with no margin."""
        rows: list[list[bool]] = [[] for _ in range(self.height)]
        for ch in text:
            for y, glyph_row in enumerate(self.glyph_bitmap(ch)):
                rows[y].extend(glyph_row)
        return rows


def load_psf(path: str = DEFAULT_FONT) -> PsfFont:
    """Loads a PSF1 or PSF2 font file, gzip'd or not. Raises PsfError on a bad file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return parse_psf(data)


def parse_psf(data: bytes) -> PsfFont:
    if data[:2] == PSF1_MAGIC:
        return _parse_psf1(data)
    if data[:4] == PSF2_MAGIC:
        return _parse_psf2(data)
    raise PsfError("not a PSF1 or PSF2 font")


def _parse_psf1(data: bytes) -> PsfFont:
    mode, charsize = data[2], data[3]
    count = 512 if mode & PSF1_MODE512 else 256
    end = 4 + count * charsize
    if len(data) < end:
        raise PsfError("PSF1 font is truncated")
    glyphs = [data[4 + i * charsize:4 + (i + 1) * charsize] for i in range(count)]
    unicode_map: dict[int, int] = {}
    if mode & (PSF1_MODEHASTAB | PSF1_MODEHASSEQ):
        table = data[end:]
        values = struct.unpack(f"<{len(table) // 2}H", table[:len(table) // 2 * 2])
        glyph, in_sequence = 0, False
        for v in values:
            if glyph >= count:
                break
            if v == PSF1_SEPARATOR:
                glyph, in_sequence = glyph + 1, False
            elif v == PSF1_STARTSEQ:
                in_sequence = True
            elif not in_sequence:
                unicode_map.setdefault(v, glyph)
    return PsfFont(width=8, height=charsize, glyphs=glyphs, unicode_map=unicode_map)


def _parse_psf2(data: bytes) -> PsfFont:
    if len(data) < 32:
        raise PsfError("PSF2 header is truncated")
    _magic, _version, headersize, flags, length, charsize, height, width = struct.unpack(
        "<4sIIIIIII", data[:32])
    end = headersize + length * charsize
    if len(data) < end or charsize < height * ((width + 7) // 8):
        raise PsfError("PSF2 font is truncated or inconsistent")
    glyphs = [data[headersize + i * charsize:headersize + (i + 1) * charsize] for i in range(length)]
    unicode_map: dict[int, int] = {}
    if flags & PSF2_HAS_UNICODE_TABLE:
        glyph, pos = 0, end
        while glyph < length and pos < len(data):
            stop = data.find(bytes([PSF2_SEPARATOR]), pos)
            if stop < 0:
                stop = len(data)
            entry = data[pos:stop]
            singles = entry.split(bytes([PSF2_STARTSEQ]), 1)[0]
            for ch in singles.decode("utf-8", errors="ignore"):
                unicode_map.setdefault(ord(ch), glyph)
            glyph, pos = glyph + 1, stop + 1
    return PsfFont(width=width, height=height, glyphs=glyphs, unicode_map=unicode_map)
