# Level 4: boots the kernel ISO in QEMU for each run of the matrix and turns every boot into test results.
import concurrent.futures
import hashlib
import os
import re
import subprocess
import time

import big_initrd
import console
import shell
import faults
import framebuffer
import kaslr
import memory
import pci
import power
import qemu
import services
from image import ImageError, read_ppm, write_png
from ktap import parse_ktap
from log_checks import missing_lines
from matrix import BIG_INITRD, CONSOLE, FAULT, FRAMEBUFFER, KTEST, MEMORY, PCI, POWER, SERVICES, SHELL, Run
from psf import load_psf
from qmp import QmpClient, QmpError
from results import Reporter, TestResult, display_path
from serial_log import last_line, read_log

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MKISO = os.path.join(REPO_ROOT, "tools", "build", "mkiso")
PANIC_TEXT = "KERNEL PANIC"
MAX_PROBLEMS_SHOWN = 4
# mkiso sometimes fails when xorriso sees a file in its staging tree change
# size ("libisofs: MISHAP"); a second attempt succeeds.
MKISO_ATTEMPTS = 3
SCREENDUMP_ATTEMPTS = 3  # the display may lag the serial port by a frame


def run_system_tests(runs: list[Run], kernel: str, initrd: str, jobs: int, timeout: float,
                     logs_dir: str, iso_dir: str, reporter: Reporter, system_initrd: str = "") -> None:
    """Builds one ISO per command line, boots every run (jobs at a time), reports in matrix order.

    Every run boots `initrd` (the test initrd: the system and the test programs) except the big-initrd
    run, which boots `system_initrd` (what a user boots) plus its own files, on an ISO of its own.
    """
    big_runs = [run for run in runs if run.kind == BIG_INITRD]
    needed = [(kernel, "kernel"), (initrd, "initrd")] + [(system_initrd, "system initrd")] * bool(big_runs)
    for path, what in needed:
        if not os.path.isfile(path):
            reporter.report(TestResult("system", False, f"{what} {display_path(path)} does not exist"))
            return
    os.makedirs(logs_dir, exist_ok=True)
    isos = iso_paths(sorted({run.cmdline for run in runs if run.kind != BIG_INITRD}), iso_dir)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        built = dict(zip(isos, pool.map(lambda c: build_iso(kernel, initrd, isos[c], c), isos)))
        for cmdline, error in built.items():
            if error:
                reporter.report(TestResult(f"iso:{os.path.basename(isos[cmdline])}", False, error))
        run_isos = {run.name: isos[run.cmdline] for run in runs if run.kind != BIG_INITRD}
        if big_runs:
            iso, error = build_big_initrd_iso(kernel, system_initrd, iso_dir, big_runs[0].cmdline)
            if error:
                reporter.report(TestResult("iso:big-initrd", False, error))
            else:
                run_isos.update({run.name: iso for run in big_runs})
        todo = [run for run in runs if run.name in run_isos and (run.kind == BIG_INITRD or not built[run.cmdline])]
        futures = [pool.submit(execute_run, run, run_isos[run.name], logs_dir, timeout) for run in todo]
        try:
            for future in futures:
                for result in future.result():
                    reporter.report(result)
        except BaseException:
            # Interrupted: stop the QEMUs now, or leaving this block would
            # wait for each of them to time out.
            for future in futures:
                future.cancel()
            qemu.kill_all()
            raise
    for result in kaslr_results(runs, todo, logs_dir):
        reporter.report(result)


def kaslr_results(selected: list[Run], booted: list[Run], logs_dir: str) -> list[TestResult]:
    """The cross-run KASLR checks over the serial logs of the booted runs that print their bases."""
    observations = []
    for run in booted:
        if run.kaslr:
            log = os.path.join(logs_dir, f"{run.name}.log")
            observations.append(kaslr.observe(run.name, run.kaslr, log, read_log(log)))
    return kaslr.evaluate(observations, sum(run.kaslr == kaslr.RANDOM for run in selected))


def iso_paths(cmdlines: list[str], iso_dir: str) -> dict[str, str]:
    """A readable, distinct ISO file name per kernel command line."""
    paths: dict[str, str] = {}
    for cmdline in cmdlines:
        stem = re.sub(r"[^A-Za-z0-9_]+", "-", cmdline).strip("-") or "plain"
        if any(os.path.basename(p) == f"{stem}.iso" for p in paths.values()):
            stem += "-" + hashlib.sha1(cmdline.encode()).hexdigest()[:8]
        paths[cmdline] = os.path.join(iso_dir, f"{stem}.iso")
    return paths


def build_iso(kernel: str, initrd: str, iso: str, cmdline: str) -> str:
    """Runs mkiso (retrying, see MKISO_ATTEMPTS); returns an error message, or "" on success."""
    os.makedirs(os.path.dirname(os.path.abspath(iso)), exist_ok=True)
    for _ in range(MKISO_ATTEMPTS):
        proc = subprocess.run([MKISO, kernel, initrd, iso, cmdline], capture_output=True, text=True)
        if proc.returncode == 0:
            return ""
    lines = [line for line in (proc.stderr + proc.stdout).splitlines() if "error" in line.lower()]
    return f"mkiso failed ({proc.returncode}): {(lines or ['no error message'])[-1].strip()}"


def build_big_initrd_iso(kernel: str, system_initrd: str, iso_dir: str, cmdline: str) -> tuple[str, str]:
    """The big-initrd run's ISO: the system initrd plus 64 MiB of files, made under iso_dir's parent.

    Returns (ISO path, "") or ("", what went wrong)."""
    work = os.path.join(os.path.dirname(os.path.abspath(iso_dir)), "big-initrd")
    tar, error = big_initrd.build_big_initrd(system_initrd, work)
    if error:
        return "", error
    iso = os.path.join(iso_dir, "big-initrd.iso")
    error = build_iso(kernel, tar, iso, cmdline)
    return ("", error) if error else (iso, "")


ICOUNT_TIMEOUT_FACTOR = 3


def execute_run(run: Run, iso: str, logs_dir: str, timeout: float) -> list[TestResult]:
    """Boots one run and returns its results. Never leaves QEMU running."""
    log = os.path.join(logs_dir, f"{run.name}.log")
    try:
        if run.kind == FRAMEBUFFER:
            return [run_framebuffer(run, iso, log, logs_dir, timeout)]
        if run.kind == SERVICES:
            return run_services(run, iso, log, timeout)
        if run.kind == CONSOLE:
            return console.run_console(run, iso, log, logs_dir, timeout, qemu.QemuBoot, evaluate_ktest)
        if run.kind == SHELL:
            return shell.run_shell(run, iso, log, logs_dir, timeout, qemu.QemuBoot)
        if run.kind == PCI:
            return pci.run_pci(run, iso, log, logs_dir, timeout, qemu.QemuBoot)
        if run.kind == POWER:
            return power.run_power(run, iso, log, logs_dir, timeout, qemu.QemuBoot)
        if run.kind == MEMORY:
            return memory.run_memory(run, iso, log, timeout, qemu.QemuBoot)
        if run.kind == BIG_INITRD:
            return big_initrd.run_big_initrd(run, iso, log, timeout, qemu.QemuBoot)
        # The RTC follows guest time there too (-rtc clock=vm): on the host
        # clock its periodic interrupt, which hwtest waits for, would never
        # come while idle guest time leaps ahead.
        extra = ("-accel", "tcg", "-icount", "shift=0,align=off,sleep=off",
                 "-rtc", "clock=vm") if run.icount else ()
        # Under -icount QEMU runs every instruction through one host thread
        # without its usual shortcuts: the whole suite there (OVMF first)
        # took 105-185 s on a loaded two-core host. The timeout only guards
        # against hangs, so it gets room rather than flaking.
        if run.icount:
            timeout *= ICOUNT_TIMEOUT_FACTOR
        outcome = qemu.boot_to_exit(run.platform, iso, log, timeout, extra_args=extra)
        text = read_log(log)
        if run.kind == KTEST:
            return evaluate_ktest(run.name, text, outcome, log)
        if run.kind == FAULT:
            return [evaluate_fault(run, text, outcome, log)]
        raise ValueError(f"unknown run kind {run.kind!r}")
    except qemu.QemuStopped:
        return [TestResult(run.name, False, "not run: the harness was stopped", log)]
    except Exception as e:  # a harness bug must still count as a failure, not end the run
        return [TestResult(run.name, False, f"harness error: {type(e).__name__}: {e}", log)]


def _timeout_text(outcome: qemu.BootOutcome, text: str) -> str:
    return f"{outcome.describe()} (last serial line: {last_line(text)[:100]!r})"


def _panic_text(text: str) -> str:
    lines = text.split("\n")
    panic = next((line.strip() for line in lines if PANIC_TEXT in line), "")
    exception = next((line.strip() for line in lines if "EXCEPTION:" in line), "")
    return "; ".join(filter(None, (panic, exception)))


def _join(problems: list[str]) -> str:
    shown = problems[:MAX_PROBLEMS_SHOWN]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        shown.append(f"and {len(problems) - MAX_PROBLEMS_SHOWN} more")
    return "; ".join(shown)


def evaluate_ktest(run_name: str, text: str, outcome: qemu.BootOutcome, log: str) -> list[TestResult]:
    """One result per KTAP case ("<run>:<case>") and one for the run itself.

    The run's own result checks that the run completed properly: no timeout,
    no panic, a complete KTAP report, and the exit status that matches the
    cases (33 if none failed, 35 if some did), so a failing case is counted
    once, as itself.
    """
    report = parse_ktap(text)
    results = []
    for case in report.cases:
        name = f"{run_name}:{case.name}"
        if case.skipped:
            results.append(TestResult(name, True, f"skipped: {case.skip_reason}".rstrip(": ")))
        elif case.ok and (missing := missing_lines(case.name, text)):
            results.append(TestResult(name, False, f"no console line matching {missing[0]!r}", log))
        elif case.ok:
            results.append(TestResult(name, True))
        else:
            why = "; ".join(case.diagnostics[-3:]) or "not ok"
            results.append(TestResult(name, False, why, log))
    problems = []
    if outcome.timed_out:
        problems.append(_timeout_text(outcome, text))
    if PANIC_TEXT in text:
        problems.append(f"kernel panic: {_panic_text(text)}")
    problems += report.problems()
    any_failed = any(case.failed for case in report.cases)
    expected = qemu.EXIT_TESTS_FAILED if any_failed else qemu.EXIT_TESTS_PASSED
    if not outcome.timed_out and outcome.status != expected:
        problems.append(f"{outcome.describe()}, expected {expected}")
    if problems:
        results.append(TestResult(run_name, False, _join(problems), log))
    else:
        results.append(TestResult(run_name, True, f"exit {outcome.status}, {len(report.cases)} tests, "
                                                   f"{outcome.seconds:.1f} s"))
    return results


def evaluate_fault(run: Run, text: str, outcome: qemu.BootOutcome, log: str) -> TestResult:
    """A deliberate fault must panic (exit 37) with the complete report of faults.FAULTS."""
    problems = []
    if outcome.timed_out:
        problems.append(_timeout_text(outcome, text))
    elif outcome.status != qemu.EXIT_PANIC:
        problems.append(f"{outcome.describe()}, expected {qemu.EXIT_PANIC}")
    problems += faults.check_fault_log(faults.FAULTS[run.fault], text)
    if problems:
        return TestResult(run.name, False, _join(problems), log)
    return TestResult(run.name, True, f"exit {outcome.status}, report complete, {outcome.seconds:.1f} s")


def run_framebuffer(run: Run, iso: str, log: str, logs_dir: str, timeout: float) -> TestResult:
    """Plain boot until the ready line, then compare a screendump with the banner."""
    ppm = os.path.abspath(os.path.join(logs_dir, f"{run.name}.ppm"))
    png = os.path.join(logs_dir, f"{run.name}.png")
    for stale in (ppm, png):
        if os.path.exists(stale):
            os.unlink(stale)
    font = load_psf()
    with qemu.QemuBoot(run.platform, iso, log, with_qmp=True) as boot:
        deadline = time.monotonic() + timeout
        state = _wait_for_serial(boot, log, framebuffer.READY_LINE, deadline)
        text = read_log(log)
        if state != "ready":
            outcome = boot.wait(deadline) if state == "panic" else boot.outcome(state == "timeout")
            why = _timeout_text(outcome, text) if outcome.timed_out else outcome.describe()
            if PANIC_TEXT in text:
                why += f"; kernel panic: {_panic_text(text)}"
            if state == "timeout" and _screendump(boot, ppm, png):
                why += f"; screen: {display_path(png)}"
            return TestResult(run.name, False, f"no '{framebuffer.READY_LINE}' line: {why}", log)
        problems, summary = ["no screendump"], ""
        with QmpClient(boot.qmp_socket) as qmp:
            for attempt in range(SCREENDUMP_ATTEMPTS):
                if attempt:
                    time.sleep(1)
                qmp.execute("screendump", {"filename": ppm})
                image = read_ppm(ppm)
                problems, summary = framebuffer.check_framebuffer(image, font, text)
                if not problems:
                    break
            write_png(image, png)
            _quit(qmp)
        boot.wait(time.monotonic() + 10)
    if problems:
        return TestResult(run.name, False, f"{_join(problems)}; screen: {display_path(png)}", log)
    return TestResult(run.name, True, summary)


def run_services(run: Run, iso: str, log: str, timeout: float) -> list[TestResult]:
    """Boots until bin/svctest's last line, then checks the log: one result per check, one for the run."""
    with qemu.QemuBoot(run.platform, iso, log) as boot:
        deadline = time.monotonic() + timeout
        state = _wait_for_serial(boot, log, services.DONE_TEXT, deadline)
        if state == "ready":
            time.sleep(0.5)  # the manager's line about svctest's end may follow
        outcome = boot.outcome(state == "timeout")
    text = read_log(log)
    return evaluate_services(run.name, text, state, outcome, log)


def evaluate_services(run_name: str, text: str, state: str, outcome: qemu.BootOutcome,
                      log: str) -> list[TestResult]:
    results = [TestResult(f"{run_name}:{name}", not problem, problem, "" if not problem else log)
               for name, problem in services.check_services_log(text)]
    problems = []
    if state == "timeout":
        problems.append(f"no '{services.DONE_TEXT}' line: {_timeout_text(outcome, text)}")
    elif state == "exited":
        problems.append(f"no '{services.DONE_TEXT}' line: {outcome.describe()}")
    if PANIC_TEXT in text:
        problems.append(f"kernel panic: {_panic_text(text)}")
    if problems:
        results.append(TestResult(run_name, False, _join(problems), log))
    else:
        results.append(TestResult(run_name, True, f"{outcome.seconds:.1f} s"))
    return results


def _wait_for_serial(boot: qemu.QemuBoot, log: str, line: str, deadline: float) -> str:
    """Polls the serial log: "ready" when line appears, else "panic", "exited" or "timeout"."""
    while True:
        text = read_log(log)
        if line in text:
            return "ready"
        if PANIC_TEXT in text:
            return "panic"
        if not boot.running():
            return "exited"
        if time.monotonic() > deadline:
            return "timeout"
        time.sleep(0.2)


def _screendump(boot: qemu.QemuBoot, ppm: str, png: str) -> bool:
    """Best-effort picture of a hung guest for the failure message."""
    try:
        with QmpClient(boot.qmp_socket, timeout=5) as qmp:
            qmp.execute("screendump", {"filename": ppm})
        write_png(read_ppm(ppm), png)
        return True
    except (QmpError, ImageError, OSError):
        return False


def _quit(qmp: QmpClient) -> None:
    try:
        qmp.execute("quit")
    except QmpError:
        pass  # QEMU may close the socket before it answers
