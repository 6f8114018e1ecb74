# The memory runs: boot the default system with -m 128M ... 16G, wait for rsh's prompt on the serial line,
# type `free -k` and check that the total it shows is the machine's memory, less only what firmware keeps.
# QEMU never loses RAM to the PCI hole (it moves the RAM behind it above 4 GiB), so the rule is the same at
# every size: MIN_TOTAL_SHARE of -m <= total <= -m. The memory in use at the prompt is bounded too, so that
# per-page bookkeeping cannot grow out of proportion with the machine.
import re
import time

from console import SerialLink, _wait_for
from results import TestResult
from serial_log import read_log
from shell import BOOT_DONE, COMMAND_TIMEOUT, _wait_prompt

CMDLINE = ""  # the default boot, as for the shell run
SIZES = ("128M", "3G", "4G", "8G", "16G")
COMMAND = "free -k"
# Firmware keeps a few MiB (OVMF most: ~5 % of 128M, well under 1 % of 3G and up).
MIN_TOTAL_SHARE = 0.90
# In use at the prompt: the system itself (~40 MiB) plus bookkeeping that grows with RAM (the page frame
# database is 0.4 % of it), so at most USED_BASE_KIB plus USED_PER_RAM of the memory.
USED_BASE_KIB = 64 * 1024
USED_PER_RAM = 0.02
FREE_LINE = re.compile(r"^Mem:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")
# After it, every page of RAM by use: "Name: KiB" (RAE_MEM_USE_NAMES), adding up to the total.
USE_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9]*):\s+(\d+)\s*$")
UNITS = {"K": 1, "M": 1024, "G": 1024 * 1024, "T": 1024 * 1024 * 1024}


def size_kib(size: str) -> int:
    """KiB in a QEMU -m size such as 512M or 16G (a bare number is MiB, as for QEMU)."""
    m = re.fullmatch(r"(\d+)([KMGT]?)", size.strip().upper())
    if not m:
        raise ValueError(f"not a memory size: {size!r}")
    return int(m.group(1)) * UNITS[m.group(2) or "M"]


def check_free(output: str, size: str) -> tuple[list[str], dict[str, int]]:
    """Problems with `free -k`'s output on a machine with `size` of memory, and the figures it showed (KiB)."""
    rows = [FREE_LINE.match(line.strip()) for line in output.split("\n")]
    rows = [m for m in rows if m]
    if not rows:
        shown = " | ".join(output.strip().split("\n")[:4])[:200]
        return [f"{COMMAND!r}: no 'Mem:' line (output: {shown!r})"], {}
    total, used, free, kernel = (int(g) for g in rows[0].groups())
    figures = {"total": total, "used": used, "free": free, "kernel": kernel}
    ram = size_kib(size)
    problems = []
    if total < MIN_TOTAL_SHARE * ram:
        problems.append(f"total {total} KiB is less than {MIN_TOTAL_SHARE:.0%} of -m {size} ({ram} KiB)")
    if total > ram:
        problems.append(f"total {total} KiB is more than -m {size} ({ram} KiB)")
    if used + free != total:
        problems.append(f"used {used} + free {free} KiB is not the total {total} KiB")
    uses = {m.group(1): int(m.group(2)) for m in (USE_LINE.match(line.strip()) for line in output.split("\n")) if m}
    figures["uses"] = uses
    if not uses:
        problems.append("no memory-by-use lines after the Mem: line")
    elif sum(uses.values()) != total:
        problems.append(f"the memory-by-use lines add up to {sum(uses.values())} KiB, not the total {total} KiB")
    elif uses.get("MemFree") != free:
        problems.append(f"MemFree {uses.get('MemFree')} KiB is not the free {free} KiB")
    limit = USED_BASE_KIB + int(USED_PER_RAM * ram)
    if used > limit:
        problems.append(f"{used} KiB in use at the prompt, more than {limit} KiB "
                        f"({USED_BASE_KIB // 1024} MiB + {USED_PER_RAM:.0%} of -m {size})")
    if kernel > used:
        problems.append(f"kernel {kernel} KiB is more than used {used} KiB")
    return problems, figures


def run_memory(run, iso: str, log: str, timeout: float, boot_cls) -> list[TestResult]:
    problems: list[str] = []
    figures: dict[str, int] = {}
    prompt_at = 0.0
    with boot_cls(run.platform, iso, log, serial_socket=True) as boot:
        deadline = time.monotonic() + timeout
        link = SerialLink(boot.serial_socket, log)
        try:
            got = None
            if _wait_for(boot, log, BOOT_DONE, deadline) and _wait_for(boot, log, "$ ", deadline):
                prompt_at = boot.elapsed()
                time.sleep(0.5)  # the manager's last lines may follow the first prompt
                start = len(read_log(log))
                link.send(b"\r")
                got = _wait_prompt(boot, log, start, min(deadline, time.monotonic() + COMMAND_TIMEOUT))
            if got is None:
                problems.append("no shell prompt after boot")
            else:
                link.send(COMMAND.encode() + b"\r")
                got = _wait_prompt(boot, log, got[1], min(deadline, time.monotonic() + COMMAND_TIMEOUT))
                if got is None:
                    problems.append(f"{COMMAND!r}: no prompt after it")
                else:
                    found, figures = check_free(got[0], run.platform.memory)
                    problems += found
        except OSError as e:
            problems.append(f"{type(e).__name__}: {e}")
        finally:
            link.close()
    # Leaving the block ended QEMU: nothing more is needed from this boot.
    text = read_log(log)
    if "KERNEL PANIC" in text:
        line = next((x.strip() for x in text.split("\n") if "KERNEL PANIC" in x), "")
        problems.append(f"kernel panic: {line}")
    if problems:
        return [TestResult(run.name, False, "; ".join(problems[:4]), log)]
    return [TestResult(run.name, True,
                       f"free -k: total {figures['total']} KiB, used {figures['used']} KiB "
                       f"(kernel {figures['kernel']}); prompt after {prompt_at:.1f} s")]
