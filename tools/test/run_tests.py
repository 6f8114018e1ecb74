#!/usr/bin/python3
# The `make test` aggregator: host unit tests, then the QEMU system tests; ends with "N passed, N failed".
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__

import argparse  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402

import qemu  # noqa: E402
from host_tests import find_host_tests, run_host_test  # noqa: E402
from matrix import matches, selected_runs  # noqa: E402
from results import Reporter, TestResult, display_path  # noqa: E402
from system_tests import REPO_ROOT, run_system_tests  # noqa: E402

BUILD = os.path.join(REPO_ROOT, "build")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Runs the RaeenOS host unit tests and QEMU system tests.")
    p.add_argument("--kernel", default=os.path.join(BUILD, "raecore.elf"), help="kernel ELF")
    p.add_argument("--initrd", default=os.path.join(BUILD, "initrd-test.tar"),
                   help="the test initrd (the system and the test programs), which the runs boot")
    p.add_argument("--system-initrd", default=os.path.join(BUILD, "initrd.tar"),
                   help="the initrd a user boots, which the big-initrd run boots with 64 MiB more")
    p.add_argument("--host-tests", default=os.path.join(BUILD, "tests", "host"),
                   help="directory of host unit test binaries (test_*)")
    p.add_argument("--no-host", action="store_true", help="skip the host unit tests")
    p.add_argument("--no-qemu", action="store_true", help="skip the QEMU system tests")
    p.add_argument("--only", action="append", default=[], metavar="SUBSTRING",
                   help="run only tests whose run, check or binary name contains SUBSTRING "
                        "(repeatable; e.g. kaslr, kaslr-off, fb-, fault_pf, host:)")
    p.add_argument("-j", "--jobs", type=int, default=2, help="QEMUs run in parallel (default 2)")
    p.add_argument("--timeout", type=float, default=120, help="seconds per boot or binary (default 120)")
    p.add_argument("--logs", default=os.path.join(BUILD, "test-logs"), help="where logs go")
    p.add_argument("--isos", default=os.path.join(BUILD, "test-isos"), help="where test ISOs go")
    p.add_argument("--list", action="store_true", help="list the QEMU runs and exit")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    runs = selected_runs(args.only)
    if args.list:
        for run in runs:
            print(f"{run.name}: {run.platform.machine} {run.platform.firmware} "
                  f"-cpu {run.platform.cpu} -m {run.platform.memory} cmdline {run.cmdline!r}"
                  + (f" (feeds {', '.join(run.checks)})" if run.checks else ""))
        return 0

    # SIGTERM/SIGHUP (CI cancelling the job) unwind like Ctrl-C, so no QEMU outlives us.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.default_int_handler)

    reporter = Reporter()
    ran_something = False
    try:
        if not args.no_host:
            binaries = find_host_tests(args.host_tests) if os.path.isdir(args.host_tests) else []
            selected = [b for b in binaries
                        if matches(f"host:{os.path.relpath(b, args.host_tests)}", args.only)]
            if not binaries and (not args.only or matches("host:", args.only)):
                reporter.report(TestResult("host", False,
                                           f"no test_* binaries in {display_path(args.host_tests)}"))
            for binary in selected:
                ran_something = True
                for result in run_host_test(binary, args.host_tests, args.logs, args.timeout, REPO_ROOT):
                    reporter.report(result)
        if not args.no_qemu and runs:
            ran_something = True
            run_system_tests(runs, args.kernel, args.initrd, args.jobs, args.timeout,
                             args.logs, args.isos, reporter, system_initrd=args.system_initrd)
        if args.only and not ran_something and reporter.failed == 0:
            reporter.report(TestResult("select", False, f"--only {' '.join(args.only)} matches no test"))
    except KeyboardInterrupt:
        qemu.kill_all()
        reporter.report(TestResult("interrupted", False, "the harness was interrupted"))
    finally:
        qemu.kill_all()
    print(reporter.summary_line(), flush=True)
    return 0 if reporter.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
