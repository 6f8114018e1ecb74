# The default system-test matrix: which kernel command line boots on which machine, firmware and CPU.
from dataclasses import dataclass

from faults import FAULTS
from qemu import Platform

KTEST = "ktest"  # test=all; every KTAP case is a test
FAULT = "fault"  # a deliberate fault; the panic report is checked
FRAMEBUFFER = "framebuffer"  # plain boot; the screen is checked

Q35_BIOS_MAX = Platform("q35", "bios", "max")
Q35_BIOS_QEMU64 = Platform("q35", "bios", "qemu64")
Q35_UEFI_MAX = Platform("q35", "uefi", "max")
Q35_UEFI_QEMU64 = Platform("q35", "uefi", "qemu64")
PC_BIOS_MAX = Platform("pc", "bios", "max")

KTEST_PLATFORMS = (Q35_BIOS_MAX, Q35_BIOS_QEMU64, Q35_UEFI_MAX, Q35_UEFI_QEMU64, PC_BIOS_MAX)
FAULT_PLATFORMS = (Q35_BIOS_MAX, Q35_UEFI_QEMU64)
FRAMEBUFFER_PLATFORMS = (Q35_BIOS_MAX, Q35_UEFI_MAX)


@dataclass(frozen=True)
class Run:
    """One QEMU boot. Its serial log is <logs>/<name>.log."""

    name: str
    kind: str
    platform: Platform
    cmdline: str
    fault: str = ""  # key into faults.FAULTS for FAULT runs


def default_runs() -> list[Run]:
    runs = [Run(f"ktest-{p.name}", KTEST, p, "test=all") for p in KTEST_PLATFORMS]
    runs += [Run(f"{fault}-{p.name}", FAULT, p, f"test={fault}", fault)
             for p in FAULT_PLATFORMS for fault in FAULTS]
    runs += [Run(f"fb-{p.name}", FRAMEBUFFER, p, "") for p in FRAMEBUFFER_PLATFORMS]
    return runs


def matches(name: str, only: list[str]) -> bool:
    """True if no filter is given or name contains one of the substrings."""
    return not only or any(s in name for s in only)
