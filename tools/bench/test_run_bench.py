# Unit tests of the benchmark runner: result lines, the boot verdict, host binaries, ELF sizes, the table.
import json
import os
import re
import shutil
import struct
import subprocess

import pytest

import run_bench
from qemu import BootOutcome
from serial_log import clean_text

SYSCALL = {"name": "syscall_null", "unit": "instructions", "p50": 112, "p99": 130, "max": 410, "samples": 10000}
IPC = {"name": "ipc_call_reply", "unit": "instructions", "p50": 845.5, "p99": 902, "max": 1730, "samples": 100}


def bench_line(obj) -> str:
    return "BENCH " + json.dumps(obj) + "\r\n"


def serial(*lines: str, done: bool = True) -> str:
    raw = ("\x1b[2J\x1b[01;01HRaeenOS 0.1.0 (abc1234) - RaeCore microkernel, x86_64\r\n"
           "cmdline: bench=all\r\nbench: running 2 benchmarks\r\n" + "".join(lines))
    return clean_text(raw + ("bench: done\r\n" if done else ""))


# --- BENCH lines ------------------------------------------------------------------------------------


def test_bench_lines_are_collected_among_kernel_messages():
    results, problems = run_bench.parse_bench_lines(serial(bench_line(SYSCALL), "sched: idle\r\n", bench_line(IPC)))
    assert problems == []
    assert results == [{**SYSCALL, "source": "qemu-icount"}, {**IPC, "source": "qemu-icount"}]


@pytest.mark.parametrize("line, why", [
    ("BENCH {\"name\": \"x\", \"unit\": \"instructions\", \"p50\": 1\r\n", "not JSON"),
    ("BENCH [1, 2]\r\n", "not a JSON object"),
    (bench_line({k: v for k, v in SYSCALL.items() if k != "p99"}), "missing p99"),
    (bench_line({**SYSCALL, "name": ""}), "name is not a non-empty string"),
    (bench_line({**SYSCALL, "unit": 3}), "unit is not a non-empty string"),
    (bench_line({**SYSCALL, "p50": "112"}), "p50 is not a non-negative number"),
    (bench_line({**SYSCALL, "max": -1}), "max is not a non-negative number"),
    (bench_line({**SYSCALL, "samples": True}), "samples is not a positive integer"),
    (bench_line({**SYSCALL, "samples": 0}), "samples is not a positive integer"),
    (bench_line({**SYSCALL, "p50": 200}), "p50 <= p99 <= max does not hold"),
    ("BENCH {\"name\": \"x\", \"unit\": \"u\", \"p50\": NaN, \"p99\": 1, \"max\": 1, \"samples\": 1}\r\n",
     "p50 is not a non-negative number"),
])
def test_bad_bench_lines_are_problems(line, why):
    results, problems = run_bench.parse_bench_lines(serial(bench_line(IPC), line))
    assert results == [{**IPC, "source": "qemu-icount"}]
    assert len(problems) == 1 and problems[0].startswith("line 5: " + why), problems


def test_bench_line_rules():
    results, problems = run_bench.parse_bench_lines(serial(bench_line(SYSCALL), bench_line(SYSCALL)))
    assert len(results) == 1 and problems == ["line 5: 'syscall_null' reported twice"]
    # Only lines that start with the prefix count; extra fields are kept.
    text = serial("kprintf: BENCH " + json.dumps(SYSCALL) + "\r\n", bench_line({**IPC, "cpu": 0}))
    results, problems = run_bench.parse_bench_lines(text)
    assert problems == [] and [r["name"] for r in results] == ["ipc_call_reply"] and results[0]["cpu"] == 0


def test_host_output_is_one_object_per_line():
    out = "host bench: format\n" + json.dumps(SYSCALL) + "\n\n" + json.dumps(IPC) + "\n"
    results, problems = run_bench.parse_host_output(out)
    assert problems == [] and [r["source"] for r in results] == ["host", "host"]
    assert run_bench.parse_host_output("{oops\n")[1][0].startswith("line 1: not JSON")


# --- the boot's verdict -------------------------------------------------------------------------------

DONE = BootOutcome(33, False, 12.0)


def test_complete_boot_counts():
    results, problems = run_bench.evaluate_kernel_log(serial(bench_line(SYSCALL), bench_line(IPC)), DONE)
    assert problems == [] and len(results) == 2


def test_boot_failures_are_named():
    def problems(text, outcome=DONE):
        return run_bench.evaluate_kernel_log(text, outcome)[1]

    good = serial(bench_line(SYSCALL))
    assert problems(serial(bench_line(SYSCALL), done=False)) == ["no 'bench: done' line"]
    assert problems(good, BootOutcome(35, False, 1.0)) == [
        "QEMU exit status 35 (kernel tests failed), expected 33"]
    assert problems(good, BootOutcome(None, True, 600.0)) == [
        "timed out after 600 s (last serial line: 'bench: done')"]
    panicked = serial(bench_line(SYSCALL), "KERNEL PANIC: out of memory\r\n", done=False)
    assert problems(panicked, BootOutcome(37, False, 1.0)) == [
        "kernel panic: KERNEL PANIC: out of memory", "QEMU exit status 37 (kernel panic), expected 33"]
    hung = serial(bench_line(SYSCALL), "kernel: boot complete, idling\r\n", done=False)
    assert problems(hung, BootOutcome(None, True, 600.0)) == [
        "timed out after 600 s (last serial line: 'kernel: boot complete, idling')"]
    assert problems(serial()) == ["no BENCH lines"]
    assert problems("", BootOutcome(1, False, 0.1, "qemu: bad option")) == [
        "no 'bench: done' line", "QEMU exit status 1 (QEMU error): qemu: bad option, expected 33"]
    timed = problems(serial(bench_line({**SYSCALL, "unit": "ns"})))
    assert len(timed) == 1 and "unit 'ns' is a time" in timed[0]


# --- host benchmark binaries -------------------------------------------------------------------------


def write_script(path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


def test_host_benchmarks_run_and_fail_loudly(tmp_path, capsys):
    missing = run_bench.run_host_benchmarks(str(tmp_path / "none"), str(tmp_path / "logs"), 10)
    assert missing.results == [] and missing.errors == []
    assert "does not exist (built by `make host-bench`)" in capsys.readouterr().out

    bins = tmp_path / "host"
    bins.mkdir()
    write_script(bins / "bench_ok", f"echo 'bench: warming up'\necho '{json.dumps(SYSCALL)}'\n")
    write_script(bins / "bench_exit", f"echo '{json.dumps(IPC)}'\nexit 2\n")
    write_script(bins / "bench_silent", "echo nothing\n")
    (bins / "bench_ok.o").write_text("")
    (bins / "README").write_text("not executable")
    got = run_bench.run_host_benchmarks(str(bins), str(tmp_path / "logs"), 10)
    assert [(r["name"], r["source"], r["binary"]) for r in got.results] == [
        ("ipc_call_reply", "host", "bench_exit"), ("syscall_null", "host", "bench_ok")]
    assert [e.split(" (log: ")[0] for e in got.errors] == [
        "host benchmark bench_exit: exit status 2", "host benchmark bench_silent: printed no results"]
    assert (tmp_path / "logs" / "host" / "bench_ok.log").read_text().startswith("bench: warming up")


# --- ELF size -----------------------------------------------------------------------------------------------


def tiny_elf(segments: list[tuple[int, int]]) -> bytes:
    """An ELF64 header and one program header per (p_type, p_memsz)."""
    phoff = 64
    header = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9, 2, 62, 1, 0x1000, phoff, 0, 0,
                         64, 56, len(segments), 64, 0, 0)
    phdrs = b"".join(struct.pack("<IIQQQQQQ", t, 5, 0, 0, 0, 0, size, 0x1000) for t, size in segments)
    return header + phdrs


def test_elf_size_counts_only_load_segments(tmp_path):
    path = tmp_path / "k.elf"
    path.write_bytes(tiny_elf([(1, 0x3000), (4, 0x100), (1, 0x10DD0), (0x6474E551, 0)]))
    assert run_bench.elf_loaded_bytes(str(path)) == 0x3000 + 0x10DD0
    result = run_bench.static_results(str(path)).results[0]
    assert result == {"name": "kernel_image_size", "unit": "KiB", "p50": 79.5, "p99": 79.5, "max": 79.5,
                      "samples": 1, "source": "static", "bytes": 0x13DD0}
    for data, why in ((b"\x7fELF", "too short"), (b"MZ" + bytes(100), "not an ELF"),
                      (tiny_elf([(1, 1)])[:70], "outside the file")):
        path.write_bytes(data)
        with pytest.raises(ValueError, match=why):
            run_bench.elf_loaded_bytes(str(path))
    elf32 = bytearray(tiny_elf([(1, 1)]))
    elf32[4] = 1
    path.write_bytes(bytes(elf32))
    assert "not a little-endian ELF64" in run_bench.static_results(str(path)).errors[0]


KERNEL = os.path.join(run_bench.BUILD, "raecore.elf")


@pytest.mark.skipif(not os.path.isfile(KERNEL) or shutil.which("readelf") is None,
                    reason="build/raecore.elf or readelf missing")
def test_kernel_size_agrees_with_readelf():
    out = subprocess.run(["readelf", "-lW", KERNEL], capture_output=True, text=True, check=True).stdout
    memsz = [int(line.split()[5], 16) for line in out.splitlines() if line.split()[:1] == ["LOAD"]]
    assert memsz and run_bench.elf_loaded_bytes(KERNEL) == sum(memsz)


# --- table and JSON -----------------------------------------------------------------------------------------


def test_table_is_aligned_with_unit_footer():
    rows = [{**SYSCALL, "source": "qemu-icount"}, {**IPC, "source": "host"},
            {"name": "kernel_image_size", "unit": "KiB", "p50": 167.3, "p99": 167.3, "max": 167.3, "samples": 1,
             "source": "static"}]
    lines = run_bench.format_table(rows).splitlines()
    assert lines[0].split() == ["name", "unit", "p50", "p99", "max", "samples", "source"]
    assert lines[2].split() == ["syscall_null", "instructions", "112", "130", "410", "10000", "qemu-icount"]
    assert lines[3].split()[2] == "845.5" and lines[4].split()[2] == "167.3"
    # Numbers are right-aligned under their headers.
    for col in ("p50", "max", "samples"):
        end = lines[0].index(col) + len(col)
        assert all(re.match(r"\S", row[end - 1]) and (len(row) == end or row[end] == " ") for row in lines[2:5])
    footer = "\n".join(lines[5:])
    assert "'instructions' figures are instructions executed, not time" in footer and "p_memsz" in footer


def test_main_writes_json_and_table(tmp_path, capsys):
    kernel = tmp_path / "k.elf"
    kernel.write_bytes(tiny_elf([(1, 2048)]))
    bins = tmp_path / "host"
    bins.mkdir()
    write_script(bins / "bench_ok", f"echo '{json.dumps(SYSCALL)}'\n")
    out = tmp_path / "bench.json"
    args = ["--no-qemu", "--no-linux", "--kernel", str(kernel), "--host-bench", str(bins),
            "--logs", str(tmp_path / "logs"), "--out", str(out)]
    assert run_bench.main(args) == 0
    data = json.loads(out.read_text())
    assert [(r["name"], r["source"]) for r in data["results"]] == [
        ("syscall_null", "host"), ("kernel_image_size", "static")]
    assert data["errors"] == [] and data["comparisons"] == []
    assert "kernel_image_size  KiB" in capsys.readouterr().out
    write_script(bins / "bench_bad", "exit 1\n")
    assert run_bench.main(args) == 1
    assert json.loads(out.read_text())["errors"][0].startswith("host benchmark bench_bad: exit status 1")


# --- end to end against a fake kernel ----------------------------------------------------------------------

FAKE_KERNEL = r"""
	.section .mb2, "a"
	.balign 8
mb2_start:
	.long 0xe85250d6, 0, mb2_end - mb2_start, -(0xe85250d6 + (mb2_end - mb2_start))
	.short 0, 0
	.long 8
mb2_end:
	.text
	.code32
	.globl _start
_start:
	mov $msg, %esi
1:	lodsb
	test %al, %al
	jz 2f
	mov $0x3f8, %dx
	outb %al, %dx
	jmp 1b
2:	mov $0x10, %al
	mov $0xf4, %dx
	outb %al, %dx
3:	cli
	hlt
	jmp 3b
	.data
msg:
	.ascii "RaeenOS fake\r\n"
	.ascii "BENCH {\"name\": \"syscall_null\", \"unit\": \"instructions\", \"p50\": 1, \"p99\": 2, \"max\": 3, \"samples\": 9}\r\n"
	.asciz "bench: done\r\n"
"""
FAKE_LDS = "ENTRY(_start)\nSECTIONS { . = 0x200000; .mb2 : { *(.mb2) } .text : { *(.text) } .data : { *(.data) } }\n"


@pytest.mark.skipif(any(shutil.which(t) is None for t in ("gcc", "ld", "grub-mkrescue", "qemu-system-x86_64")),
                    reason="needs gcc, ld, grub-mkrescue and QEMU")
def test_fake_kernel_end_to_end(tmp_path, capsys):
    """A throwaway multiboot2 kernel that prints one BENCH line and exits with 0x10, booted under -icount."""
    (tmp_path / "fake.S").write_text(FAKE_KERNEL)
    (tmp_path / "fake.ld").write_text(FAKE_LDS)
    kernel, initrd, out = tmp_path / "fake.elf", tmp_path / "initrd.tar", tmp_path / "bench.json"
    subprocess.run(["gcc", "-c", str(tmp_path / "fake.S"), "-o", str(tmp_path / "fake.o")], check=True)
    subprocess.run(["ld", "-m", "elf_x86_64", "-nostdlib", "--no-warn-rwx-segments", "-T", str(tmp_path / "fake.ld"),
                    "-o", str(kernel), str(tmp_path / "fake.o")], check=True)
    initrd.write_bytes(bytes(10240))  # an empty tar
    status = run_bench.main(["--no-linux", "--no-system", "--kernel", str(kernel), "--test-initrd", str(initrd),
                             "--host-bench", str(tmp_path / "none"), "--logs", str(tmp_path / "logs"),
                             "--isos", str(tmp_path / "isos"), "--out", str(out), "--timeout", "60"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    results = json.loads(out.read_text())["results"]
    assert [(r["name"], r["source"]) for r in results] == [("syscall_null", "qemu-icount"),
                                                           ("kernel_image_size", "static")]
    assert "BENCH" in (tmp_path / "logs" / f"bench-{run_bench.PLATFORM.name}.log").read_text()


# --- the Linux peer's boot ---------------------------------------------------------------------------------

GETPID = {"name": "linux.getpid", "unit": "instructions", "p50": 344, "p99": 344, "max": 40019, "samples": 10000}
POWERED_OFF = BootOutcome(0, False, 12.0)


def linux_serial(*lines: str, done: bool = True) -> str:
    raw = ("[    0.000000] Linux version 6.1.0-56-amd64\r\n[    1.715600] clocksource: Switched to clocksource tsc\r\n"
           "linux-peer: Linux 6.1.0-56-amd64, 1 CPU(s), clocksource tsc\r\n" + "".join(lines))
    return clean_text(raw + ("peer_bench: done\r\nlinux-peer: done\r\n[    2.037387] reboot: Power down\r\n"
                             if done else ""))


def test_linux_log_counts_when_powered_off_after_done():
    results, problems = run_bench.evaluate_linux_log(linux_serial(bench_line(GETPID)), POWERED_OFF)
    assert problems == [] and results == [{**GETPID, "source": "linux-icount"}]


def test_linux_boot_failures_are_named():
    def problems(text, outcome=POWERED_OFF):
        return run_bench.evaluate_linux_log(text, outcome)[1]

    good = linux_serial(bench_line(GETPID))
    assert problems(linux_serial(bench_line(GETPID), done=False)) == ["no 'linux-peer: done' line"]
    assert problems(good, BootOutcome(1, False, 1.0, "qemu: could not load kernel")) == [
        "QEMU exit status 1 (QEMU error): qemu: could not load kernel, expected 0 (power off)"]
    hung = linux_serial("[    0.400000] smpboot: Allowing 2 CPUs\r\n", done=False)
    assert problems(hung, BootOutcome(None, True, 600.0)) == [
        "timed out after 600 s (last serial line: '[    0.400000] smpboot: Allowing 2 CPUs')"]
    panicked = linux_serial("[    0.9] Kernel panic - not syncing: No working init found.\r\n", done=False)
    assert problems(panicked) == ["Linux panic: Kernel panic - not syncing: No working init found."]
    failed = linux_serial(bench_line(GETPID), "peer_bench: FAIL linux.pipe_round_trip: fork: Out of memory\r\n",
                          "linux-peer: peer_bench failed with status 1\r\n", done=False)
    assert problems(failed) == ["peer_bench: FAIL linux.pipe_round_trip: fork: Out of memory",
                                "linux-peer: peer_bench failed with status 1"]
    assert problems(linux_serial()) == ["no BENCH lines"]
    assert problems(linux_serial(bench_line(SYSCALL))) == ["'syscall_null': not named linux.*"]
    timed = problems(linux_serial(bench_line({**GETPID, "unit": "us"})))
    assert len(timed) == 1 and "unit 'us' is a time" in timed[0]


# --- RaeenOS vs Linux ----------------------------------------------------------------------------------------


def result(name: str, p50, source: str) -> dict:
    return {"name": name, "unit": "instructions", "p50": p50, "p99": p50, "max": p50, "samples": 10000,
            "source": source}


ALL_PAIRS = ([result(raeen, 100 * (i + 1), "qemu-icount") for i, (raeen, _) in enumerate(run_bench.COMPARISONS)]
             + [result(linux, 400, "linux-icount") for _, linux in run_bench.COMPARISONS])


def test_comparisons_pair_each_benchmark_with_its_linux_counterpart():
    assert [pair[1] for pair in run_bench.COMPARISONS] == [
        "linux.getpid", "linux.pipe_round_trip", "linux.futex_ping_pong", "linux.sched_yield_ping_pong"]
    rows, errors = run_bench.compare(ALL_PAIRS + [result("kernel_ipi_round_trip", 402, "qemu-icount")])
    assert errors == []
    assert [(r["raeen"], r["linux"], r["raeen_p50"], r["linux_p50"], r["ratio"]) for r in rows] == [
        ("user_null_syscall_round_trip", "linux.getpid", 100, 400, 0.25),
        ("user_ipc_register_call_reply_one_core", "linux.pipe_round_trip", 200, 400, 0.5),
        ("user_notify_ping_pong", "linux.futex_ping_pong", 300, 400, 0.75),
        ("user_yield_ping_pong", "linux.sched_yield_ping_pong", 400, 400, 1.0)]
    # p50 over p50, rounded to three places: the figures of a real run.
    rows, _ = run_bench.compare([result("user_null_syscall_round_trip", 158, "qemu-icount"),
                                 result("linux.getpid", 344, "linux-icount"),
                                 result("user_ipc_register_call_reply_one_core", 2604, "qemu-icount"),
                                 result("linux.pipe_round_trip", 12745, "linux-icount")])
    assert [r["ratio"] for r in rows[:2]] == [0.459, 0.204]


def test_a_missing_counterpart_is_an_error_not_a_dropped_row():
    kept = [r for r in ALL_PAIRS if r["name"] not in ("user_notify_ping_pong", "linux.sched_yield_ping_pong")]
    # A host result of the same name is not the RaeenOS guest's.
    rows, errors = run_bench.compare(kept + [result("user_notify_ping_pong", 5, "host")])
    assert len(rows) == 4 and [r["ratio"] is None for r in rows] == [False, False, True, True]
    assert rows[2]["raeen_p50"] is None and rows[2]["linux_p50"] == 400 and rows[3]["linux_p50"] is None
    assert errors == [
        "comparison user_notify_ping_pong vs linux.futex_ping_pong: no RaeenOS result user_notify_ping_pong",
        "comparison user_yield_ping_pong vs linux.sched_yield_ping_pong: no Linux result linux.sched_yield_ping_pong"]
    rows, errors = run_bench.compare([])
    assert len(errors) == 4 and errors[0].endswith("no RaeenOS result user_null_syscall_round_trip, "
                                                   "no Linux result linux.getpid")
    zero = [r if r["name"] != "linux.getpid" else {**r, "p50": 0} for r in ALL_PAIRS]
    rows, errors = run_bench.compare(zero)
    assert rows[0]["ratio"] is None and errors == [
        "comparison user_null_syscall_round_trip vs linux.getpid: the Linux p50 of linux.getpid is 0"]


def test_comparison_table_shows_missing_rows():
    rows, _ = run_bench.compare([r for r in ALL_PAIRS if r["name"] != "user_yield_ping_pong"])
    lines = run_bench.format_comparison(rows).splitlines()
    assert lines[0].startswith("RaeenOS vs Linux")
    assert lines[1].split() == ["RaeenOS", "p50", "Linux", "p50", "RaeenOS/Linux"]
    assert lines[3].split() == ["user_null_syscall_round_trip", "100", "linux.getpid", "400", "0.250"]
    assert lines[6].split() == ["user_yield_ping_pong", "missing", "linux.sched_yield_ping_pong", "400", "missing"]
    assert len({len(line) for line in lines[1:7]}) == 1  # every cell right-aligned to the ratio column
    assert "below 1, RaeenOS does the job in fewer instructions" in lines[7]


def test_main_runs_the_linux_peer_after_the_kernel_and_compares(tmp_path, capsys, monkeypatch):
    kernel = tmp_path / "k.elf"
    kernel.write_bytes(tiny_elf([(1, 2048)]))
    order = []

    def fake_kernel(*args):
        order.append("raeen")
        return run_bench.Collected([r for r in ALL_PAIRS if r["source"] == "qemu-icount"
                                    and r["name"] != "user_yield_ping_pong"])

    def fake_linux(peer_dir, logs, timeout):
        order.append("linux")
        assert timeout == 99
        return run_bench.Collected([r for r in ALL_PAIRS if r["source"] == "linux-icount"])

    monkeypatch.setattr(run_bench, "run_kernel_benchmarks", fake_kernel)
    monkeypatch.setattr(run_bench, "run_linux_peer", fake_linux)
    monkeypatch.setattr(run_bench, "run_system_benchmarks", lambda *args: run_bench.Collected())
    out = tmp_path / "bench.json"
    args = ["--no-host", "--kernel", str(kernel), "--out", str(out), "--linux-timeout", "99"]
    assert run_bench.main(args) == 1
    assert order == ["raeen", "linux"]
    captured = capsys.readouterr()
    assert "RaeenOS vs Linux" in captured.out and "linux-icount: Debian's Linux 6.1" in captured.out
    assert "no RaeenOS result user_yield_ping_pong" in captured.err
    data = json.loads(out.read_text())
    assert [c["ratio"] for c in data["comparisons"]] == [0.25, 0.5, 0.75, None]
    assert data["errors"] == ["comparison user_yield_ping_pong vs linux.sched_yield_ping_pong: "
                              "no RaeenOS result user_yield_ping_pong"]
    # --no-linux: no peer, no table, no error.
    order.clear()
    assert run_bench.main(args + ["--no-linux"]) == 0
    assert order == ["raeen"] and "RaeenOS vs Linux" not in capsys.readouterr().out
    assert json.loads(out.read_text())["comparisons"] == []


def test_linux_peer_failing_to_fetch_is_a_clear_error(tmp_path, monkeypatch):
    def no_network(peer_dir):
        raise run_bench.linux_peer.PeerError("tools/apt-private cache depends linux-image-amd64 failed "
                                             "(no network or no Debian mirror?): E: Could not resolve host")

    monkeypatch.setattr(run_bench.linux_peer, "prepare", no_network)
    got = run_bench.run_linux_peer(str(tmp_path / "peer"), str(tmp_path / "logs"), 10)
    assert got.results == [] and got.errors == [
        "linux peer: tools/apt-private cache depends linux-image-amd64 failed (no network or no Debian mirror?): "
        "E: Could not resolve host"]


def test_system_output_is_parsed():
    text = ("/ $ bench boot\nboot_to_prompt 812345678 ticks\nboot_reset_to_kernel 300000000 ticks\n"
            "boot_kernel_to_first_process 12345678 ticks\nboot_first_process_to_prompt 500000000 ticks\n"
            "/ $ free -k\n"
            "               total         used         free       kernel\n"
            "Mem:          523768        35744       488024          212\n"
            "/ $ bench vfs 5\nvfs_read 1048576 bytes in 9000000 ticks: 116 bytes per 1000 ticks\n/ $ ")
    results, problems = run_bench.parse_system_output(text)
    # A kernel from before the breakdown: the figures count, the missing lines are named.
    assert problems == ["no memory-by-use lines after `free -k`'s Mem: line"]
    by_name = {r["name"]: r for r in results}
    assert by_name["system_boot_to_shell_prompt"]["p50"] == 812345678
    assert [by_name[name]["p50"] for _, name in run_bench.BOOT_PARTS] == [300000000, 12345678, 500000000]
    assert by_name["system_memory_in_use_at_prompt"]["p50"] == 34.9
    assert by_name["system_vfs_read_throughput"]["p50"] == 116
    assert all(run_bench.check_result(r) == "" for r in results)


FREE_BY_USE = ("/ $ free -k\n"
               "               total         used         free       kernel\n"
               "Mem:          523768        36448       487320         3592\n\n"
               "Reserved:               636\nMemFree:             487320\nKernelImage:            708\n"
               "PageDB:                2048\nKernelHeap:             184\nKernelStack:            336\n"
               "PageTables:             316\nKernelOther:              0\nUserImage:              720\n"
               "UserStack:             1024\nUserAnon:               436\nMemObjects:           15020\n"
               "Initrd:               15020\nFramebuffer:              0\n/ $ bench vfs 5\n"
               "vfs_read 1048576 bytes in 9000000 ticks: 116 bytes per 1000 ticks\nMemFree: 1\n/ $ ")


def test_memory_by_use_is_recorded():
    boot = "/ $ bench boot\nboot_to_prompt 5 ticks\n" + "".join(
        f"{line} 1 ticks\n" for line, _ in run_bench.BOOT_PARTS)
    results, problems = run_bench.parse_system_output(boot + FREE_BY_USE)
    assert problems == []
    by_name = {r["name"]: r for r in results}
    assert by_name["system_memory_in_use_at_prompt"]["p50"] == 35.6
    assert by_name["system_memory_use_page_db"]["p50"] == 2048
    assert by_name["system_memory_use_mem_free"]["p50"] == 487320  # the one before the prompt, not after
    assert by_name["system_memory_use_user_stack"]["unit"] == "KiB"
    assert by_name["system_memory_use_kernel_image"]["p50"] == 708
    assert len([n for n in by_name if n.startswith(run_bench.MEMORY_USE_PREFIX)]) == 14
    assert all(run_bench.check_result(r) == "" for r in results)


def test_memory_by_use_must_add_up():
    results, problems = run_bench.parse_system_output(FREE_BY_USE.replace("PageDB:                2048",
                                                                          "PageDB:                2044"))
    assert any("add up to 523764 KiB, not the total 523768 KiB" in p for p in problems)


def test_system_output_names_what_is_missing():
    results, problems = run_bench.parse_system_output("/ $ bench boot\nbench: asking the console: x\n")
    assert results == [] and len(problems) == 3 + len(run_bench.BOOT_PARTS)
