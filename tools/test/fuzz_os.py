#!/usr/bin/python3
# `make fuzz-os SECONDS=N`: one QEMU boot that runs only the hostile suite's random system calls
# (bin/sysfuzz's throwaway children, kernel test hostile_random_syscalls) for N seconds.
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__

import argparse  # noqa: E402
import os  # noqa: E402

import qemu  # noqa: E402
from results import Reporter, display_path  # noqa: E402
from serial_log import read_log  # noqa: E402
from system_tests import REPO_ROOT, build_iso, evaluate_ktest  # noqa: E402

BUILD = os.path.join(REPO_ROOT, "build")
BOOT_ALLOWANCE = 180  # seconds for the boot and the end of the run, on a loaded host


def fuzz_cmdline(seconds: int, seed: int | None) -> str:
    """The kernel command line: the random-call test alone, for `seconds`, with `seed` if given."""
    cmdline = f"test=hostile_random_syscalls fuzz_seconds={seconds}"
    return cmdline + (f" fuzz_seed={seed}" if seed else "")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description="Random system calls in RaeenOS under QEMU for a while.")
    p.add_argument("--kernel", default=os.path.join(BUILD, "raecore.elf"))
    p.add_argument("--initrd", default=os.path.join(BUILD, "initrd-test.tar"),
                   help="an initrd with the test programs (bin/sysfuzz)")
    p.add_argument("--seconds", type=int, default=60, help="guest seconds of random calls")
    p.add_argument("--seed", type=int, default=0, help="repeat a run (its log prints the seed)")
    p.add_argument("--smp", type=int, default=2, help="CPUs")
    p.add_argument("--logs", default=os.path.join(BUILD, "test-logs"))
    args = p.parse_args(argv)

    os.makedirs(args.logs, exist_ok=True)
    iso = os.path.join(BUILD, "test-isos", "fuzz-os.iso")
    error = build_iso(args.kernel, args.initrd, iso, fuzz_cmdline(args.seconds, args.seed))
    reporter = Reporter()
    if error:
        print(f"fuzz-os: {error}", file=sys.stderr)
        return 1
    platform = qemu.Platform("q35", "bios", "max", smp=args.smp)
    name = f"fuzz-os-{platform.name}"
    log = os.path.join(args.logs, f"{name}.log")
    reporter.note(f"{name}: {args.seconds} s of random system calls; serial log {display_path(log)}")
    outcome = qemu.boot_to_exit(platform, iso, log, args.seconds + BOOT_ALLOWANCE)
    text = read_log(log)
    for line in text.splitlines():
        if line.startswith("sysfuzz: seed") or (line.startswith("sysfuzz:") and "children," in line):
            reporter.note(line)
    for result in evaluate_ktest(name, text, outcome, log):
        reporter.report(result)
    print(reporter.summary_line())
    return 0 if reporter.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
