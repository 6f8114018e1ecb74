# Unit tests of the test harness itself: parsers, fault checks, font rendering, framebuffer comparison.
import os
import shutil
import struct
import time
import zlib

import pytest

import console
import faults
import framebuffer
import kaslr
import matrix
import memory
import power
import qemu
import services
import shell
from host_tests import find_host_tests, run_host_test
from image import Image, parse_ppm, write_png
from ktap import parse_ktap
from psf import load_psf, parse_psf
from results import Reporter, TestResult
from serial_log import clean_text
from system_tests import evaluate_fault, evaluate_ktest, evaluate_services, iso_paths, kaslr_results
from tap import parse_tap

# --- serial logs and KTAP -------------------------------------------------

OVMF_NOISE = (
    "\x1b[2J\x1b[01;01H\x1b[=3h\x1b[2J\x1b[01;01HBdsDxe: loading Boot0001 \"UEFI QEMU DVD-ROM\"\r\n"
    "\x1b[0m\x1b[30m\x1b[47mWelcome to GRUB!\n\r\n"
    "\r\x1b[0m\x1b[37m\x1b[40m  Booting `RaeenOS'\n\r\n"
)
KTAP_PASS = (
    "RaeenOS 0.1.0 (abc1234) - RaeCore microkernel, x86_64\r\n"
    "memory: 255 MiB usable\r\n"
    "KTAP version 1\r\n"
    "1..4\r\n"
    "ok 1 pmm_alloc\r\n"
    "# vmm: some diagnostic\r\n"
    "ok 2 - vmm_map\r\n"
    "    KTAP version 1\r\n"
    "    1..1\r\n"
    "    ok 1 nested_case\r\n"
    "ok 3 handles # SKIP needs two CPUs\r\n"
    "sched: an unrelated kernel message\r\n"
    "ok 4 format_integers\r\n"
    "ktest: done: 3 passed, 0 failed\r\n"
)


def ktap_text(raw: str) -> str:
    return clean_text(OVMF_NOISE + raw)


def test_clean_text_drops_escapes_and_carriage_returns():
    text = clean_text(OVMF_NOISE + "RaeenOS x\r\n")
    assert "\x1b" not in text and "\r" not in text
    assert "BdsDxe: loading Boot0001 \"UEFI QEMU DVD-ROM\"" in text.split("\n")
    assert "RaeenOS x" in text.split("\n")


def test_ktap_complete_report():
    report = parse_ktap(ktap_text(KTAP_PASS))
    assert report.problems() == []
    assert [c.name for c in report.cases] == ["pmm_alloc", "vmm_map", "handles", "format_integers"]
    assert report.cases[2].skipped and report.cases[2].skip_reason == "needs two CPUs"
    assert report.cases[1].diagnostics == ["vmm: some diagnostic"]
    assert report.done == (3, 0)


def test_ktap_failed_case_keeps_its_diagnostics():
    raw = KTAP_PASS.replace("ok 4 format_integers", "# format: expected 1, got 2\r\nnot ok 4 format_integers")
    raw = raw.replace("3 passed, 0 failed", "2 passed, 1 failed")
    report = parse_ktap(ktap_text(raw))
    assert report.problems() == []
    assert report.cases[3].failed
    assert report.cases[3].diagnostics == ["format: expected 1, got 2"]


def test_ktap_without_header_or_plan():
    assert parse_ktap("RaeenOS booting\nok 1 x\n").problems() == ["no 'KTAP version 1' line"]
    report = parse_ktap(ktap_text(KTAP_PASS.replace("1..4\r\n", "")))
    assert "no plan line '1..N'" in report.problems()


def test_ktap_stops_short_when_the_kernel_dies():
    raw = KTAP_PASS.split("ok 3")[0] + "KERNEL PANIC: oops\r\n"
    problems = parse_ktap(ktap_text(raw)).problems()
    assert "plan says 4 tests, 2 reported" in problems
    assert "no 'ktest: done: X passed, Y failed' line" in problems


def test_ktap_done_line_must_agree():
    raw = KTAP_PASS.replace("3 passed, 0 failed", "4 passed, 1 failed")
    assert any("kernel says 4 passed, 1 failed" in p for p in parse_ktap(ktap_text(raw)).problems())
    # Counting the skip as passed is the kernel's choice.
    raw = KTAP_PASS.replace("3 passed, 0 failed", "4 passed, 0 failed")
    assert parse_ktap(ktap_text(raw)).problems() == []


def test_ktap_numbers_must_run_in_order():
    raw = KTAP_PASS.replace("ok 4 format_integers", "ok 3 format_integers")
    assert "test numbers are not 1..N in order" in parse_ktap(ktap_text(raw)).problems()


# --- host tests (cmocka TAP) ------------------------------------------------

CMOCKA_OUTPUT = """1..3
ok 1 - test_ok
not ok 2 - test_bad
# 0x1 != 0x2
# t.c:8: error: Failure!
not ok 3 # SKIP test_skip
# not ok - groupA
1..2
ok 1 - test_other
ok 2 - test_ok
# ok - groupB
"""


def test_tap_parses_cmocka_groups():
    report = parse_tap(CMOCKA_OUTPUT)
    assert report.problems() == []
    assert [(c.name, c.ok, c.skipped) for c in report.cases] == [
        ("test_ok", True, False), ("test_bad", False, False), ("test_skip", False, True),
        ("test_other", True, False), ("test_ok", True, False)]
    assert report.cases[1].diagnostics == ["0x1 != 0x2", "t.c:8: error: Failure!"]


def test_tap_detects_truncated_and_missing_output():
    assert parse_tap("1..3\nok 1 - a\n").problems() == ["planned 3 cases, reported 1"]
    assert parse_tap("").problems() == ["no TAP output"]
    assert parse_tap("1..1\nBail out! no memory\n").problems()[0] == "bailed out: no memory"


def write_script(path, body: str) -> str:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


def test_host_binaries_are_found_and_judged(tmp_path):
    bin_dir = tmp_path / "host"
    (bin_dir / "mm").mkdir(parents=True)
    write_script(bin_dir / "test_good", f"cat <<'EOF'\n{CMOCKA_OUTPUT}EOF\nexit 1\n")
    write_script(bin_dir / "mm" / "test_crash", "echo '1..2'; echo 'ok 1 - a'; kill -SEGV $$\n")
    write_script(bin_dir / "test_exit", "echo '1..1'; echo 'ok 1 - a'; exit 3\n")
    write_script(bin_dir / "test_env", '[ "$CMOCKA_MESSAGE_OUTPUT" = TAP ] && echo "1..1" && echo "ok 1 - env"\n')
    (bin_dir / "test_good.o").write_text("")
    (bin_dir / "test_data").write_text("not executable")
    binaries = find_host_tests(str(bin_dir))
    assert [os.path.relpath(b, bin_dir) for b in binaries] == [
        "test_env", "test_exit", "test_good", "mm/test_crash"]

    def run(name):
        results = run_host_test(str(bin_dir / name), str(bin_dir), str(tmp_path / "logs"), 10, str(tmp_path))
        return {r.name: r for r in results}

    good = run("test_good")  # exits 1 because a case failed: that failure is enough
    assert [n for n, r in good.items() if not r.passed] == ["host:test_good:test_bad"]
    assert "0x1 != 0x2" in good["host:test_good:test_bad"].reason
    assert os.path.exists(good["host:test_good:test_bad"].log)
    crash = run("mm/test_crash")
    assert crash["host:mm/test_crash:a"].passed
    assert not crash["host:mm/test_crash"].passed and "SIGSEGV" in crash["host:mm/test_crash"].reason
    exit3 = run("test_exit")
    assert "exit status 3 with no failed case" in exit3["host:test_exit"].reason
    assert run("test_env")["host:test_env:env"].passed


# --- fault reports ------------------------------------------------------------

MNEMONIC_NAMES = {"PF": "Page Fault", "UD": "Invalid Opcode", "GP": "General Protection", "DE": "Divide Error"}


def fault_report(key: str) -> str:
    spec = faults.FAULTS[key]
    cr2 = "0x0000000000000010" if key == "fault_pf" else "0xffffffff80000000"
    return clean_text(
        "RaeenOS 0.1.0 (abc1234) - RaeCore microkernel, x86_64\r\n"
        "KTAP version 1\r\n1..1\r\n"
        f"EXCEPTION: vector {spec.vector} (#{spec.mnemonic} {MNEMONIC_NAMES[spec.mnemonic]}), "
        "error code 0x0000000000000000 (read, not present, kernel)\r\n"
        f"RIP=0xffffffff802042cb <{spec.function}+0xb> (kernel mode)\r\n"
        f"CR2={cr2} CR3=0x0000000000211000\r\n"
        "RAX=0x0000000000000010 RBX=0xffffffff8020d4c8 RCX=0x00000000000186a0 RDX=0x000000007fffffff\r\n"
        "RSI=0x0000000000000001 RDI=0xffffffff8021afc0 RBP=0xffffffff8021afb0 RSP=0xffffffff8021afb0\r\n"
        "R8 =0x000000000000000a R9 =0xffffffff8020b58f R10=0x00000000000003f8 R11=0x000000000000000d\r\n"
        "R12=0x0000000000000001 R13=0x0000000000000001 R14=0x0000000000000001 R15=0x0000000000000001\r\n"
        "RFLAGS=0x0000000000000086 CS=0x0008 SS=0x0010\r\n\r\n"
        f"KERNEL PANIC: unhandled exception {spec.vector}\r\n"
        "backtrace:\r\n"
        f"  #0 0xffffffff802042cb <{spec.function}+0xb>\r\n"
        "  #1 0xffffffff80206e97 <ktest_run_one+0x26>\r\n"
        "  #2 0xffffffff80206b5a <kernel_main+0x269>\r\n"
        "panic: system halted\r\n")


CPU_EXCEPTION_FAULTS = sorted(k for k in faults.FAULTS if k.startswith("fault_"))


@pytest.mark.parametrize("key", CPU_EXCEPTION_FAULTS)
def test_complete_fault_report_passes(key):
    assert faults.check_fault_log(faults.FAULTS[key], fault_report(key)) == []


def test_panic_reports_are_checked_by_message_and_caller():
    spec = faults.FAULTS["lock_order_violation"]
    good = clean_text(
        'spinlock: lock order violation on CPU 0: taking "test outer" (level 10) at 0xffffffff80201234 '
        'while holding "test inner" (level 11)\r\n'
        "KERNEL PANIC: spinlock: lock order violation\r\nbacktrace:\r\n"
        "  #0 0xffffffff80201234 <spin_lock+0x1c>\r\n  #1 0xffffffff80201300 <ktest_run_one+0x26>\r\n")
    assert faults.check_fault_log(spec, good) == []
    bad = good.replace("ktest_run_one", "somewhere_else").replace("level 10", "level 12")
    problems = faults.check_fault_log(spec, bad)
    assert any("lock order report" in p for p in problems)
    assert any("does not reach ktest_run_one" in p for p in problems)
    assert faults.FAULTS["smp_panic_on_ap"].min_smp == 2


def test_fault_report_problems_are_named():
    pf = faults.FAULTS["fault_pf"]
    text = fault_report("fault_pf")
    assert any("CR2" in p for p in faults.check_fault_log(pf, text.replace("CR2=0x0000000000000010", "CR2=0x0")))
    assert any("exception line" in p for p in faults.check_fault_log(faults.FAULTS["fault_gp"], text))
    assert any("RIP" in p for p in faults.check_fault_log(pf, text.replace("<ktest_fault_pf+0xb> (kernel", "<x+0xb> (")))
    assert any("register RFLAGS" in p for p in faults.check_fault_log(pf, text.replace("RFLAGS=", "FLAGS:")))
    assert any("ktest_run_one" in p for p in faults.check_fault_log(pf, text.replace("ktest_run_one", "other_fn")))
    assert "no 'backtrace:' line" in faults.check_fault_log(pf, text.replace("backtrace:", "trace"))
    assert any("panic line" in p for p in faults.check_fault_log(pf, text.replace("KERNEL PANIC", "panic")))


def test_fault_run_needs_panic_exit_status():
    run = next(r for r in matrix.default_runs() if r.fault == "fault_ud")
    text = fault_report("fault_ud")
    assert evaluate_fault(run, text, qemu.BootOutcome(37, False, 1.0), "x.log").passed
    failed = evaluate_fault(run, text, qemu.BootOutcome(33, False, 1.0), "x.log")
    assert not failed.passed and "expected 37" in failed.reason
    timed_out = evaluate_fault(run, text, qemu.BootOutcome(None, True, 120.0), "x.log")
    assert not timed_out.passed and "timed out after 120 s" in timed_out.reason


# --- kernel test runs -------------------------------------------------------------


def test_ktest_run_results():
    text = ktap_text(KTAP_PASS)
    results = evaluate_ktest("ktest-x", text, qemu.BootOutcome(33, False, 2.0), "x.log")
    assert all(r.passed for r in results)
    assert [r.name for r in results][:2] == ["ktest-x:pmm_alloc", "ktest-x:vmm_map"]
    assert results[-1].name == "ktest-x"

    raw = KTAP_PASS.replace("ok 4 format_integers", "not ok 4 format_integers")
    raw = raw.replace("3 passed, 0 failed", "2 passed, 1 failed")
    results = evaluate_ktest("ktest-x", ktap_text(raw), qemu.BootOutcome(35, False, 2.0), "x.log")
    assert [r.name for r in results if not r.passed] == ["ktest-x:format_integers"]
    results = evaluate_ktest("ktest-x", ktap_text(raw), qemu.BootOutcome(33, False, 2.0), "x.log")
    assert "QEMU exit status 33" in results[-1].reason and not results[-1].passed


def test_ktest_case_needs_its_console_lines():
    import log_checks
    raw = KTAP_PASS.replace("ok 4 format_integers", "ok 4 user_vfs_service")
    results = evaluate_ktest("k", ktap_text(raw), qemu.BootOutcome(33, False, 2.0), "x.log")
    vfs = next(r for r in results if r.name == "k:user_vfs_service")
    assert not vfs.passed and "badsum" in vfs.reason
    lines = "".join(f"{p.replace(chr(92), '')}\r\n" for p in log_checks.CASE_LINES["user_vfs_service"])
    results = evaluate_ktest("k", ktap_text(lines + raw), qemu.BootOutcome(33, False, 2.0), "x.log")
    assert all(r.passed for r in results)


def test_ktest_run_fails_on_timeout_and_panic():
    cut = ktap_text(KTAP_PASS.split("ok 3")[0] + "KERNEL PANIC: out of memory\r\n")
    run = evaluate_ktest("k", cut, qemu.BootOutcome(37, False, 1.0), "x.log")[-1]
    assert not run.passed and "kernel panic: KERNEL PANIC: out of memory" in run.reason
    hang = evaluate_ktest("k", cut.replace("KERNEL PANIC: out of memory", ""),
                          qemu.BootOutcome(None, True, 120.0), "x.log")[-1]
    assert not hang.passed and "timed out after 120 s (last serial line: 'ok 1 nested_case')" in hang.reason
    assert evaluate_ktest("k", "", qemu.BootOutcome(0, False, 1.0), "x.log")[-1].passed is False


# --- font and framebuffer -----------------------------------------------------------

FONT_PATH = "/usr/share/consolefonts/Lat15-Terminus16.psf.gz"
needs_font = pytest.mark.skipif(not os.path.exists(FONT_PATH), reason="console-setup-linux font missing")


def longest_vertical_run(bitmap: list[list[bool]]) -> int:
    best = 0
    for x in range(len(bitmap[0])):
        run = 0
        for row in bitmap:
            run = run + 1 if row[x] else 0
            best = max(best, run)
    return best


@needs_font
def test_real_font_renders_known_shapes():
    font = load_psf(FONT_PATH)
    assert (font.width, font.height) == (8, 16)
    assert longest_vertical_run(font.glyph_bitmap("I")) >= 8
    assert longest_vertical_run(font.glyph_bitmap("|")) >= 10
    assert not any(any(row) for row in font.glyph_bitmap(" "))
    # '-' is one horizontal bar: lit rows are all in one band.
    dash_rows = [y for y, row in enumerate(font.glyph_bitmap("-")) if any(row)]
    assert dash_rows and dash_rows[-1] - dash_rows[0] <= 1
    bitmap = font.render("RaeenOS")
    assert len(bitmap) == 16 and all(len(row) == 7 * 8 for row in bitmap)
    # The unicode table, not the code point, picks glyphs: in Lat15 some
    # characters live at another index (e.g. U+2500 box drawing).
    assert any(cp != index for cp, index in font.unicode_map.items())
    assert all(cp in font.unicode_map for cp in range(32, 127))


def tiny_glyphs() -> bytes:
    """Two 8x2 glyphs: glyph 0 empty, glyph 1 a full top row."""
    return b"\x00\x00" + b"\xff\x00"


def test_psf2_unicode_table_maps_characters():
    header = struct.pack("<4sIIIIIII", b"\x72\xb5\x4a\x86", 0, 32, 1, 2, 2, 2, 8)
    table = b"?\xff" + "A\u00c5".encode() + b"\xfe" + "A\u030a".encode() + b"\xff"
    font = parse_psf(header + tiny_glyphs() + table)
    assert font.glyph_index("A") == 1 and font.glyph_index("\u00c5") == 1
    assert font.glyph_index("Z") == 0  # unknown: drawn as '?'
    assert font.render("A?") == [[True] * 8 + [False] * 8, [False] * 16]


def test_psf1_unicode_table_maps_characters():
    table = struct.pack("<HH", ord("?"), 0xFFFF) + struct.pack("<HHHH", ord("B"), 0xFFFE, 0x41, 0xFFFF)
    data = b"\x36\x04\x02\x02" + tiny_glyphs() + b"\x00\x00" * 254 + table
    font = parse_psf(data)
    assert font.glyph_index("B") == 1 and font.glyph_index("A") == 0


def screen_with_text(font, text: str, width=640, height=48, dx=0, fg=(200, 200, 200), bg=(0, 0, 32)) -> Image:
    pixels = bytearray(bytes(bg) * width * height)
    for y, row in enumerate(font.render(text)):
        for x, lit in enumerate(row):
            if lit and 0 <= x + dx < width:
                i = (y * width + x + dx) * 3
                pixels[i:i + 3] = bytes(fg)
    return Image(width, height, bytes(pixels))


BANNER = "RaeenOS 0.1.0 (abc1234) - RaeCore microkernel, x86_64"


@needs_font
def test_framebuffer_check_accepts_the_banner_and_rejects_others():
    font = load_psf(FONT_PATH)
    log = ktap_text("fbcon: ready\r\n" + BANNER + "\r\nkernel: boot complete, idling\r\n")
    assert framebuffer.find_banner(log) == BANNER  # not GRUB's "  Booting `RaeenOS'"
    problems, summary = framebuffer.check_framebuffer(screen_with_text(font, BANNER), font, log)
    assert problems == [] and summary.startswith("framebuffer 640x48, 53 chars, 100.0%")

    shifted = framebuffer.check_framebuffer(screen_with_text(font, BANNER, dx=1), font, log)[0]
    assert shifted and "does not show" in shifted[0]
    other = framebuffer.check_framebuffer(screen_with_text(font, BANNER[::-1]), font, log)[0]
    assert other and "first at column 0 ('R')" in other[0]
    blank = framebuffer.check_framebuffer(screen_with_text(font, ""), font, log)[0]
    assert blank and "blank" in blank[0]
    dark_on_light = screen_with_text(font, BANNER, fg=(0, 0, 0), bg=(255, 255, 255))
    assert framebuffer.check_framebuffer(dark_on_light, font, log)[0]
    assert "shorter than" in framebuffer.check_framebuffer(
        screen_with_text(font, "RaeenOS"), font, "RaeenOS 0.1\n")[0][0]
    assert framebuffer.check_framebuffer(screen_with_text(font, BANNER), font, "no banner")[0]


@needs_font
def test_framebuffer_checks_every_cell():
    font = load_psf(FONT_PATH)
    log = ktap_text(BANNER + "\r\n")
    width = 640

    def flip(image: Image, points) -> Image:
        pixels = bytearray(image.rgb)
        for x, y in points:
            i = (y * width + x) * 3
            pixels[i:i + 3] = bytes(255 - v for v in pixels[i:i + 3])
        return Image(image.width, image.height, bytes(pixels))

    good = screen_with_text(font, BANNER, width=width)
    # Two wrong pixels (1.6%) in each of a few cells: within both limits.
    noisy = flip(good, [(c * 8 + dx, 5) for c in (0, 10, 40) for dx in (1, 2)])
    problems, summary = framebuffer.check_framebuffer(noisy, font, log)
    assert problems == [] and summary.endswith("worst cell 2 of 128 pixels off")
    # Three wrong pixels in one cell: the row as a whole still matches 99.96%.
    three = flip(good, [(10 * 8 + dx, 5) for dx in (1, 2, 3)])
    problems = framebuffer.check_framebuffer(three, font, log)[0]
    assert problems == [f"1 of 53 cells differ from the font in more than 2% of their pixels: columns 10 "
                        f"({BANNER[10]!r}); worst column 10 ({BANNER[10]!r}), 3 of 128 pixels"]
    # One wrong character: fine overall, caught by its cell.
    one_wrong = BANNER[:20] + ("X" if BANNER[20] != "X" else "Y") + BANNER[21:]
    match = framebuffer.compare_text_row(screen_with_text(font, one_wrong, width=width), font, BANNER)
    assert match.ratio >= framebuffer.MIN_MATCH and match.bad_cells == [20]
    problems = framebuffer.check_framebuffer(screen_with_text(font, one_wrong, width=width), font, log)[0]
    assert len(problems) == 1 and f"columns 20 ({BANNER[20]!r})" in problems[0]
    # A shifted row fails both ways.
    assert len(framebuffer.check_framebuffer(screen_with_text(font, BANNER, dx=1), font, log)[0]) == 2


@needs_font
def test_framebuffer_narrower_than_banner_compares_what_fits():
    font = load_psf(FONT_PATH)
    match = framebuffer.compare_text_row(screen_with_text(font, BANNER, width=240), font, BANNER)
    assert match.chars == 30 and match.ratio == 1.0


def test_ppm_parse_and_png_write(tmp_path):
    image = parse_ppm(b"P6\n# QEMU screendump\n2 1\n255\n" + bytes([255, 0, 0, 10, 20, 30]))
    assert (image.width, image.height, image.pixel(1, 0)) == (2, 1, (10, 20, 30))
    assert image.luminance(0, 0) == pytest.approx(0.299 * 255)
    path = tmp_path / "x.png"
    write_png(image, str(path))
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    idat = data.index(b"IDAT")
    length = struct.unpack(">I", data[idat - 4:idat])[0]
    assert zlib.decompress(data[idat + 4:idat + 4 + length]) == b"\x00" + image.rgb


# --- the service manager's boot ------------------------------------------------------------------

SERVICES_LOG = """\
kernel: started bin/init with the root resource and the initrd
servicemgr: etc/services-test/broken.svc:5: unknown key 'colour'; skipped
servicemgr: cycle-a not started: dependency cycle: cycle-a -> cycle-b -> cycle-a
servicemgr: cycle-c not started: needs 'cycle-a', which cannot start
servicemgr: missing-dep not started: needs 'nonexistent', which no manifest defines
servicemgr: echo ended with status 0x100 (killed for a fault); restart 1 in 100 ms
servicemgr: restarted echo (pid 8), restart 1
servicemgr: crashy failed: it ended 3 times in a row (max-restarts 2), last status 0x100 (killed for a fault)
svctest nosy: lookup of echo: RAE_ERR_ACCESS_DENIED
hangd: deadlocking on request (pid 12)
servicemgr: hang did not answer its health check in 2000 ms; restarting
servicemgr: hang ended with status 0x101 (killed: no answer to its health check); restart 1 in 100 ms
servicemgr: restarted hang (pid 14), restart 1
hangd: spinning on request (pid 14)
servicemgr: hang did not answer its health check in 2000 ms; restarting
servicemgr: hang ended with status 0x101 (killed: no answer to its health check); restart 2 in 200 ms
servicemgr: restarted hang (pid 15), restart 2
NAME                 STATE       PID RESTARTS HANGS       UPTIME LAST-EXIT
cycle-a              failed        -        0     0            -         -
echo                 running       9        2     0      0.213 s     0x101
hang                 running      15        2     2      1.020 s     0x101
svctest: done: 47 passed, 0 failed
"""


def test_services_log_passes_when_every_line_is_there():
    assert [problem for _, problem in services.check_services_log(SERVICES_LOG)] == [""] * (
        len(services.LOG_CHECKS) + len(services.FORBIDDEN) + 1)
    outcome = qemu.BootOutcome(status=None, timed_out=False, seconds=3.0)
    results = evaluate_services("services-x", SERVICES_LOG, "ready", outcome, "x.log")
    assert all(r.passed for r in results) and results[-1].name == "services-x"


def test_services_log_names_each_missing_line():
    text = SERVICES_LOG.replace("servicemgr: restarted echo (pid 8), restart 1\n", "")
    text = text.replace("echo                 running       9        2", "echo running 9 0")
    failed = {name for name, problem in services.check_services_log(text) if problem}
    assert failed == {"service_restarted", "services_table_echo_restarted"}


def test_services_log_fails_when_a_hang_goes_unnoticed_or_a_real_service_is_killed():
    text = SERVICES_LOG.replace("servicemgr: hang did not answer its health check in 2000 ms; restarting\n", "")
    text = text.replace("servicemgr: restarted hang (pid 15), restart 2\n", "")
    failed = {name for name, problem in services.check_services_log(text) if problem}
    assert failed == {"hang_deadlock_noticed", "hang_restarted_after_endless_loop"}
    text = SERVICES_LOG + "servicemgr: vfs did not answer its health check in 5000 ms; restarting\n"
    problems = dict(services.check_services_log(text))
    assert "unexpected line" in problems["console_and_vfs_not_killed_as_hung"]
    text = SERVICES_LOG + "servicemgr: restarted hang (pid 16), restart 3\n"
    assert dict(services.check_services_log(text))["hang_not_restarted_a_third_time"]


def test_services_log_fails_on_svctest_failures_and_timeouts():
    text = SERVICES_LOG.replace("47 passed, 0 failed", "46 passed, 1 failed") + "svctest: FAIL: x\n"
    assert dict(services.check_services_log(text))["svctest"] == "svctest: 1 failed: svctest: FAIL: x"
    short = SERVICES_LOG.replace("47 passed", "3 passed")
    assert "expected at least" in dict(services.check_services_log(short))["svctest"]
    no_done = SERVICES_LOG.replace("svctest: done: 47 passed, 0 failed\n", "")
    outcome = qemu.BootOutcome(status=None, timed_out=True, seconds=120.0)
    results = evaluate_services("services-x", no_done, "timeout", outcome, "x.log")
    assert not results[-1].passed and "no 'svctest: done:' line" in results[-1].reason
    assert dict((r.name, r.passed) for r in results)["services-x:svctest"] is False


# --- matrix, QEMU command lines, report format -------------------------------------------------


def test_default_matrix():
    runs = matrix.default_runs()
    names = [r.name for r in runs]
    fault_runs = sum(len(matrix.FAULT_PLATFORMS if spec.min_smp <= 1 else matrix.SMP_FAULT_PLATFORMS)
                     for spec in faults.FAULTS.values())
    assert len(names) == len(set(names)) == (len(matrix.KTEST_PLATFORMS) + len(matrix.ICOUNT_PLATFORMS) + 2
                                             + fault_runs + 2 + len(matrix.SERVICES_PLATFORMS)
                                             + len(matrix.CONSOLE_PLATFORMS) + len(matrix.SHELL_PLATFORMS)
                                             + len(matrix.MEMORY_PLATFORMS) + 1 + len(matrix.PCI_PLATFORMS)
                                             + len(matrix.HOSTILE_PLATFORMS) + len(matrix.KILL_LOOP_PLATFORMS)
                                             + len(matrix.STRESS_TESTS) * len(matrix.STRESS_PLATFORMS)
                                             + len(matrix.DEVICES_PLATFORMS)
                                             + sum(len(p) for _, p in matrix.POWER_RUNS.values()))
    power_runs = [r for r in runs if r.kind == matrix.POWER]
    assert {r.action for r in power_runs} == {power.POWER_OFF, power.POWER_BUTTON, power.REBOOT}
    assert {r.platform.machine for r in power_runs} == {"q35", "pc"}
    assert {r.platform.smp for r in runs if r.name.startswith("hostile-")} == {1, 2}
    assert all(r.cmdline == matrix.HOSTILE_CMDLINE for r in runs if r.name.startswith("hostile-"))
    assert [r.cmdline for r in runs if r.kind == matrix.SHELL] == [shell.CMDLINE] * len(matrix.SHELL_PLATFORMS)
    assert [r.cmdline for r in runs if r.kind == matrix.SERVICES] == [services.CMDLINE] * 2
    assert sum(r.kind == matrix.FAULT for r in runs) == fault_runs
    assert all(r.platform.smp >= 2 for r in runs if r.fault == "smp_panic_on_ap")
    assert all("kaslr=show" in r.cmdline for r in runs if r.kind == matrix.KTEST and "acpi=off" not in r.cmdline
               and not r.icount and not r.name.startswith(("stress-", "kill-loop-", "devices-")))
    # The devices runs add QEMU's edu and a virtio-rng function; only they and the pci runs have
    # extra devices.
    assert all(matrix.EDU in r.platform.devices for r in runs if r.name.startswith("devices-"))
    assert all(not r.platform.devices for r in runs if not r.name.startswith(("devices-", "pci-")))
    # The stress tests run by name in runs of their own, never in test=all.
    assert sorted(r.cmdline for r in runs if r.name.startswith("stress-")) == sorted(
        f"test={t}" for t in matrix.STRESS_TESTS.values() for _ in matrix.STRESS_PLATFORMS)
    assert [(r.name, r.cmdline) for r in runs if r.kaslr == kaslr.FIXED] == [
        ("kaslr-off-q35-bios-max", "test=all kaslr=off kaslr=show")]
    assert {r.platform.name for r in runs if r.kind == matrix.FRAMEBUFFER} == {"q35-bios-max", "q35-uefi-max"}
    assert [r.name for r in runs if matrix.matches(r.name, ["fault_pf"])] == [
        "fault_pf-q35-bios-max", "fault_pf-q35-uefi-qemu64"]


def test_memory_runs_cover_every_size_machine_and_firmware():
    runs = [r for r in matrix.default_runs() if r.kind == matrix.MEMORY]
    assert len(runs) == 20
    assert {(r.platform.memory, r.platform.machine, r.platform.firmware) for r in runs} == {
        (size, machine, firmware) for size in ("128M", "3G", "4G", "8G", "16G")
        for machine in ("q35", "pc") for firmware in ("bios", "uefi")}
    assert all(r.cmdline == memory.CMDLINE for r in runs)
    assert "memory-16G-q35-uefi-max" in [r.name for r in runs]
    argv = qemu.qemu_argv(runs[-1].platform, "a.iso", "a.log", vars_file="v.fd")
    assert argv[argv.index("-m") + 1] == runs[-1].platform.memory


def free_output(total: int, used: int, free: int) -> str:
    """`free -k` as the shell shows it: the Mem: line, then the uses, the initrd taking what the rest leave."""
    uses = {"Reserved": 64, "MemFree": free, "KernelImage": 552, "PageDB": 73728, "KernelHeap": 196,
            "KernelStack": 336, "PageTables": 316, "UserStack": 76}
    uses["Initrd"] = total - sum(uses.values())
    return ("free -k\n               total         used         free       kernel\n"
            f"Mem:  {total:>14} {used:>12} {free:>12} {75128:>12}\n\n"
            + "".join(f"{name + ':':<14} {kib:>12}\n" for name, kib in uses.items()) + "/ $ ")


FREE_16G = free_output(16770616, 179968, 16590648)


def test_memory_sizes():
    assert memory.size_kib("128M") == 128 * 1024
    assert memory.size_kib("16G") == 16 * 1024 * 1024
    assert memory.size_kib("512") == 512 * 1024
    with pytest.raises(ValueError):
        memory.size_kib("lots")


def test_free_output_is_checked_against_the_memory_size():
    problems, figures = memory.check_free(FREE_16G, "16G")
    assert problems == [] and figures["total"] == 16770616 and figures["used"] == 179968
    assert figures["uses"]["PageDB"] == 73728
    # 2 GiB short of 16G: the RAM above 4 GiB or below the PCI hole went missing.
    short = free_output(14673464, 179968, 14493496)
    problems, _ = memory.check_free(short, "16G")
    assert len(problems) == 1 and "less than 90% of -m 16G" in problems[0]
    # More than the machine has.
    problems, _ = memory.check_free(FREE_16G, "8G")
    assert any("more than -m 8G" in p for p in problems)
    # Bookkeeping out of proportion: 1 GiB in use at the prompt.
    heavy = free_output(16770616, 1048576, 15722040)
    problems, _ = memory.check_free(heavy, "16G")
    assert len(problems) == 1 and "in use at the prompt" in problems[0]
    inconsistent = FREE_16G.replace(" 16590648 ", " 16590647 ")
    assert "is not the total" in memory.check_free(inconsistent, "16G")[0][0]
    # The uses must add up to the total, and their MemFree be the free.
    lost = FREE_16G.replace("PageDB:               73728", "PageDB:               73724")
    assert memory.check_free(lost, "16G")[0] == [
        "the memory-by-use lines add up to 16770612 KiB, not the total 16770616 KiB"]
    moved = FREE_16G.replace("PageDB:               73728", "PageDB:               73724").replace(
        "MemFree:           16590648", "MemFree:           16590652")
    assert memory.check_free(moved, "16G")[0] == ["MemFree 16590652 KiB is not the free 16590648 KiB"]
    no_uses = FREE_16G[:FREE_16G.index("\n\n")] + "\n/ $ "
    assert memory.check_free(no_uses, "16G")[0] == ["no memory-by-use lines after the Mem: line"]
    problems, figures = memory.check_free("free -k\nfree: system information: denied\n/ $ ", "16G")
    assert figures == {} and "no 'Mem:' line" in problems[0]


def test_fuzz_os_cmdline():
    import fuzz_os
    assert fuzz_os.fuzz_cmdline(30, 0) == "test=hostile_random_syscalls fuzz_seconds=30"
    assert fuzz_os.fuzz_cmdline(5, 123) == "test=hostile_random_syscalls fuzz_seconds=5 fuzz_seed=123"


def test_only_selects_the_runs_a_check_needs():
    def names(*only):
        return [r.name for r in matrix.selected_runs(list(only))]

    assert names("kaslr-off") == ["kaslr-off-q35-bios-max"]
    assert names("kaslr") == [f"ktest-{p.name}" for p in matrix.KTEST_PLATFORMS] + ["kaslr-off-q35-bios-max"]
    assert names("kaslr-bases-differ") == [f"ktest-{p.name}" for p in matrix.KTEST_PLATFORMS]
    assert names("ktest-pc-bios-max") == ["ktest-pc-bios-max"]
    assert names("fb-") == ["fb-q35-bios-max", "fb-q35-uefi-max"]
    assert len(names()) == len(matrix.default_runs())


def test_qemu_command_lines():
    bios = qemu.qemu_argv(matrix.PC_BIOS_MAX, "a.iso", "a.log")
    assert "pflash" not in " ".join(bios)
    assert bios[bios.index("-machine") + 1] == "pc" and "isa-debug-exit,iobase=0xf4,iosize=0x04" in bios
    uefi = qemu.qemu_argv(matrix.Q35_UEFI_QEMU64, "a.iso", "a.log", vars_file="v.fd", qmp_socket="q.sock")
    joined = " ".join(uefi)
    assert f"readonly=on,file={qemu.OVMF_CODE}" in joined and "unit=1,file=v.fd" in joined
    assert "unix:q.sock,server=on,wait=off" in joined and "-cpu qemu64" in joined
    with pytest.raises(ValueError):
        qemu.qemu_argv(matrix.Q35_UEFI_MAX, "a.iso", "a.log")
    icount = qemu.qemu_argv(matrix.Q35_BIOS_MAX, "a.iso", "a.log", extra_args=("-icount", "shift=0"))
    assert icount[-2:] == ["-icount", "shift=0"] and icount[icount.index("-cdrom") + 1] == "a.iso"
    direct = qemu.qemu_argv(matrix.Q35_BIOS_MAX, None, "a.log", extra_args=("-kernel", "vmlinuz"))
    assert "-cdrom" not in direct and direct[-2:] == ["-kernel", "vmlinuz"]
    devices = qemu.qemu_argv(matrix.DEVICES_PLATFORMS[0], "a.iso", "a.log")
    assert [devices[i + 1] for i, a in enumerate(devices) if a == "-device"][1:] == list(matrix.Q35_DEVICES)


def test_iso_names_are_distinct():
    paths = iso_paths(["", "test=all", "test all", "test=fault_pf"], "isos")
    assert paths[""] == os.path.join("isos", "plain.iso")
    assert paths["test=fault_pf"] == os.path.join("isos", "test-fault_pf.iso")
    assert len(set(paths.values())) == 4


def test_report_lines(capsys):
    reporter = Reporter()
    reporter.report(TestResult("a", True))
    reporter.report(TestResult("b", False, "timed out", "/nonexistent/b.log"))
    assert capsys.readouterr().out.splitlines() == ["PASS a", "FAIL b: timed out (log: /nonexistent/b.log)"]
    assert reporter.summary_line() == "1 passed, 1 failed"


needs_qemu = pytest.mark.skipif(shutil.which(qemu.QEMU) is None, reason="QEMU missing")


@needs_qemu
def test_qemu_timeout_kills_the_guest(tmp_path):
    iso = tmp_path / "empty.iso"  # nothing bootable: SeaBIOS waits forever
    iso.write_bytes(b"\0" * 2048 * 32)
    log = tmp_path / "serial.log"
    start = time.monotonic()
    with qemu.QemuBoot(matrix.Q35_BIOS_MAX, str(iso), str(log)) as boot:
        outcome = boot.wait(time.monotonic() + 2)
        assert boot.proc.poll() is not None  # killed, not left running
    assert outcome.timed_out and outcome.status is None
    assert time.monotonic() - start < 15
    assert log.exists()


@needs_qemu
def test_qemu_error_is_reported(tmp_path):
    outcome = qemu.boot_to_exit(matrix.Q35_BIOS_MAX, str(tmp_path / "missing.iso"), str(tmp_path / "s.log"), 30)
    assert outcome.status == 1 and "QEMU error" in outcome.describe()


# --- KASLR ------------------------------------------------------------------------------------------

def kaslr_log(kernel: int | None, direct_map: int = 0xFFFF888000000000, extra: str = "") -> str:
    line = "" if kernel is None else f"kaslr: kernel base {kernel:#018x}, direct map base {direct_map:#018x}\r\n"
    return ktap_text("RaeenOS 0.1.0 (abc1234) - RaeCore microkernel, x86_64\r\n"
                     "cmdline: test=all kaslr=show\r\nkaslr: seeded from RDRAND\r\n" + line + extra + KTAP_PASS)


def observe(run: str, text: str, mode: str = kaslr.RANDOM) -> kaslr.Observation:
    return kaslr.observe(run, mode, f"{run}.log", text)


def by_name(results):
    return {r.name: r for r in results}


def test_kaslr_line_parsing():
    assert kaslr.parse_bases(kaslr_log(0xFFFFFFFF9A400000)) == (
        kaslr.Bases(0xFFFFFFFF9A400000, 0xFFFF888000000000), [])
    assert kaslr.parse_bases(kaslr_log(None)) == (None, [])  # "cmdline: ... kaslr=show" is not one
    more = kaslr_log(None, extra="kaslr: kernel base 0xffffffa0a2c00000, direct map base 0xffffac2d00000000, "
                                 "kernel area 0xffffcc6c00000000\r\n")
    assert kaslr.parse_bases(more) == (kaslr.Bases(0xFFFFFFA0A2C00000, 0xFFFFAC2D00000000), [])
    bases, problems = kaslr.parse_bases(kaslr_log(None, extra="kaslr: kernel base 0xffffffa0a2c00000, "
                                                                "direct map base 0xffffac2d00000000x\r\n"))
    assert bases is None and problems[0].startswith("malformed line")
    bases, problems = kaslr.parse_bases(kaslr_log(None, extra="kaslr: kernel base 0x1234, direct map base 0\r\n"))
    assert bases is None and problems[0].startswith("malformed line 'kaslr: kernel base 0x1234")
    twice = kaslr_log(0xFFFFFFFF80000000, extra="kaslr: kernel base 0xffffffff80200000, "
                                                "direct map base 0xffff888000000000\r\n")
    bases, problems = kaslr.parse_bases(twice)
    assert bases.kernel == 0xFFFFFFFF80000000 and "second, different line" in problems[0]


def test_kaslr_bases_must_differ_and_be_aligned():
    runs = [observe("a", kaslr_log(0xFFFFFFFF9A400000)), observe("b", kaslr_log(0xFFFFFFFFC0000000)),
            observe("c", kaslr_log(None))]
    results = by_name(kaslr.evaluate(runs, 3))
    assert results["kaslr-bases-differ"].passed and results["kaslr-bases-aligned"].passed
    assert "2 distinct kernel bases and 1 distinct direct map bases in 2 runs" in results["kaslr-bases-differ"].reason
    assert "kaslr-off-fixed-base" not in results

    same = [observe(n, kaslr_log(0xFFFFFFFF9A400000)) for n in "abc"]
    differ = by_name(kaslr.evaluate(same, 3))["kaslr-bases-differ"]
    assert not differ.passed and differ.reason == "all 3 KASLR runs printed kernel base 0xffffffff9a400000"

    one = by_name(kaslr.evaluate(runs[1:], 3))["kaslr-bases-differ"]
    assert not one.passed and one.reason == "1 of 3 KASLR runs printed a kernel base; need at least two"

    misaligned = [observe("a", kaslr_log(0xFFFFFFFF9A401000)),
                  observe("b", kaslr_log(0xFFFFFFFFC0000000, direct_map=0xFFFF888000200000))]
    aligned = by_name(kaslr.evaluate(misaligned, 2))["kaslr-bases-aligned"]
    assert not aligned.passed
    assert aligned.reason == ("a: kernel base 0xffffffff9a401000 is not 2 MiB aligned; "
                              "b: direct map base 0xffff888000200000 is not 1 GiB aligned")


def test_kaslr_checks_fail_on_a_kernel_without_kaslr_show():
    runs = [observe(n, kaslr_log(None)) for n in "ab"] + [observe("off", kaslr_log(None), kaslr.FIXED)]
    results = kaslr.evaluate(runs, 2)
    assert [(r.name, r.passed) for r in results] == [
        ("kaslr-bases-aligned", False), ("kaslr-bases-differ", False), ("kaslr-off-fixed-base", False)]
    assert results[2].reason == "off: no 'kaslr: kernel base' line" and results[2].log == "off.log"


def test_kaslr_off_needs_the_link_base():
    fixed = observe("off", kaslr_log(0xFFFFFFFF80000000, direct_map=0xFFFF800000000000), kaslr.FIXED)
    results = by_name(kaslr.evaluate([fixed], 0))
    assert results["kaslr-off-fixed-base"].passed and results["kaslr-bases-aligned"].passed
    assert "kaslr-bases-differ" not in results  # --only kaslr-off: no KASLR run to compare
    moved = observe("off", kaslr_log(0xFFFFFFFF80200000, direct_map=0xFFFF888000000000), kaslr.FIXED)
    result = by_name(kaslr.evaluate([moved], 0))["kaslr-off-fixed-base"]
    assert not result.passed and result.reason == (
        "off: kernel base 0xffffffff80200000, expected 0xffffffff80000000; "
        "direct map base 0xffff888000000000, expected 0xffff800000000000")
    assert kaslr.evaluate([], 0) == []


def test_kaslr_results_read_the_run_logs(tmp_path):
    # Five KASLR runs (one without a base line) and the kaslr=off run.
    runs = [r for r in matrix.default_runs() if r.kaslr == kaslr.RANDOM][:5]
    runs += [r for r in matrix.default_runs() if r.kaslr == kaslr.FIXED]
    bases = [0xFFFFFFFF9A400000, 0xFFFFFFFFC0000000, None, 0xFFFFFFFF81000000, 0xFFFFFFFFA0000000,
             0xFFFFFFFF80000000]
    for run, base in zip(runs, bases):
        direct = 0xFFFF800000000000 if run.kaslr == kaslr.FIXED else 0xFFFF9C0000000000
        (tmp_path / f"{run.name}.log").write_text(kaslr_log(base, direct_map=direct))
    results = by_name(kaslr_results(runs, runs, str(tmp_path)))
    assert all(r.passed for r in results.values()) and len(results) == 3
    assert results["kaslr-bases-differ"].reason.endswith("in 4 runs")
    # A run that did not boot (its ISO failed) leaves no observation.
    results = by_name(kaslr_results(runs, runs[:1] + runs[5:], str(tmp_path)))
    assert results["kaslr-bases-differ"].reason == "1 of 5 KASLR runs printed a kernel base; need at least two"


# --- the console service run ---------------------------------------------

def test_console_keys_map_to_qcodes():
    assert console.key_combo("h") == ["h"]
    assert console.key_combo("H") == ["shift", "h"]
    assert console.key_combo("!") == ["shift", "1"]
    assert console.key_combo(",") == ["comma"] and console.key_combo(" ") == ["spc"]
    with pytest.raises(ValueError):
        console.key_combo("\u00e9")
    events = console.combo_events(["ctrl", "c"])
    assert [(e["data"]["key"]["data"], e["data"]["down"]) for e in events] == [
        ("ctrl", True), ("c", True), ("c", False), ("ctrl", False)]
    # Every key the steps type has a mapping.
    for _prompt, actions in console.STEPS:
        for kind, what in actions:
            if kind == "keys":
                assert all(console.key_combo(ch) for ch in what)


def test_console_run_uses_a_serial_socket():
    argv = qemu.qemu_argv(matrix.Q35_BIOS_MAX, "a.iso", "a.log", serial_socket="s.sock")
    assert "chardev:serial0" in argv and "file:a.log" not in argv
    assert any("path=s.sock" in a and "wait=on" in a for a in argv)
    runs = [r for r in matrix.default_runs() if r.kind == matrix.CONSOLE]
    assert runs and all(r.cmdline == console.CMDLINE for r in runs)


@needs_font
def test_console_screen_rows_are_found_anywhere_and_must_match():
    font = load_psf(FONT_PATH)
    rows = ["first line", "hello serial    ", "other"]
    height = font.height * len(rows)
    pixels = bytearray()
    for text in rows:
        pixels += screen_with_text(font, text, width=320, height=font.height).rgb
    image = Image(320, height, bytes(pixels))
    assert console.check_screen(image, font, ["hello serial    ", "other"]) == []
    assert console.find_text_row(image, font, "other")[0] == 2
    # A character that was not erased, or a missing line, is a problem.
    assert console.check_screen(image, font, ["hello serialx"])
    assert console.check_screen(image, font, ["first linez"])
    problems = console.check_screen(image, font, ["not on screen"])
    assert problems and "no text row shows 'not on screen'" in problems[0]


def test_services_log_lines_after_a_shell_prompt_count():
    text = SERVICES_LOG.replace("servicemgr: restarted echo", "/ $ servicemgr: restarted echo")
    assert dict(services.check_services_log(text))["service_restarted"] == ""


# --- the power runs (power.py): _PRT routes as acpiroutes prints them ----------------------------


def _route_lines(rows):
    return "\n".join(f"acpi-route 00:{d:02x} INT{'ABCD'[p]} gsi={g} link={l} level high" for d, p, g, l in rows)


def test_power_routes_q35():
    good = power.parse_routes(_route_lines([(1, 0, 21, "GSIF"), (2, 1, 23, "GSIH"), (31, 0, 16, "GSIA"),
                                            (31, 3, 19, "GSID")]) + "\nacpi-routes: 4\n")
    assert len(good) == 4 and good[1] == {"bus": 0, "device": 2, "pin": 1, "gsi": 23, "link": "GSIH",
                                          "level": True}
    assert power.check_routes("q35", good, []) == []
    pic_mode = power.parse_routes(_route_lines([(1, 0, 10, "LNKB")] * 4))
    assert any("not on GSIs 16-23" in p for p in power.check_routes("q35", pic_mode, []))
    crossed = power.parse_routes(_route_lines([(1, 0, 17, "GSIF")] * 4))
    assert any("link GSIF is not GSI 17" in p for p in power.check_routes("q35", crossed, []))
    assert power.check_routes("q35", good[:3], []) == ["only 3 PCI interrupt routes"]


def test_power_routes_pc_against_query_pci():
    routes = power.parse_routes(_route_lines([(1, 0, 9, "LNKS"), (2, 0, 11, "LNKB"), (3, 0, 10, "LNKC"),
                                              (3, 1, 10, "LNKD")]))
    pci = [{"bus": 0, "slot": 1, "irq_pin": 1, "irq": 9}, {"bus": 0, "slot": 3, "irq_pin": 1, "irq": 10},
           {"bus": 0, "slot": 0, "irq_pin": 0}]
    assert power.check_routes("pc", routes, pci) == []
    wrong = [dict(pci[1], irq=11)]
    assert any("_PRT says IRQ 10, QEMU's Interrupt Line 11" in p for p in power.check_routes("pc", routes, wrong))
    assert any("no route for 00:05 INTA" in p
               for p in power.check_routes("pc", routes, [{"bus": 0, "slot": 5, "irq_pin": 1, "irq": 5}]))
    assert power.check_routes("pc", routes, [pci[2]]) == ["no PCI device with an interrupt pin to compare"]
    gsi = power.parse_routes(_route_lines([(1, 0, 16, "GSIA")] * 4))
    assert any("not a PIRQ link" in p for p in power.check_routes("pc", gsi, pci))
