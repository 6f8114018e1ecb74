# The PCI run: boots RaeenOS as `make run` does, types `lspci` at the shell and compares what it prints
# with what QEMU itself says it has (QMP query-pci, the data behind the monitor's `info pci`): the same
# functions, vendor and device IDs, class, BAR addresses and sizes, expansion ROM sizes and interrupt
# pins and lines. It also checks that names came from the packed pci.ids and that the PCI service said
# how many functions it found, that after `services kill pci` the restarted service lists the same, and
# runs bin/pcitest (the protocol's error paths from a client).
import re
import time

from console import SerialLink, _wait_for
from qmp import QmpClient, QmpError
from results import TestResult
from serial_log import read_log
from shell import BOOT_DONE, _wait_prompt

CMDLINE = ""  # the default boot: bin/init with etc/services
COMMAND_TIMEOUT = 60.0  # lspci prints a few lines per function over a 115200-baud serial line
UNMAPPED = 0xFFFFFFFFFFFFFFFF  # QEMU's address of a BAR that does not decode

HEAD_RE = re.compile(r"^(?:([0-9a-f]{4}):)?([0-9a-f]{2}):([0-9a-f]{2})\.([0-7]) (.*) \[([0-9a-f]{4})\]: "
                     r"(.*)\[([0-9a-f]{4}):([0-9a-f]{4})\] \(rev ([0-9a-f]{2})")
BAR_RE = re.compile(r"^\tBAR(\d): (Memory|I/O ports) at ([0-9a-f]+)(.*) \[size=(\d+)([KMGT]?)\]$")
ROM_RE = re.compile(r"^\tExpansion ROM at ([0-9a-f]+)(.*) \[size=(\d+)([KMGT]?)\]$")
IRQ_RE = re.compile(r"^\tInterrupt: (?:INTx pin ([A-D]), (?:line (\d+)|no line assigned)|none)")
SERVICE_RE = re.compile(r"pcid: (\d+) functions on (\d+) bus(?:es)? through (ECAM|the ports)")
PCITEST_RE = re.compile(r"pcitest: (\d+) checks, (\d+) failed")
UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_lspci(output: str) -> dict:
    """{(bus, device, function): {...}} from lspci's output (segment 0 only, as QEMU reports)."""
    functions: dict = {}
    current = None
    for raw in output.split("\n"):
        line = raw.rstrip("\r")
        m = HEAD_RE.match(line)
        if m:
            key = (int(m[2], 16), int(m[3], 16), int(m[4]))
            current = {"class": int(m[6], 16), "names": m[7].strip(), "vendor": int(m[8], 16),
                       "device": int(m[9], 16), "bars": {}, "rom": None, "pin": 0, "line": None,
                       "segment": int(m[1], 16) if m[1] else 0}
            functions[key] = current
            continue
        if current is None:
            continue
        if m := BAR_RE.match(line):
            current["bars"][int(m[1])] = {"io": m[2] == "I/O ports", "address": int(m[3], 16),
                                          "size": int(m[5]) * UNITS[m[6]]}
        elif m := ROM_RE.match(line):
            current["rom"] = {"address": int(m[1], 16), "size": int(m[3]) * UNITS[m[4]]}
        elif m := IRQ_RE.match(line):
            current["pin"] = " ABCD".index(m[1]) if m[1] else 0
            current["line"] = int(m[2]) if m[2] else None
    return functions


def qemu_functions(buses: list) -> dict:
    """{(bus, device, function): QEMU's device record} from query-pci, bridges' buses included."""
    found = {}

    def walk(devices):
        for d in devices:
            found[(d["bus"], d["slot"], d["function"])] = d
            bridge = d.get("pci_bridge")
            if bridge:
                walk(bridge.get("devices", []))

    for bus in buses:
        walk(bus.get("devices", []))
    return found


def compare(lspci: dict, qemu: dict) -> list[str]:
    """Problems: every difference between lspci's functions and QEMU's."""
    problems = []
    name = lambda key: f"{key[0]:02x}:{key[1]:02x}.{key[2]}"  # noqa: E731
    for key in sorted(set(qemu) - set(lspci)):
        problems.append(f"{name(key)}: QEMU has it, lspci does not")
    for key in sorted(set(lspci) - set(qemu)):
        problems.append(f"{name(key)}: lspci lists it, QEMU does not have it")
    for key in sorted(set(lspci) & set(qemu)):
        ours, theirs = lspci[key], qemu[key]
        where = name(key)
        if (ours["vendor"], ours["device"]) != (theirs["id"]["vendor"], theirs["id"]["device"]):
            problems.append(f"{where}: IDs {ours['vendor']:04x}:{ours['device']:04x}, QEMU "
                            f"{theirs['id']['vendor']:04x}:{theirs['id']['device']:04x}")
        if ours["class"] != theirs["class_info"]["class"]:
            problems.append(f"{where}: class {ours['class']:04x}, QEMU {theirs['class_info']['class']:04x}")
        regions = {r["bar"]: r for r in theirs.get("regions", [])}
        for bar in sorted(set(regions) | set(ours["bars"]) | ({6} if ours["rom"] else set())):
            r = regions.get(bar)
            mine = ours["rom"] if bar == 6 else ours["bars"].get(bar)
            label = "ROM" if bar == 6 else f"BAR{bar}"
            if r is None or mine is None:
                problems.append(f"{where}: {label} " + ("only in lspci" if r is None else "missing in lspci"))
                continue
            if mine["size"] != r["size"]:
                problems.append(f"{where}: {label} size {mine['size']:#x}, QEMU {r['size']:#x}")
            if r["address"] & UNMAPPED != UNMAPPED and mine["address"] != r["address"]:
                problems.append(f"{where}: {label} at {mine['address']:#x}, QEMU {r['address']:#x}")
            if bar != 6 and mine["io"] != (r["type"] == "io"):
                problems.append(f"{where}: {label} type differs from QEMU's {r['type']}")
        pin = theirs.get("irq_pin", 0)
        if ours["pin"] != pin:
            problems.append(f"{where}: interrupt pin {ours['pin']}, QEMU {pin}")
        elif pin and "irq" in theirs and ours["line"] != theirs["irq"] and \
                not (ours["line"] is None and theirs["irq"] in (0, 255)):
            problems.append(f"{where}: interrupt line {ours['line']}, QEMU {theirs['irq']}")
        if ours["vendor"] == 0x8086 and "Intel Corporation" not in ours["names"]:
            problems.append(f"{where}: no vendor name from pci.ids ({ours['names']!r})")
    return problems


def _type(boot, link, log: str, start: int, command: str, deadline: float, settle: str = ""):
    """Types command; returns (its output, end offset) at the next prompt, or None.

    With settle, waits for that text after the command (lines a restarted service prints after the
    prompt came back) and asks for a fresh prompt.
    """
    typed_at = len(read_log(log))
    link.send(command.encode() + b"\r")
    step_deadline = min(deadline, time.monotonic() + COMMAND_TIMEOUT)
    if settle:
        while settle not in read_log(log)[typed_at:] and time.monotonic() < step_deadline and boot.running():
            time.sleep(0.1)
        time.sleep(1)
        link.send(b"\r")
    got = _wait_prompt(boot, log, start, step_deadline)
    return got


def _lspci_of(got, what: str, problems: list[str]) -> dict:
    if got is None:
        problems.append(f"{what}: no prompt after it")
        return {}
    found = parse_lspci(got[0])
    if not found:
        shown = " | ".join(got[0].split("\n")[:4])[:200]
        problems.append(f"{what} printed no functions (output: {shown!r})")
    return found


def run_pci(run, iso: str, log: str, logs_dir: str, timeout: float, boot_cls) -> list[TestResult]:
    del logs_dir
    problems: list[str] = []
    lspci: dict = {}
    with boot_cls(run.platform, iso, log, with_qmp=True, serial_socket=True) as boot:
        deadline = time.monotonic() + timeout
        link = SerialLink(boot.serial_socket, log)
        try:
            got = None
            if _wait_for(boot, log, BOOT_DONE, deadline) and _wait_for(boot, log, "$ ", deadline):
                time.sleep(0.5)
                start = len(read_log(log))
                link.send(b"\r")
                got = _wait_prompt(boot, log, start, min(deadline, time.monotonic() + 30))
            if got is None:
                problems.append("no shell prompt after boot")
            else:
                got = _type(boot, link, log, got[1], "lspci", deadline)
                lspci = _lspci_of(got, "lspci", problems)
                # Killed, the service comes back, enumerates again (sizing the BARs of devices
                # in use once more) and must find the same.
                if got:
                    got = _type(boot, link, log, got[1], "services kill pci", deadline, settle="pcid: ")
                if got:
                    got = _type(boot, link, log, got[1], "lspci", deadline)
                    again = _lspci_of(got, "lspci after a restart", problems)
                    if lspci and again and again != lspci:
                        problems.append("lspci after `services kill pci` differs from the first")
                # The protocol's error paths from a client (apps/libc/pcitest.c).
                if got:
                    got = _type(boot, link, log, got[1], "pcitest", deadline)
                    said = PCITEST_RE.search(got[0]) if got else None
                    if not said or said[2] != "0":
                        shown = [line.strip() for line in (got[0] if got else "").split("\n")
                                 if "pcitest:" in line][:3]
                        problems.append(f"pcitest: {' | '.join(shown) or 'no result'}")
            with QmpClient(boot.qmp_socket) as qmp:
                buses = qmp.execute("query-pci")
                qmp.execute("quit")
            if lspci:
                problems += compare(lspci, qemu_functions(buses))
        except (QmpError, OSError) as e:
            problems.append(f"{type(e).__name__}: {e}")
        finally:
            boot.wait(time.monotonic() + 5)
            link.close()
    text = read_log(log)
    if "PANIC" in text or "panic:" in text:
        problems.append("the kernel panicked")
    said = SERVICE_RE.search(text)
    if not said:
        problems.append("pcid did not say how many functions it found")
    elif lspci and int(said[1]) != len(lspci):
        problems.append(f"pcid found {said[1]} functions, lspci printed {len(lspci)}")
    if problems:
        shown = "; ".join(problems[:4]) + (f"; and {len(problems) - 4} more" if len(problems) > 4 else "")
        return [TestResult(run.name, False, shown, log)]
    how = said[3] if said else "?"
    return [TestResult(run.name, True, f"lspci matches QEMU: {len(lspci)} functions through {how}")]
