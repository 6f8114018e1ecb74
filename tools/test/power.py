# The power runs (issue 13): boot the system as `make run` does, read the PCI interrupt routes the
# ACPI service (bin/acpid, ACPICA) evaluated from the root bridge's _PRT and a few tables it hands
# out (bin/acpitable), then turn the machine off
# with `poweroff` or the ACPI power button (QMP system_powerdown), or restart it with `reboot`.
# A power-off must end QEMU through S5: QMP's SHUTDOWN event says "guest-shutdown" (a crash, a
# triple fault or a reset under -no-reboot says "guest-reset", a panic exits with 37), after the
# service manager stopped every other service. A reboot must boot the kernel a second time.
import os
import re
import time

from console import SerialLink, _wait_for
from qmp import QmpClient, QmpError
from results import TestResult
from serial_log import read_log
from shell import BOOT_DONE, COMMAND_TIMEOUT, _wait_prompt, check_output

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CMDLINE = ""  # the default boot: bin/init with etc/services, acpid among them
ACPI_READY = "acpid: ACPI mode on"
POWER_OFF = "off"  # `poweroff` at the shell
POWER_BUTTON = "button"  # QMP system_powerdown: the ACPI power button
REBOOT = "reboot"  # `reboot` at the shell, with QEMU told to reset rather than exit

ROUTE_RE = re.compile(r"^acpi-route (\w\w):(\w\w) INT([A-D]) gsi=(\d+) link=(\S+) (level|edge) (high|low)")
# The console service is among those stopped, so a line printed while it goes may be cut short;
# these come after it ended, from the kernel's own console.
SHUTDOWN_LINES = ("servicemgr: every service stopped", "acpid: entering S5")


def parse_routes(output: str) -> list[dict]:
    routes = []
    for line in output.split("\n"):
        m = ROUTE_RE.search(line.strip())
        if m:
            routes.append({"bus": int(m.group(1), 16), "device": int(m.group(2), 16),
                           "pin": "ABCD".index(m.group(3)), "gsi": int(m.group(4)), "link": m.group(5),
                           "level": m.group(6) == "level"})
    return routes


def check_routes(machine: str, routes: list[dict], pci: list[dict]) -> list[str]:
    """Problems with the routes for `machine`, given QEMU's own view of the bus (query-pci)."""
    if len(routes) < 4:
        return [f"only {len(routes)} PCI interrupt routes"]
    problems = []
    if machine == "q35":
        # \_PIC(1): the IOAPIC's GSIs 16-23 through the links GSIA-GSIH, each link its own GSI.
        for r in routes:
            if not 16 <= r["gsi"] <= 23:
                problems.append(f"q35 route {r} is not on GSIs 16-23")
            elif re.fullmatch(r"GSI[A-H]", r["link"]) and r["gsi"] != 16 + "ABCDEFGH".index(r["link"][3]):
                problems.append(f"q35 route {r}: link {r['link']} is not GSI {r['gsi']}")
    else:
        # The PIIX's PIRQ links LNKA-LNKD, set by SeaBIOS to ISA IRQs 5, 9, 10 or 11, and LNKS, the
        # power-management function's (00:01.3) line, which is the SCI's, IRQ 9; the firmware wrote
        # the same IRQ into each device's Interrupt Line, which QEMU reports.
        for r in routes:
            pirq = re.fullmatch(r"LNK[A-D]", r["link"]) and r["gsi"] in (5, 9, 10, 11)
            if not pirq and not (r["link"] == "LNKS" and r["gsi"] == 9):
                problems.append(f"pc route {r} is not a PIRQ link on IRQ 5, 9, 10 or 11, nor LNKS on 9")
        by_slot = {(r["device"], r["pin"]): r for r in routes}
        compared = 0
        for dev in pci:
            pin = dev.get("irq_pin", 0)
            if dev.get("bus", 0) != 0 or not pin or "irq" not in dev:
                continue
            r = by_slot.get((dev["slot"], pin - 1))
            if r is None:
                problems.append(f"no route for 00:{dev['slot']:02x} INT{'ABCD'[pin - 1]}")
            elif r["gsi"] != dev["irq"]:
                problems.append(f"00:{dev['slot']:02x} INT{'ABCD'[pin - 1]}: _PRT says IRQ {r['gsi']}, "
                                f"QEMU's Interrupt Line {dev['irq']}")
            compared += 1
        if compared == 0:
            problems.append("no PCI device with an interrupt pin to compare")
    return problems


def _query_pci(qmp: QmpClient) -> list[dict]:
    devices = []
    for bus in qmp.execute("query-pci"):
        for dev in bus.get("devices", []):
            devices.append({"bus": dev.get("bus", 0), "slot": dev.get("slot"),
                            "irq_pin": dev.get("irq_pin", 0), **({"irq": dev["irq"]} if "irq" in dev else {})})
    return devices


def run_power(run, iso: str, log: str, logs_dir: str, timeout: float, boot_cls) -> list[TestResult]:
    problems: list[str] = []
    said = ""
    with boot_cls(run.platform, iso, log, with_qmp=True, serial_socket=True) as boot:
        deadline = time.monotonic() + timeout
        link = SerialLink(boot.serial_socket, log)
        try:
            with QmpClient(boot.qmp_socket) as qmp:
                got = None
                if _wait_for(boot, log, BOOT_DONE, deadline) and _wait_for(boot, log, ACPI_READY, deadline) \
                        and _wait_for(boot, log, "$ ", deadline):
                    time.sleep(0.5)
                    start = len(read_log(log))
                    link.send(b"\r")
                    got = _wait_prompt(boot, log, start, min(deadline, time.monotonic() + COMMAND_TIMEOUT))
                if got is not None and run.action == POWER_BUTTON:
                    # The power button must work with a restarted service too: its SCI, ports
                    # and ACPI mode taken again by a new instance.
                    got = _restart_acpid(boot, link, log, got[1], deadline)
                    if got is None:
                        problems.append("`services kill acpi`: no new instance ready")
                if got is None:
                    problems.append("no shell prompt with the ACPI service ready")
                elif run.action in (POWER_OFF, POWER_BUTTON):
                    link.send(b"acpiroutes\r")
                    out = _wait_prompt(boot, log, got[1], min(deadline, time.monotonic() + COMMAND_TIMEOUT))
                    if out is None:
                        problems.append("acpiroutes: no prompt after it")
                    else:
                        problems += check_output("acpiroutes", out[0], [r"^acpi-routes: \d+$"])
                        routes = parse_routes(out[0])
                        problems += check_routes(run.platform.machine, routes, _query_pci(qmp))
                        said = f"{len(routes)} _PRT routes and {len(TABLE_STEPS[run.platform.machine])} tables checked; "
                        problems += _check_tables(run, boot, link, log, out[1], deadline)
                if got is not None and not problems:
                    problems += _power(run, boot, qmp, link, log, deadline)
        except (QmpError, OSError) as e:
            problems.append(f"{type(e).__name__}: {e}")
        finally:
            boot.wait(time.monotonic() + 5)
            link.close()
    text = read_log(log)
    if "PANIC" in text or "panic:" in text:
        problems.append("the kernel panicked")
    if problems:
        shown = "; ".join(problems[:4]) + (f"; and {len(problems) - 4} more" if len(problems) > 4 else "")
        return [TestResult(run.name, False, shown, log)]
    done = "rebooted: the kernel booted again" if run.action == REBOOT else \
        "powered off through S5 after the services stopped"
    if run.action == POWER_BUTTON:
        done = "acpid restarted; " + done
    return [TestResult(run.name, True, said + done)]


# Tables a client gets from the service (bin/acpitable): (command, what its output must match). q35
# has an MCFG (ECAM), pc has none.
TABLE_STEPS = {
    "q35": [("acpitable FACP", r"^acpi-table FACP length=244 revision=3 checksum=ok$"),
            ("acpitable MCFG", r"^acpi-table MCFG length=60 revision=1 checksum=ok$"),
            ("acpitable APIC", r"^acpi-table APIC length=\d+ revision=\d+ checksum=ok$")],
    "pc": [("acpitable FACP", r"^acpi-table FACP length=116 revision=1 checksum=ok$"),
           ("acpitable MCFG", r"acpitable: MCFG: RAE_ERR_NOT_FOUND"),
           ("acpitable APIC", r"^acpi-table APIC length=\d+ revision=\d+ checksum=ok$")],
}


def _restart_acpid(boot, link: SerialLink, log: str, start: int, deadline: float):
    """Kills the ACPI service from the shell and waits for its next instance; the prompt after it."""
    link.send(b"services kill acpi\r")
    step_deadline = min(deadline, time.monotonic() + COMMAND_TIMEOUT)
    while time.monotonic() < step_deadline and boot.running():
        if ACPI_READY in read_log(log)[start:]:
            time.sleep(0.5)
            at = len(read_log(log))
            link.send(b"\r")
            return _wait_prompt(boot, log, at, step_deadline)
        time.sleep(0.2)
    return None


def _check_tables(run, boot, link: SerialLink, log: str, start: int, deadline: float) -> list[str]:
    problems = []
    for command, pattern in TABLE_STEPS[run.platform.machine]:
        link.send(command.encode() + b"\r")
        out = _wait_prompt(boot, log, start, min(deadline, time.monotonic() + COMMAND_TIMEOUT))
        if out is None:
            return problems + [f"{command}: no prompt after it"]
        problems += check_output(command, out[0], [pattern])
        start = out[1]
    return problems


def _power(run, boot, qmp: QmpClient, link: SerialLink, log: str, deadline: float) -> list[str]:
    """Turns the machine off or resets it as the run says; the problems seen."""
    typed_at = len(read_log(log))
    if run.action == REBOOT:
        # -no-reboot makes a reset end QEMU; this run wants to see the second boot.
        qmp.execute("set-action", {"reboot": "reset"})
        link.send(b"reboot\r")
        while time.monotonic() < deadline and boot.running():
            if read_log(log)[typed_at:].count(BOOT_DONE) >= 1:
                break
            time.sleep(0.2)
        tail = read_log(log)[typed_at:]
        problems = [] if BOOT_DONE in tail else ["no second boot after `reboot`"]
        problems += [f"no line {line!r} before the reset" for line in
                     ("servicemgr: every service stopped", "acpid: resetting through the FADT reset register")
                     if line not in tail]
        # q35's FADT (revision 3) has a reset register (0xCF9), which must do it; pc's (revision 1)
        # has none, so the 8042 pulse must.
        fell_back = "acpid: resetting through the 8042" in tail
        if fell_back != (run.platform.machine == "pc"):
            problems.append("the reset " + ("fell back to the 8042" if fell_back else
                                            "did not go through the 8042 on pc"))
        qmp.execute("quit")
        return problems
    if run.action == POWER_BUTTON:
        qmp.execute("system_powerdown")
    else:
        link.send(b"poweroff\r")
    event = qmp.wait_event("SHUTDOWN", deadline)
    outcome = boot.wait(min(deadline, time.monotonic() + 10))
    tail = read_log(log)[typed_at:]
    problems = []
    if event is None:
        problems.append(f"no SHUTDOWN event from QEMU ({outcome.describe()})")
    elif event.get("data", {}).get("reason") != "guest-shutdown":
        problems.append(f"QEMU stopped for {event.get('data')}, not an ACPI power-off")
    if outcome.timed_out or outcome.status != 0:
        problems.append(f"QEMU did not exit by itself with status 0: {outcome.describe()}")
    wanted = SHUTDOWN_LINES + (("acpid: the power button was pressed",) if run.action == POWER_BUTTON else ())
    problems += [f"no line {line!r} before the power-off" for line in wanted if line not in tail]
    # Every other service ended before S5: the manager counts each end it waited for. (Its line per
    # service is not required: one printed while the console service itself is being stopped can be
    # lost with it.)
    others = len([f for f in os.listdir(os.path.join(REPO_ROOT, "rootfs", "etc", "services"))
                  if f.endswith(".svc")]) - 1
    m = re.search(r"servicemgr: every service stopped \((\d+)\) for the shutdown", tail)
    if not m or int(m.group(1)) != others:
        problems.append(f"the manager did not stop all {others} other services before S5 "
                        f"({m.group(0) if m else 'no summary line'})")
    return problems
