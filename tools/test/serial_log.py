# Turns raw serial output (firmware escape sequences, CRLF) into plain text lines.
import re

# CSI sequences (colours, cursor moves, "ESC [=3h"), two-byte escapes and
# charset selection as printed by OVMF and GRUB on the serial console.
_ESCAPE_RE = re.compile(r"\x1b(?:\[[0-9;?=<>]*[ -/]*[@-~]|[()][0-9A-Za-z]|[@-Z\\-_])")


def clean_text(raw: str) -> str:
    """Removes escape sequences and carriage returns; keeps newlines."""
    text = _ESCAPE_RE.sub("", raw)
    text = text.replace("\r\n", "\n")
    return "\n".join(_after_last_cr(line) for line in text.split("\n"))


def _after_last_cr(line: str) -> str:
    # A lone CR returns to the start of the line and what follows overwrites
    # it on a terminal; keep the last non-empty piece.
    pieces = [p for p in line.split("\r") if p]
    return pieces[-1] if pieces else ""


def read_log(path: str) -> str:
    """Reads a serial log as cleaned text; a missing log reads as empty."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return ""
    return clean_text(raw.decode("utf-8", errors="replace"))


def last_line(text: str) -> str:
    """The last non-empty line, for failure messages ('where did it stop?')."""
    for line in reversed(text.split("\n")):
        if line.strip():
            return line.strip()
    return ""
