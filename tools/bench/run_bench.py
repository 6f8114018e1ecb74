#!/usr/bin/python3
# `make bench`: runs the host benchmarks, boots the kernel with bench=all under QEMU -icount, boots the Linux
# peer (Debian's kernel doing the same jobs) in the same configuration, adds static figures, and writes
# build/bench.json, a table of results and a table of RaeenOS/Linux ratios.
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO_ROOT, "tools", "test"))

import linux_peer  # noqa: E402
import qemu  # noqa: E402
from results import display_path  # noqa: E402
from serial_log import last_line, read_log  # noqa: E402
from system_tests import PANIC_TEXT, build_iso, iso_paths  # noqa: E402

BUILD = os.path.join(REPO_ROOT, "build")

HOST = "host"
QEMU_ICOUNT = "qemu-icount"
LINUX_ICOUNT = "linux-icount"
STATIC = "static"

BENCH_PREFIX = "BENCH "
DONE_LINE = "bench: done"
EXIT_BENCH_DONE = qemu.EXIT_TESTS_PASSED  # the kernel writes 0x10 to isa-debug-exit: status 33
FIELDS = ("name", "unit", "p50", "p99", "max", "samples")
# Under -icount the guest's clocks are derived from the instruction count, so
# a time unit from the guest would be a made-up time, not a measured one.
TIME_UNITS = {"s", "sec", "ms", "us", "µs", "ns", "ps", "seconds", "milliseconds", "microseconds", "nanoseconds"}

# Two CPUs, so the cross-CPU benchmarks (IPI round trip, TSC skew) have a peer.
PLATFORM = qemu.Platform("q35", "bios", "max", smp=2, memory="512M")
ICOUNT_ARGS = ("-accel", "tcg", "-icount", "shift=0,align=off,sleep=off")
# The Linux peer: the same machine with one CPU (Linux 6.1 hangs bringing up a second CPU under -icount on
# QEMU 7.2). panic=-1 turns a panic into a reboot, which -no-reboot turns into QEMU's exit.
LINUX_PLATFORM = qemu.Platform("q35", "bios", "max", smp=1, memory="512M")
LINUX_CMDLINE = "console=ttyS0 panic=-1"
LINUX_PREFIX = "linux."
LINUX_PANIC_TEXT = "Kernel panic"
LINUX_FAIL_PREFIXES = ("peer_bench: FAIL", "linux-peer: peer_bench failed")
EXIT_POWER_OFF = 0

# (RaeenOS benchmark, its Linux counterpart): the same job done by each system's own mechanism.
COMPARISONS = (
    ("user_null_syscall_round_trip", "linux.getpid"),
    ("user_ipc_register_call_reply_one_core", "linux.pipe_round_trip"),
    ("user_notify_ping_pong", "linux.futex_ping_pong"),
    ("user_yield_ping_pong", "linux.sched_yield_ping_pong"),
)

NON_BENCH_SUFFIXES = (".o", ".d", ".a", ".so", ".c", ".h", ".log", ".txt", ".json")

# ELF64 little-endian: the file header and one program header.
ELF_HEADER = struct.Struct("<16sHHIQQQIHHHHHH")
ELF_PHDR = struct.Struct("<IIQQQQQQ")
PT_LOAD = 1


@dataclass
class Collected:
    """Results from one source and what went wrong collecting them."""

    results: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def note(text: str) -> None:
    """Progress text; never looks like a table row."""
    print(f"# {text}", flush=True)


# --- result lines --------------------------------------------------------------------------------


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def check_result(obj) -> str:
    """Why obj is not a benchmark result ({"name", "unit", "p50", "p99", "max", "samples"}); "" if it is."""
    if not isinstance(obj, dict):
        return "not a JSON object"
    missing = [k for k in FIELDS if k not in obj]
    if missing:
        return f"missing {', '.join(missing)}"
    if not isinstance(obj["name"], str) or not obj["name"].strip():
        return "name is not a non-empty string"
    if not isinstance(obj["unit"], str) or not obj["unit"].strip():
        return "unit is not a non-empty string"
    for key in ("p50", "p99", "max"):
        if not _is_number(obj[key]) or obj[key] < 0:
            return f"{key} is not a non-negative number"
    if not isinstance(obj["samples"], int) or isinstance(obj["samples"], bool) or obj["samples"] < 1:
        return "samples is not a positive integer"
    if not obj["p50"] <= obj["p99"] <= obj["max"]:
        return "p50 <= p99 <= max does not hold"
    return ""


def _numbered_lines(text: str) -> list[tuple[int, str]]:
    return [(number, line.strip()) for number, line in enumerate(text.split("\n"), 1)]


def parse_results(bodies: list[tuple[int, str]], source: str) -> tuple[list[dict], list[str]]:
    """Results from (line number, JSON text) pairs; each gains "source".

    Returns (results, problems): text that is not a valid result, or a name
    reported twice, is a problem.
    """
    results: list[dict] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, body in bodies:
        try:
            obj = json.loads(body)
        except json.JSONDecodeError as e:
            problems.append(f"line {number}: not JSON ({e.msg}): {body[:120]!r}")
            continue
        why = check_result(obj)
        if why:
            problems.append(f"line {number}: {why}: {body[:120]!r}")
            continue
        if obj["name"] in seen:
            problems.append(f"line {number}: {obj['name']!r} reported twice")
            continue
        seen.add(obj["name"])
        results.append({**obj, "source": source})
    return results, problems


def parse_bench_lines(text: str, source: str = QEMU_ICOUNT) -> tuple[list[dict], list[str]]:
    """The `BENCH {json}` lines in a serial log; other lines are ignored."""
    return parse_results([(n, line[len(BENCH_PREFIX):]) for n, line in _numbered_lines(text)
                          if line.startswith(BENCH_PREFIX)], source)


def parse_host_output(text: str) -> tuple[list[dict], list[str]]:
    """A host benchmark's stdout: one JSON object per line; lines not starting with "{" are ignored."""
    return parse_results([(n, line) for n, line in _numbered_lines(text) if line.startswith("{")], HOST)


# --- host benchmarks -----------------------------------------------------------------------------


def find_host_benchmarks(directory: str) -> list[str]:
    """Executable files under directory, in a stable order."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            if not name.endswith(NON_BENCH_SUFFIXES) and os.access(path, os.X_OK):
                found.append(path)
    return found


def run_host_benchmarks(directory: str, logs_dir: str, timeout: float) -> Collected:
    """Runs every binary in directory, one at a time; a missing directory is a note, not an error."""
    out = Collected()
    if not os.path.isdir(directory):
        note(f"host benchmarks skipped: {display_path(directory)} does not exist (built by `make host-bench`)")
        return out
    binaries = find_host_benchmarks(directory)
    if not binaries:
        note(f"host benchmarks skipped: no executables in {display_path(directory)}")
        return out
    for binary in binaries:
        rel = os.path.relpath(binary, directory)
        log = os.path.join(logs_dir, "host", f"{rel}.log")
        os.makedirs(os.path.dirname(log), exist_ok=True)
        note(f"host: {rel}")
        status: int | None
        try:
            proc = subprocess.run([os.path.abspath(binary)], cwd=REPO_ROOT, stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=timeout)
            stdout, stderr, status = proc.stdout, proc.stderr, proc.returncode
        except subprocess.TimeoutExpired as e:
            stdout, stderr, status = e.stdout or b"", e.stderr or b"", None
        except OSError as e:
            out.errors.append(f"host benchmark {rel}: cannot run: {e}")
            continue
        text = stdout.decode("utf-8", errors="replace")
        err = stderr.decode("utf-8", errors="replace")
        with open(log, "w") as f:
            f.write(text + ("\n--- stderr ---\n" + err if err else ""))
        results, problems = parse_host_output(text)
        where = f"(log: {display_path(log)})"
        if status is None:
            problems.insert(0, f"timed out after {timeout:.0f} s")
        elif status != 0:
            problems.insert(0, f"exit status {status}")
        elif not results:
            problems.append("printed no results")
        out.errors += [f"host benchmark {rel}: {p} {where}" for p in problems]
        out.results += [{**r, "binary": rel} for r in results]
    return out


# --- the kernel under QEMU -----------------------------------------------------------------------


def evaluate_kernel_log(text: str, outcome: qemu.BootOutcome) -> tuple[list[dict], list[str]]:
    """The BENCH results of one boot, and why the boot does not count (timeout, panic, no done line,
    wrong exit status, bad lines, time units)."""
    results, problems = parse_bench_lines(text)
    lines = [line.strip() for line in text.split("\n")]
    if outcome.timed_out:
        problems.insert(0, f"{outcome.describe()} (last serial line: {last_line(text)[:100]!r})")
    panicked = PANIC_TEXT in text
    if panicked:
        panic = next(line for line in lines if PANIC_TEXT in line)
        problems.insert(0, f"kernel panic: {panic}")
    if DONE_LINE not in lines and not (outcome.timed_out or panicked):  # else already explained
        problems.append(f"no '{DONE_LINE}' line")
    if not outcome.timed_out and outcome.status != EXIT_BENCH_DONE:
        problems.append(f"{outcome.describe()}, expected {EXIT_BENCH_DONE}")
    if not results and not problems:
        problems.append("no BENCH lines")
    return results, problems + _time_unit_problems(results)


def _time_unit_problems(results: list[dict]) -> list[str]:
    return [f"{r['name']}: unit {r['unit']!r} is a time, but under -icount the guest's clocks count "
            "instructions; report instructions" for r in results if r["unit"].strip().lower() in TIME_UNITS]


def run_kernel_benchmarks(kernel: str, initrd: str, cmdline: str, iso_dir: str, logs_dir: str,
                          timeout: float) -> Collected:
    """Builds the bench ISO, boots it once under -icount and collects the BENCH lines."""
    out = Collected()
    for path, what in ((kernel, "kernel"), (initrd, "initrd")):
        if not os.path.isfile(path):
            out.errors.append(f"{what} {display_path(path)} does not exist")
            return out
    iso = iso_paths([cmdline], iso_dir)[cmdline]
    error = build_iso(kernel, initrd, iso, cmdline)
    if error:
        out.errors.append(error)
        return out
    log = os.path.join(logs_dir, f"bench-{PLATFORM.name}.log")
    note(f"qemu: {PLATFORM.name}, -m {PLATFORM.memory}, {' '.join(ICOUNT_ARGS)}, cmdline {cmdline!r}, "
         f"timeout {timeout:.0f} s")
    outcome = qemu.boot_to_exit(PLATFORM, iso, log, timeout, extra_args=ICOUNT_ARGS)
    results, problems = evaluate_kernel_log(read_log(log), outcome)
    out.results = results
    out.errors += [f"kernel benchmarks: {p} (log: {display_path(log)})" for p in problems]
    if not problems:
        note(f"qemu: {len(results)} results, exit status {outcome.status} after {outcome.seconds:.1f} s "
             f"(log: {display_path(log)})")
    return out


# --- the Linux peer under QEMU --------------------------------------------------------------------


def evaluate_linux_log(text: str, outcome: qemu.BootOutcome) -> tuple[list[dict], list[str]]:
    """The BENCH results of the Linux peer's boot, and why the boot does not count (timeout, panic, a
    benchmark's failure line, no done line, an exit other than the power-off, names without "linux.")."""
    results, problems = parse_bench_lines(text, LINUX_ICOUNT)
    lines = [line.strip() for line in text.split("\n")]
    first: list[str] = []
    if outcome.timed_out:
        first.append(f"{outcome.describe()} (last serial line: {last_line(text)[:100]!r})")
    panic = next((line for line in lines if LINUX_PANIC_TEXT in line), None)
    if panic:
        first.append(f"Linux panic: {panic[panic.index(LINUX_PANIC_TEXT):]}")
    failures = [line for line in lines if line.startswith(LINUX_FAIL_PREFIXES)]
    problems = first + failures + problems
    if linux_peer.DONE_LINE not in lines and not (outcome.timed_out or panic or failures):  # else explained
        problems.append(f"no '{linux_peer.DONE_LINE}' line")
    if not outcome.timed_out and outcome.status != EXIT_POWER_OFF:
        problems.append(f"{outcome.describe()}, expected {EXIT_POWER_OFF} (power off)")
    if not results and not problems:
        problems.append("no BENCH lines")
    problems += [f"{r['name']!r}: not named {LINUX_PREFIX}*" for r in results
                 if not r["name"].startswith(LINUX_PREFIX)]
    return results, problems + _time_unit_problems(results)


def run_linux_peer(peer_dir: str, logs_dir: str, timeout: float) -> Collected:
    """Fetches and builds the Linux peer (linux_peer.prepare), boots it once under -icount with -smp 1
    and collects its BENCH lines."""
    out = Collected()
    started = time.monotonic()
    try:
        vmlinuz, initramfs = linux_peer.prepare(peer_dir)
    except (linux_peer.PeerError, OSError) as e:
        out.errors.append(f"linux peer: {e}")
        return out
    note(f"linux: kernel, busybox and initramfs ready in {time.monotonic() - started:.1f} s "
         f"({display_path(peer_dir)})")
    log = os.path.join(logs_dir, f"linux-{LINUX_PLATFORM.name}.log")
    boot_args = ("-kernel", vmlinuz, "-initrd", initramfs, "-append", LINUX_CMDLINE)
    note(f"linux: {os.path.basename(vmlinuz)}, {LINUX_PLATFORM.name}, -m {LINUX_PLATFORM.memory}, "
         f"{' '.join(ICOUNT_ARGS)}, cmdline {LINUX_CMDLINE!r}, timeout {timeout:.0f} s")
    outcome = qemu.boot_to_exit(LINUX_PLATFORM, None, log, timeout, extra_args=boot_args + ICOUNT_ARGS)
    results, problems = evaluate_linux_log(read_log(log), outcome)
    out.results = results
    out.errors += [f"linux peer: {p} (log: {display_path(log)})" for p in problems]
    if not problems:
        note(f"linux: {len(results)} results, powered off after {outcome.seconds:.1f} s (log: {display_path(log)})")
    return out


# --- RaeenOS vs Linux ------------------------------------------------------------------------------


def compare(results: list[dict]) -> tuple[list[dict], list[str]]:
    """One row per COMPARISONS pair: both p50s and their ratio RaeenOS/Linux (rounded to 3 places).

    A missing side leaves its p50 and the ratio None and is an error, as is a Linux p50 of 0.
    """
    raeen = {r["name"]: r for r in results if r["source"] == QEMU_ICOUNT}
    linux = {r["name"]: r for r in results if r["source"] == LINUX_ICOUNT}
    rows, errors = [], []
    for raeen_name, linux_name in COMPARISONS:
        a, b = raeen.get(raeen_name), linux.get(linux_name)
        row = {"raeen": raeen_name, "linux": linux_name, "raeen_p50": a["p50"] if a else None,
               "linux_p50": b["p50"] if b else None, "ratio": None}
        why = []
        if a is None:
            why.append(f"no RaeenOS result {raeen_name}")
        if b is None:
            why.append(f"no Linux result {linux_name}")
        elif b["p50"] == 0:
            why.append(f"the Linux p50 of {linux_name} is 0")
        if why:
            errors.append(f"comparison {raeen_name} vs {linux_name}: {', '.join(why)}")
        else:
            row["ratio"] = round(a["p50"] / b["p50"], 3)
        rows.append(row)
    return rows, errors


def format_comparison(rows: list[dict]) -> str:
    """The "RaeenOS vs Linux" table: both p50s and the ratio; a missing value shows as "missing"."""
    header = ("RaeenOS", "p50", "Linux", "p50", "RaeenOS/Linux")

    def cell(v) -> str:
        return "missing" if v is None else _number(v)

    body = [(r["raeen"], cell(r["raeen_p50"]), r["linux"], cell(r["linux_p50"]),
             "missing" if r["ratio"] is None else f"{r['ratio']:.3f}") for r in rows]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    numeric = {1, 3, 4}

    def line(row) -> str:
        cells = [c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    return "\n".join([
        "RaeenOS vs Linux (p50 in instructions, both under QEMU -icount)",
        line(header), line(["-" * w for w in widths]), *[line(row) for row in body],
        "RaeenOS/Linux is p50 over p50: below 1, RaeenOS does the job in fewer instructions. Each system does "
        "it its own way (register IPC vs a pipe, notifications vs futexes); these benchmarks use one CPU "
        "(Linux boots with -smp 1, RaeenOS with -smp 2)."])


# --- static figures ------------------------------------------------------------------------------


def elf_loaded_bytes(path: str) -> int:
    """Sum of p_memsz over the PT_LOAD segments of an ELF64 little-endian file. Raises ValueError."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < ELF_HEADER.size:
        raise ValueError("too short for an ELF header")
    ident, _type, _machine, _version, _entry, phoff, _shoff, _flags, _ehsize, phentsize, phnum, *_ = \
        ELF_HEADER.unpack_from(data)
    if ident[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    if ident[4] != 2 or ident[5] != 1:
        raise ValueError("not a little-endian ELF64 file")
    if phentsize < ELF_PHDR.size or phoff + phnum * phentsize > len(data):
        raise ValueError("program headers lie outside the file")
    total = 0
    for i in range(phnum):
        p_type, _flags, _offset, _vaddr, _paddr, _filesz, p_memsz, _align = \
            ELF_PHDR.unpack_from(data, phoff + i * phentsize)
        if p_type == PT_LOAD:
            total += p_memsz
    return total


# --- the whole system at its shell ---------------------------------------------------------------

SYSTEM_CMDLINE = ""  # the default boot: console, file system and shell
PROMPT_SUFFIX = "$ "
BOOT_LINE = re.compile(r"^boot_to_prompt (\d+) ticks$", re.M)
# `bench boot`'s split of that: (its line's name, the result's name).
BOOT_PARTS = (("boot_reset_to_kernel", "system_boot_reset_to_kernel"),
              ("boot_kernel_to_first_process", "system_boot_kernel_to_first_process"),
              ("boot_first_process_to_prompt", "system_boot_first_process_to_prompt"))
FREE_LINE = re.compile(r"^Mem: +(\d+) +(\d+) +(\d+)", re.M)
# After the Mem: line `free -k` prints every page of RAM by use, one "Name: KiB" line each (RAE_MEM_USE_NAMES).
FREE_USE_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9]*): +(\d+)$")
MEMORY_USE_PREFIX = "system_memory_use_"


def use_result_name(use: str) -> str:
    """The result name of a `free` use line: "PageDB" -> "system_memory_use_page_db"."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", use).lower()
    return MEMORY_USE_PREFIX + snake


def parse_memory_uses(text: str, total_kib: int) -> tuple[list[dict], list[str]]:
    """The by-use lines following `free -k`'s Mem: line (text starts after it, up to the next prompt), one
    KiB result each; they must add up to the total."""
    results, problems = [], []
    end = text.find(PROMPT_SUFFIX)
    for line in (text if end < 0 else text[:end]).split("\n"):
        m = FREE_USE_LINE.match(line.strip())
        if m:
            results.append(_system_result(use_result_name(m.group(1)), "KiB", int(m.group(2))))
    if not results:
        problems.append("no memory-by-use lines after `free -k`'s Mem: line")
    elif sum(r["p50"] for r in results) != total_kib:
        problems.append(f"the memory-by-use lines of `free -k` add up to {sum(r['p50'] for r in results)} KiB, "
                        f"not the total {total_kib} KiB")
    return results, problems
VFS_LINE = re.compile(r"^vfs_read (\d+) bytes in (\d+) ticks: (\d+) bytes per 1000 ticks$", re.M)


def _system_result(name: str, unit: str, value) -> dict:
    return {"name": name, "unit": unit, "p50": value, "p99": value, "max": value, "samples": 1,
            "source": QEMU_ICOUNT}


def parse_system_output(text: str) -> tuple[list[dict], list[str]]:
    """The figures `bench boot`, `free -k` and `bench vfs` printed at the shell."""
    results, problems = [], []
    m = BOOT_LINE.search(text)
    if m and int(m.group(1)) > 0:
        results.append(_system_result("system_boot_to_shell_prompt", "instructions", int(m.group(1))))
    else:
        problems.append("no 'boot_to_prompt N ticks' line from `bench boot`")
    for line_name, result_name in BOOT_PARTS:
        m = re.search(rf"^{line_name} (\d+) ticks$", text, re.M)
        if m:
            results.append(_system_result(result_name, "instructions", int(m.group(1))))
        else:
            problems.append(f"no '{line_name} N ticks' line from `bench boot`")
    m = FREE_LINE.search(text)
    if m:
        results.append(_system_result("system_memory_in_use_at_prompt", "MiB",
                                      round(int(m.group(2)) / 1024, 1)))
        uses, why = parse_memory_uses(text[m.end():], int(m.group(1)))
        results += uses
        problems += why
    else:
        problems.append("no 'Mem:' line from `free -k`")
    m = VFS_LINE.search(text)
    if m:
        results.append(_system_result("system_vfs_read_throughput", "bytes/1000 instructions",
                                      int(m.group(3))))
    else:
        problems.append("no 'vfs_read' line from `bench vfs`")
    return results, problems


def run_system_benchmarks(kernel: str, initrd: str, iso_dir: str, logs_dir: str,
                          timeout: float) -> Collected:
    """Boots the default system under -icount, waits for the shell and types the measuring commands:
    `bench boot` (the TSC when the console first waited for a key: guest instructions from reset to the
    prompt, and its three parts: firmware and GRUB, the kernel, the services), `free -k` (memory in use there) and `bench vfs` (reading a 1 MiB file through rae-vfsd)."""
    import console  # tools/test: the serial line on a socket

    out = Collected()
    iso = iso_paths([SYSTEM_CMDLINE], iso_dir)[SYSTEM_CMDLINE]
    error = build_iso(kernel, initrd, iso, SYSTEM_CMDLINE)
    if error:
        out.errors.append(error)
        return out
    log = os.path.join(logs_dir, f"bench-system-{PLATFORM.name}.log")
    note(f"qemu: the system at its shell, {PLATFORM.name}, {' '.join(ICOUNT_ARGS)}")
    deadline = time.monotonic() + timeout
    problems = []
    with qemu.QemuBoot(PLATFORM, iso, log, serial_socket=True, extra_args=ICOUNT_ARGS) as boot:
        link = console.SerialLink(boot.serial_socket, log)
        try:
            def wait_for(pattern: re.Pattern, start: int) -> bool:
                while time.monotonic() < deadline and boot.running():
                    if pattern.search(read_log(log)[start:]):
                        return True
                    time.sleep(0.2)
                return False
            # The first prompt, which a service still starting (acpid) may have printed a line behind.
            prompt = re.compile(r"\$ ")
            booted = re.compile(r"kernel: boot complete")
            if not wait_for(booted, 0) or not wait_for(prompt, booted.search(read_log(log)).end()):
                problems.append("no shell prompt")
            for command, expect in (("bench boot", re.compile(rf"^{BOOT_PARTS[-1][0]} \d+ ticks$", re.M)),
                                    ("free -k", FREE_LINE),
                                    ("bench vfs 5", VFS_LINE)):
                if problems:
                    break
                start = len(read_log(log))
                link.send(command.encode() + b"\r")
                if not wait_for(expect, start):
                    problems.append(f"`{command}` printed nothing expected")
                # The whole output before the next command: a console echoes what is typed at once, which
                # would land among the lines still to come (free's by-use lines follow its Mem: line).
                elif not wait_for(re.compile(r"\n[^\n]*\$ $"), start):
                    problems.append(f"`{command}`: no prompt after it")
        finally:
            link.close()
    results, missing = parse_system_output(read_log(log))
    out.results = results
    out.errors += [f"system benchmarks: {p} (log: {display_path(log)})" for p in problems or missing]
    return out


def static_results(kernel: str) -> Collected:
    out = Collected()
    try:
        size = elf_loaded_bytes(kernel)
    except (OSError, ValueError) as e:
        out.errors.append(f"kernel image size: {display_path(kernel)}: {e}")
        return out
    kib = round(size / 1024, 1)
    out.results.append({"name": "kernel_image_size", "unit": "KiB", "p50": kib, "p99": kib, "max": kib,
                        "samples": 1, "source": STATIC, "bytes": size})
    return out


# --- report --------------------------------------------------------------------------------------


def _number(v) -> str:
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.1f}" if abs(v) >= 100 else f"{v:.3g}"
    return str(int(v))


def format_table(results: list[dict]) -> str:
    """An aligned table of results: text columns left, numbers right; a footer on units."""
    header = ("name", "unit", "p50", "p99", "max", "samples", "source")
    rows = [(r["name"], r["unit"], _number(r["p50"]), _number(r["p99"]), _number(r["max"]),
             str(r["samples"]), r["source"]) for r in results]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    numeric = {2, 3, 4, 5}

    def line(row) -> str:
        cells = [c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    out = [line(header), line(["-" * w for w in widths])] + [line(row) for row in rows]
    sources = {r["source"] for r in results}
    if QEMU_ICOUNT in sources:
        out.append(f"{QEMU_ICOUNT}: measured in QEMU (TCG) with -icount shift=0, where the guest TSC counts guest "
                   "instructions: 'instructions' figures are instructions executed, not time on any hardware.")
    if LINUX_ICOUNT in sources:
        out.append(f"{LINUX_ICOUNT}: Debian's Linux 6.1 (linux-image-amd64) with a busybox initramfs under the same "
                   "QEMU/-icount configuration, with -smp 1; measured with the TSC like qemu-icount.")
    if HOST in sources:
        out.append(f"{HOST}: run natively on this build machine.")
    if STATIC in sources:
        out.append(f"{STATIC}: kernel_image_size is the sum of p_memsz over the PT_LOAD segments of the kernel ELF.")
    return "\n".join(out)


def write_json(path: str, results: list[dict], errors: list[str], comparisons: list[dict] | None = None) -> None:
    """{"results", "comparisons" (RaeenOS vs Linux rows; [] when skipped), "errors"}, replaced atomically."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"results": results, "comparisons": comparisons or [], "errors": errors}, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Runs the RaeenOS benchmarks: host binaries, the kernel's "
                                            "bench=all under QEMU -icount, the Linux peer in the same "
                                            "configuration, and static figures.")
    p.add_argument("--kernel", default=os.path.join(BUILD, "raecore.elf"), help="kernel ELF")
    p.add_argument("--initrd", default=os.path.join(BUILD, "initrd.tar"),
                   help="the initrd a user boots: the boot to the shell")
    p.add_argument("--test-initrd", default=os.path.join(BUILD, "initrd-test.tar"),
                   help="the initrd with the test programs, which bench=all starts")
    p.add_argument("--host-bench", default=os.path.join(BUILD, "bench", "host"),
                   help="directory of host benchmark binaries")
    p.add_argument("--cmdline", default="bench=all", help="kernel command line (default bench=all)")
    p.add_argument("--timeout", type=float, default=600, help="seconds for the QEMU boot (default 600)")
    p.add_argument("--host-timeout", type=float, default=600, help="seconds per host binary (default 600)")
    p.add_argument("--no-host", action="store_true", help="skip the host benchmarks")
    p.add_argument("--no-qemu", action="store_true", help="skip the QEMU boot (and the RaeenOS vs Linux table)")
    p.add_argument("--no-system", action="store_true",
                   help="skip the boot to the shell (boot-to-prompt, memory at the prompt, VFS reads)")
    p.add_argument("--no-linux", action="store_true", help="skip the Linux peer and the RaeenOS vs Linux table")
    p.add_argument("--linux-dir", default=os.path.join(BUILD, "linux-peer"),
                   help="where the Linux peer's packages and boot files go")
    p.add_argument("--linux-timeout", type=float, default=600,
                   help="seconds for the Linux peer's boot (default 600)")
    p.add_argument("--logs", default=os.path.join(BUILD, "bench-logs"), help="where logs go")
    p.add_argument("--isos", default=os.path.join(BUILD, "bench-isos"), help="where the bench ISO goes")
    p.add_argument("--out", default=os.path.join(BUILD, "bench.json"), help="JSON output file")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.default_int_handler)
    collected: list[Collected] = []
    try:
        if not args.no_host:
            collected.append(run_host_benchmarks(args.host_bench, args.logs, args.host_timeout))
        if not args.no_qemu:
            collected.append(run_kernel_benchmarks(args.kernel, args.test_initrd, args.cmdline, args.isos,
                                                   args.logs, args.timeout))
            if not args.no_system:
                collected.append(run_system_benchmarks(args.kernel, args.initrd, args.isos, args.logs,
                                                       args.timeout))
        if not args.no_linux:
            collected.append(run_linux_peer(args.linux_dir, args.logs, args.linux_timeout))
        collected.append(static_results(args.kernel))
    except KeyboardInterrupt:
        qemu.kill_all()  # QemuBoot kills its QEMU on the way out too; this also refuses new ones
        print("bench: interrupted", file=sys.stderr)
        return 130
    results = [r for c in collected for r in c.results]
    errors = [e for c in collected for e in c.errors]
    comparisons = None
    if not (args.no_qemu or args.no_linux):
        comparisons, problems = compare(results)
        errors += problems
    write_json(args.out, results, errors, comparisons)
    print(format_table(results) if results else "no results")
    if comparisons is not None:
        print()
        print(format_comparison(comparisons))
    note(f"written to {display_path(args.out)}")
    for error in errors:
        print(f"bench: error: {error}", file=sys.stderr)
    if errors:
        print(f"bench: failed with {len(errors)} error(s); the results above are incomplete", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
