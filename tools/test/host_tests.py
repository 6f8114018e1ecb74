# Level 1: runs the cmocka host unit test binaries with TAP output and turns each case into a result.
import os
import signal
import subprocess

from results import TestResult
from tap import parse_tap

NON_TEST_SUFFIXES = (".o", ".d", ".a", ".so", ".c", ".h", ".log", ".txt")


def find_host_tests(directory: str) -> list[str]:
    """Executable files named test_* under directory, in a stable order."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            if (name.startswith("test_") and not name.endswith(NON_TEST_SUFFIXES)
                    and os.access(path, os.X_OK)):
                found.append(path)
    return found


def run_host_test(binary: str, directory: str, logs_dir: str, timeout: float, cwd: str) -> list[TestResult]:
    """Runs one binary; one result per TAP case ("host:<binary>:<case>").

    The binary itself adds a failed result named "host:<binary>" when it
    crashes, times out, prints incomplete TAP, or exits non-zero without a
    failed case.
    """
    rel = os.path.relpath(binary, directory)
    name = f"host:{rel}"
    log = os.path.join(logs_dir, "host", f"{rel}.log")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP")
    timed_out = False
    try:
        proc = subprocess.run([os.path.abspath(binary)], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout)
        stdout, stderr, status = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as e:
        stdout, stderr, status, timed_out = e.stdout or b"", e.stderr or b"", None, True
    except OSError as e:
        return [TestResult(name, False, f"cannot run: {e}")]
    out = stdout.decode("utf-8", errors="replace")
    err = stderr.decode("utf-8", errors="replace")
    with open(log, "w") as f:
        f.write(out + ("\n--- stderr ---\n" + err if err else ""))

    report = parse_tap(out)
    results = []
    for case in report.cases:
        case_name = f"{name}:{case.name}"
        if case.skipped:
            results.append(TestResult(case_name, True, f"skipped: {case.skip_reason}".rstrip(": ")))
        elif case.ok:
            results.append(TestResult(case_name, True))
        else:
            results.append(TestResult(case_name, False, "; ".join(case.diagnostics[:3]) or "not ok", log))
    problems = report.problems()
    any_failed = any(not c.ok and not c.skipped for c in report.cases)
    if timed_out:
        problems.insert(0, f"timed out after {timeout:.0f} s")
    elif status is not None and status < 0:
        problems.insert(0, f"killed by signal {_signal_name(-status)}")
    elif status != 0 and not any_failed:
        problems.insert(0, f"exit status {status} with no failed case")
    if problems:
        results.append(TestResult(name, False, "; ".join(problems), log))
    return results


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
