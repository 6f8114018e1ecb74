# Checks the framebuffer console: the banner's first line, rendered from the PSF font, must be text row 0 of a screendump,
# overall and cell by cell.
from dataclasses import dataclass

from image import Image
from psf import PsfFont

BANNER_PREFIX = "RaeenOS"
READY_LINE = "kernel: boot complete, idling"
LIT_LUMINANCE = 96  # above: a foreground pixel
MIN_MATCH = 0.99  # share of the row's pixels that must agree with the font
# Share of one character cell's pixels that may disagree with the font, so
# that a single wrong character cannot hide in the row's overall figure.
MAX_CELL_MISMATCH = 0.02
MIN_CHARS = 20


@dataclass
class RowMatch:
    chars: int  # characters compared (the banner may be wider than the screen)
    matched: int
    total: int
    cell_mismatches: list[int]  # mismatched pixels in each compared character cell
    cell_pixels: int  # pixels in one cell
    lit: int  # foreground pixels seen in the compared cells

    @property
    def ratio(self) -> float:
        return self.matched / self.total if self.total else 0.0

    @property
    def bad_cells(self) -> list[int]:
        """Indexes of characters with any mismatched pixel."""
        return [i for i, n in enumerate(self.cell_mismatches) if n]

    def cells_over(self, limit: float) -> list[int]:
        """Indexes of characters whose share of mismatched pixels exceeds limit."""
        return [i for i, n in enumerate(self.cell_mismatches) if n > limit * self.cell_pixels]


def find_banner(log_text: str) -> str | None:
    """The first serial line that starts with the banner prefix, without trailing blanks."""
    for line in log_text.split("\n"):
        if line.startswith(BANNER_PREFIX):
            return line.rstrip()
    return None


def compare_text_row(image: Image, font: PsfFont, text: str, row: int = 0) -> RowMatch:
    """Compares text, drawn in cells from the left edge of text row `row`, with the image."""
    chars = min(len(text), image.width // font.width)
    top = row * font.height
    if top + font.height > image.height:
        chars = 0
    bitmap = font.render(text[:chars])
    matched = lit = 0
    cell_mismatches = [0] * chars
    for y in range(font.height if chars else 0):
        for x, expected in enumerate(bitmap[y]):
            seen = image.luminance(x, top + y) > LIT_LUMINANCE
            lit += seen
            if seen == expected:
                matched += 1
            else:
                cell_mismatches[x // font.width] += 1
    return RowMatch(chars=chars, matched=matched, total=chars * font.width * font.height,
                    cell_mismatches=cell_mismatches, cell_pixels=font.width * font.height, lit=lit)


def check_framebuffer(image: Image, font: PsfFont, log_text: str) -> tuple[list[str], str]:
    """Returns (problems, summary). Empty problems means the banner is on screen."""
    size = f"framebuffer {image.width}x{image.height}"
    banner = find_banner(log_text)
    if banner is None:
        return [f"no serial line starts with {BANNER_PREFIX!r}"], size
    if len(banner) < MIN_CHARS:
        return [f"banner {banner!r} is shorter than {MIN_CHARS} characters"], size
    match = compare_text_row(image, font, banner)
    summary = (f"{size}, {match.chars} chars, {match.ratio:.1%} of pixels match, worst cell "
               f"{max(match.cell_mismatches, default=0)} of {match.cell_pixels} pixels off")
    if match.chars < MIN_CHARS:
        return [f"{size} has room for only {match.chars} characters"], summary
    if match.lit == 0:
        return [f"text row 0 is blank where {banner[:match.chars]!r} should be"], summary
    problems = []
    if match.ratio < MIN_MATCH:
        first = match.bad_cells[0]
        problems.append(f"text row 0 does not show {banner[:match.chars]!r}: {match.ratio:.1%} of pixels "
                        f"match (need {MIN_MATCH:.0%}); {len(match.bad_cells)} of {match.chars} cells differ, "
                        f"first at column {first} ({banner[first]!r})")
    over = match.cells_over(MAX_CELL_MISMATCH)
    if over:
        worst = max(over, key=lambda i: match.cell_mismatches[i])
        columns = ", ".join(f"{i} ({banner[i]!r})" for i in over[:8]) + (", ..." if len(over) > 8 else "")
        problems.append(f"{len(over)} of {match.chars} cells differ from the font in more than "
                        f"{MAX_CELL_MISMATCH:.0%} of their pixels: columns {columns}; worst column {worst} "
                        f"({banner[worst]!r}), {match.cell_mismatches[worst]} of {match.cell_pixels} pixels")
    return problems, summary
