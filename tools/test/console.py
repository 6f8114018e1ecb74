# The console service run: boots test=user_console_interactive with COM1 on a socket and QMP, answers each
# "consoletest: > ..." prompt by typing on the serial line or the PS/2 keyboard, then checks the echoes on the
# serial log, the text on a screendump and the KTAP report (bin/consoletest checks what it read).
import os
import threading
import time

import framebuffer
from image import Image, ImageError, read_ppm, write_png
from psf import PsfFont, load_psf
from qmp import QmpClient, QmpError, connect_unix
from results import TestResult, display_path
from serial_log import read_log

CMDLINE = "test=user_console_interactive"
PROMPT = "consoletest: > "
KEY_GAP = 0.03  # seconds between keys, so the guest sees them one by one
SCREENDUMP_ATTEMPTS = 3

# What to do at each prompt: ("serial", bytes), ("keys", text) typed on the keyboard, ("combo", [qcodes])
# pressed together, or ("screen", None) for the screendump check.
STEPS: list[tuple[str, list[tuple[str, object]]]] = [
    ("type on serial", [("serial", b"hellp\x7fo serial\r")]),
    ("type on the keyboard", [("keys", "junk"), ("combo", ["ctrl", "u"]), ("keys", "Hello, Kbc"),
                              ("combo", ["backspace"]), ("keys", "d!"), ("combo", ["ret"])]),
    ("type on the keyboard with caps lock", [("combo", ["caps_lock"]), ("keys", "caps"),
                                             ("combo", ["caps_lock"]), ("keys", " lock"),
                                             ("combo", ["ret"])]),
    ("press ctrl-c", [("combo", ["ctrl", "c"])]),
    ("press ctrl-d", [("serial", b"\x04")]),
    ("raw mode", [("serial", b"r\x03\x7fx")]),
    ("check the screen", [("screen", None), ("serial", b"next\r")]),
]

# The line discipline's echoes, byte for byte on the serial line: erase is "\b \b", Ctrl-U erases the
# line, Ctrl-C prints ^C.
SERIAL_ECHOES = [
    b"hellp\b \bo serial\r\n",
    b"junk\b \b\b \b\b \b\b \bHello, Kbc\b \bd!\r\n",
    b"CAPS lock\r\n",
    b"^C\r\n",
]
# Lines that must be in the log: the reads as the program saw them, and a kernel line that reached the
# serial port through the service.
LOG_LINES = [
    "consoled: serial interrupt, keyboard interrupt",
    "consoletest: a kernel line through consoled",
    "consoletest: read 'hello serial'",
    "consoletest: read 'Hello, Kbd!'",
    "consoletest: read 'CAPS lock'",
    "consoletest: interrupted",
    "consoletest: end of file",
    "consoletest: raw bytes as typed",
    "# console: the kernel prints again after the service ended",
]
# A line the kernel printed while bin/consoletest itself held the console and read from the log: the
# kernel must not have written it to the UART (and nobody forwarded it).
ABSENT_LINES = ["consoletest: a kernel line while handed over"]
# Rows the screen must show (trailing blanks: what was erased stays erased).
SCREEN_ROWS = [
    "hello serial    ",
    "Hello, Kbd!     ",
    "CAPS lock   ",
    "consoletest: read 'hello serial'",
    "consoletest: the framebuffer shows this line",
]

_SHIFTED = {'!': "1", '@': "2", '#': "3", '$': "4", '%': "5", '^': "6", '&': "7", '*': "8", '(': "9",
            ')': "0", '_': "minus", '+': "equal", '{': "bracket_left", '}': "bracket_right", ':': "semicolon",
            '"': "apostrophe", '<': "comma", '>': "dot", '?': "slash", '|': "backslash", '~': "grave_accent"}
_PLAIN = {' ': "spc", ',': "comma", '.': "dot", '/': "slash", '-': "minus", '=': "equal", ';': "semicolon",
          "'": "apostrophe", '[': "bracket_left", ']': "bracket_right", '\\': "backslash", '`': "grave_accent"}


def key_combo(ch: str) -> list[str]:
    """The QEMU qcodes to press together for one character of US-layout text."""
    if ch.isdigit() or ("a" <= ch <= "z"):
        return [ch]
    if "A" <= ch <= "Z":
        return ["shift", ch.lower()]
    if ch in _PLAIN:
        return [_PLAIN[ch]]
    if ch in _SHIFTED:
        return ["shift", _SHIFTED[ch]]
    raise ValueError(f"no key for {ch!r}")


def combo_events(qcodes: list[str]) -> list[dict]:
    """input-send-event events: the keys go down in order and come up in reverse."""
    def event(code: str, down: bool) -> dict:
        return {"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": code}}}
    return [event(c, True) for c in qcodes] + [event(c, False) for c in reversed(qcodes)]


def find_text_row(image: Image, font: PsfFont, text: str) -> tuple[int, framebuffer.RowMatch | None]:
    """The text row that shows `text` from its left edge best: (row, match), or (-1, None)."""
    best_row, best = -1, None
    for row in range(image.height // font.height):
        match = framebuffer.compare_text_row(image, font, text, row)
        if match.chars == len(text) and (best is None or match.ratio > best.ratio):
            best_row, best = row, match
    return best_row, best


def check_screen(image: Image, font: PsfFont, rows: list[str]) -> list[str]:
    """Problems: the expected rows that no text row shows."""
    problems = []
    for text in rows:
        row, match = find_text_row(image, font, text)
        if match is None:
            problems.append(f"the screen is too small for {text.strip()!r}")
        elif match.ratio < framebuffer.MIN_MATCH or match.cells_over(framebuffer.MAX_CELL_MISMATCH):
            problems.append(f"no text row shows {text.strip()!r} (best: row {row}, "
                            f"{match.ratio:.1%} of pixels)")
    return problems


class SerialLink:
    """COM1 on QEMU's unix socket: a thread copies what the guest prints to the log; send() types."""

    def __init__(self, path: str, log: str, timeout: float = 10.0):
        self._sock = connect_unix(path, timeout)
        self._log = open(log, "wb")
        self._thread = threading.Thread(target=self._copy, daemon=True)
        self._thread.start()

    def _copy(self) -> None:
        while True:
            try:
                data = self._sock.recv(4096)
            except OSError:
                return
            if not data:
                return
            self._log.write(data)
            self._log.flush()

    def send(self, data: bytes) -> None:
        for b in data:
            self._sock.sendall(bytes([b]))
            time.sleep(KEY_GAP)

    def close(self) -> None:
        try:
            self._sock.close()
        finally:
            self._thread.join(timeout=5)
            self._log.close()


def run_console(run, iso: str, log: str, logs_dir: str, timeout: float, boot_cls, evaluate) -> list[TestResult]:
    """Boots the run, plays STEPS, and returns the KTAP results (evaluate) plus the harness's own checks."""
    ppm = os.path.abspath(os.path.join(logs_dir, f"{run.name}.ppm"))
    png = os.path.join(logs_dir, f"{run.name}.png")
    for stale in (ppm, png):
        if os.path.exists(stale):
            os.unlink(stale)
    font = load_psf()
    problems: list[str] = []
    with boot_cls(run.platform, iso, log, with_qmp=True, serial_socket=True) as boot:
        deadline = time.monotonic() + timeout
        link = SerialLink(boot.serial_socket, log)
        try:
            with QmpClient(boot.qmp_socket) as qmp:
                for prompt, actions in STEPS:
                    if not _wait_for(boot, log, PROMPT + prompt, deadline):
                        problems.append(f"no prompt {prompt!r}")
                        break
                    for kind, what in actions:
                        if kind == "serial":
                            link.send(what)
                        elif kind == "keys":
                            for ch in what:
                                qmp.execute("input-send-event", {"events": combo_events(key_combo(ch))})
                                time.sleep(KEY_GAP)
                        elif kind == "combo":
                            qmp.execute("input-send-event", {"events": combo_events(what)})
                            time.sleep(KEY_GAP)
                        elif kind == "screen":
                            problems += _screen(qmp, font, ppm, png)
            outcome = boot.wait(deadline)
        except (QmpError, OSError) as e:
            problems.append(f"{type(e).__name__}: {e}")
            outcome = boot.wait(time.monotonic())
        finally:
            link.close()
    text = read_log(log)
    with open(log, "rb") as f:
        raw = f.read()
    for echo in SERIAL_ECHOES:
        if echo not in raw:
            problems.append(f"no echo {echo!r} on the serial line")
    for line in LOG_LINES:
        if line not in text:
            problems.append(f"no line {line!r}")
    for line in ABSENT_LINES:
        if line in text:
            problems.append(f"the kernel wrote {line!r} to the UART while the console was handed over")
    results = evaluate(run.name, text, outcome, log)
    name = f"{run.name}:typing-echo-screen"
    if problems:
        shown = "; ".join(problems[:4]) + (f"; and {len(problems) - 4} more" if len(problems) > 4 else "")
        where = f"; screen: {display_path(png)}" if os.path.exists(png) else ""
        results.append(TestResult(name, False, shown + where, log))
    else:
        results.append(TestResult(name, True, f"{len(STEPS)} prompts answered, {len(SERIAL_ECHOES)} echoes, "
                                              f"{len(SCREEN_ROWS)} screen rows"))
    return results


def _wait_for(boot, log: str, line: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if line in read_log(log):
            return True
        if not boot.running():
            return False
        time.sleep(0.1)
    return False


def _screen(qmp: QmpClient, font: PsfFont, ppm: str, png: str) -> list[str]:
    """Screendumps until SCREEN_ROWS show (the display may lag the serial line); keeps a PNG."""
    problems = ["no screendump"]
    image = None
    for attempt in range(SCREENDUMP_ATTEMPTS):
        if attempt:
            time.sleep(1)
        try:
            qmp.execute("screendump", {"filename": ppm})
            image = read_ppm(ppm)
        except (QmpError, ImageError, OSError) as e:
            problems = [f"screendump: {e}"]
            continue
        problems = check_screen(image, font, SCREEN_ROWS)
        if not problems:
            break
    if image is not None:
        write_png(image, png)
    return problems
