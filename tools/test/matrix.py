# The default system-test matrix: which kernel command line boots on which machine, firmware and CPU.
from dataclasses import dataclass

import big_initrd
import console
import kaslr
import memory
import pci
import power
import services
import shell
from faults import FAULTS
from qemu import Platform

KTEST = "ktest"  # test=all; every KTAP case is a test
FAULT = "fault"  # a deliberate fault; the panic report is checked
FRAMEBUFFER = "framebuffer"  # plain boot; the screen is checked
SERVICES = "services"  # the service manager with the test manifests; its log is checked
CONSOLE = "console"  # the console service: the harness types keys and checks echoes and the screen
SHELL = "shell"  # the default boot to rsh: the harness types commands on serial and checks their output
MEMORY = "memory"  # the default boot with -m 128M ... 16G: the harness types `free -k` and checks the total
PCI = "pci"  # the default boot: the harness types `lspci` and compares it with QEMU's query-pci
BIG_INITRD = "big-initrd"  # the system's initrd plus 64 MiB of files: the harness reads them back at the shell
POWER = "power"  # the default boot: the ACPI service's _PRT routes, then poweroff, the power button or reboot

Q35_BIOS_MAX = Platform("q35", "bios", "max")
Q35_BIOS_QEMU64 = Platform("q35", "bios", "qemu64")
Q35_UEFI_MAX = Platform("q35", "uefi", "max")
Q35_UEFI_QEMU64 = Platform("q35", "uefi", "qemu64")
PC_BIOS_MAX = Platform("pc", "bios", "max")

Q35_BIOS_MAX_SMP2 = Platform("q35", "bios", "max", smp=2)
Q35_BIOS_MAX_SMP4 = Platform("q35", "bios", "max", smp=4)
Q35_UEFI_MAX_SMP2 = Platform("q35", "uefi", "max", smp=2)
Q35_UEFI_QEMU64_SMP4 = Platform("q35", "uefi", "qemu64", smp=4)

KTEST_PLATFORMS = (Q35_BIOS_MAX, Q35_BIOS_QEMU64, Q35_UEFI_MAX, Q35_UEFI_QEMU64, PC_BIOS_MAX,
                   Q35_BIOS_MAX_SMP2, Q35_BIOS_MAX_SMP4, Q35_UEFI_MAX_SMP2, Q35_UEFI_QEMU64_SMP4)
FAULT_PLATFORMS = (Q35_BIOS_MAX, Q35_UEFI_QEMU64)
# One CPU: with several, -icount runs them round-robin in one host thread (see the issue note).
ICOUNT_PLATFORMS = (Q35_BIOS_MAX, Q35_UEFI_MAX)
# Faults that need several CPUs run here instead.
SMP_FAULT_PLATFORMS = (Q35_BIOS_MAX_SMP2, Q35_UEFI_QEMU64_SMP4)
FRAMEBUFFER_PLATFORMS = (Q35_BIOS_MAX, Q35_UEFI_MAX)
# Two CPUs, so the manager's supervisor threads and the services run in parallel; and one. BIOS
# only: the manager does not care about the firmware, and OVMF adds some 14 s to a boot.
SERVICES_PLATFORMS = (Q35_BIOS_MAX_SMP2, Q35_BIOS_QEMU64)
CONSOLE_PLATFORMS = (Q35_BIOS_MAX, Q35_UEFI_MAX)
# The whole system as `make run` boots it: the main machine with two CPUs, and the older PC.
SHELL_PLATFORMS = (Q35_BIOS_MAX_SMP2, PC_BIOS_MAX)
# lspci against QEMU's own view: q35 (ECAM), pc (no MCFG: the 0xcf8 ports), q35 with a virtio device
# (MSI-X, 64-bit prefetchable BAR), q35 with the Intel IOMMU, and a device behind a bridge on each
# machine (a PCI Express root port; a PCI-to-PCI bridge), whose bus the firmware numbered, and q35
# on UEFI.
PCI_PLATFORMS = (Q35_BIOS_MAX, PC_BIOS_MAX, Platform("q35", "bios", "max", devices=("virtio-rng-pci",)),
                 Platform("q35", "bios", "max", devices=("intel-iommu",)),
                 Platform("q35", "bios", "max", devices=("pcie-root-port,id=rp1,chassis=1",
                                                         "virtio-rng-pci,bus=rp1")),
                 Platform("pc", "bios", "max", devices=("pci-bridge,id=br1,chassis_nr=1",
                                                        "virtio-rng-pci,bus=br1,addr=3")),
                 # OVMF puts 64-bit BARs above 4 GiB.
                 Platform("q35", "uefi", "max", devices=("virtio-rng-pci",)))

# ACPI (issue 13): both machines, whose firmware routes PCI interrupts differently (q35: GSIs 16-23,
# pc: the PIIX's PIRQ links) and whose S5 and reset registers live in different chipsets; OVMF's
# tables once (an XSDT, the loader's ACPI 2.0 RSDP), and the power button's SCI with two CPUs.
POWER_RUNS = {"power-off": (power.POWER_OFF, (Q35_BIOS_MAX, Q35_UEFI_MAX, PC_BIOS_MAX)),
              "power-button": (power.POWER_BUTTON, (Q35_BIOS_MAX_SMP2, PC_BIOS_MAX)),
              "reboot": (power.REBOOT, (Q35_BIOS_MAX, PC_BIOS_MAX))}
# vfsd's long tests (KTEST_OWN_RUN: thousands of processes, tens of MiB through a service), which
# test=all leaves out to stay within its timeout: a boot of their own each (up to 40 s of guest time
# apiece on two CPUs), on one CPU and on two.
STRESS_TESTS = {"vfs-memory": "user_vfs_gives_memory_back",
                "vfs-dead-clients": "user_vfs_forgets_dead_clients"}
STRESS_PLATFORMS = (Q35_BIOS_MAX, Q35_BIOS_MAX_SMP2)
# A thousand kills of a child on its way into each kind of wait (bin/killloop), on 1, 2 and 4 CPUs.
KILL_LOOP_PLATFORMS = (Q35_BIOS_MAX, Q35_BIOS_MAX_SMP2, Q35_BIOS_MAX_SMP4)
# Every memory size on both machines and both firmwares: where the firmware puts RAM, ACPI tables and
# the PCI hole changes with the size (q35 ends low RAM at 2 GiB from 2.75 GiB up, pc at 3 GiB from 3.5).
MEMORY_PLATFORMS = tuple(Platform(machine, firmware, "max", memory=size)
                         for size in memory.SIZES for machine in ("q35", "pc") for firmware in ("bios", "uefi"))
# The hostile suite (kernel/generic/test/ktest_hostile.c) on one CPU and on two, where a child's
# threads and its killer run at once.
HOSTILE_PLATFORMS = (Q35_BIOS_MAX, Q35_BIOS_MAX_SMP2)
HOSTILE_TESTS = ("hostile_bad_pointers", "hostile_privileged_instructions", "hostile_exhaustion",
                 "hostile_random_syscalls", "hostile_killed_console_clients")
HOSTILE_CMDLINE = "test=" + ",".join(HOSTILE_TESTS) + " kaslr=show"
# A user driver on QEMU's edu device (bin/devtest: device objects, DMA memory, MSI, a driver killed
# mid-DMA) and a virtio-rng function (MSI-X; on q35 behind a PCI Express root port, where it offers
# Function Level Reset), on q35 (ECAM) and pc (the legacy configuration ports), and with two CPUs for
# the spreading of message vectors. edu's DMA engine sees 28 address bits unless told otherwise.
EDU = "edu,dma_mask=0xffffffff"
Q35_DEVICES = (EDU, "pcie-root-port,id=rp1,bus=pcie.0", "virtio-rng-pci,bus=rp1")
PC_DEVICES = (EDU, "virtio-rng-pci")
DEVICES_PLATFORMS = (Platform("q35", "bios", "max", devices=Q35_DEVICES),
                     Platform("pc", "bios", "max", devices=PC_DEVICES),
                     Platform("q35", "bios", "max", smp=2, devices=Q35_DEVICES))
DEVICES_CMDLINE = "test=user_pci_devices,msi_vectors_spread_and_come_back,level_lines_are_shared"


@dataclass(frozen=True)
class Run:
    """One QEMU boot. Its serial log is <logs>/<name>.log."""

    name: str
    kind: str
    platform: Platform
    cmdline: str
    fault: str = ""  # key into faults.FAULTS for FAULT runs
    kaslr: str = ""  # kaslr.RANDOM or kaslr.FIXED: the run prints its bases for the KASLR checks
    icount: bool = False  # run under -icount shift=0 (guest time counts guest instructions)
    action: str = ""  # POWER runs: power.POWER_OFF, POWER_BUTTON or REBOOT

    @property
    def checks(self) -> tuple[str, ...]:
        """Names of the cross-run checks this run feeds (see kaslr.py)."""
        return kaslr.CHECKS.get(self.kaslr, ())


def default_runs() -> list[Run]:
    runs = [Run(f"ktest-{p.name}", KTEST, p, "test=all kaslr=show", kaslr=kaslr.RANDOM)
            for p in KTEST_PLATFORMS]
    runs.append(Run(f"kaslr-off-{Q35_BIOS_MAX.name}", KTEST, Q35_BIOS_MAX, "test=all kaslr=off kaslr=show",
                    kaslr=kaslr.FIXED))
    # Guest time = guest instructions (-icount): the real-time deadline tests run only here, where
    # a busy host cannot steal time from the guest.
    runs += [Run(f"ktest-icount-{p.name}", KTEST, p, "test=all exact_time", icount=True)
             for p in ICOUNT_PLATFORMS]
    # Without ACPI: one CPU, no IOAPIC, every test still passes.
    runs.append(Run(f"acpi-off-{Q35_BIOS_MAX_SMP2.name}", KTEST, Q35_BIOS_MAX_SMP2, "test=all acpi=off"))
    for fault, spec in FAULTS.items():
        platforms = FAULT_PLATFORMS if spec.min_smp <= 1 else SMP_FAULT_PLATFORMS
        runs += [Run(f"{fault}-{p.name}", FAULT, p, f"test={fault}", fault) for p in platforms]
    runs += [Run(f"fb-{p.name}", FRAMEBUFFER, p, "") for p in FRAMEBUFFER_PLATFORMS]
    runs += [Run(f"services-{p.name}", SERVICES, p, services.CMDLINE) for p in SERVICES_PLATFORMS]
    runs += [Run(f"console-{p.name}", CONSOLE, p, console.CMDLINE)
             for p in CONSOLE_PLATFORMS]
    runs += [Run(f"shell-{p.name}", SHELL, p, shell.CMDLINE) for p in SHELL_PLATFORMS]
    runs += [Run(f"memory-{p.memory}-{p.name}", MEMORY, p, memory.CMDLINE) for p in MEMORY_PLATFORMS]
    runs += [Run(f"pci-{p.name}", PCI, p, pci.CMDLINE) for p in PCI_PLATFORMS]
    runs.append(Run(f"initrd-64m-{Q35_BIOS_MAX.name}", BIG_INITRD, Q35_BIOS_MAX, big_initrd.CMDLINE))
    runs += [Run(f"{name}-{p.name}", POWER, p, power.CMDLINE, action=action)
             for name, (action, platforms) in POWER_RUNS.items() for p in platforms]
    runs += [Run(f"hostile-{p.name}", KTEST, p, HOSTILE_CMDLINE) for p in HOSTILE_PLATFORMS]
    runs += [Run(f"stress-{short}-{p.name}", KTEST, p, f"test={test}")
             for short, test in STRESS_TESTS.items() for p in STRESS_PLATFORMS]
    runs += [Run(f"kill-loop-{p.name}", KTEST, p, "test=user_kill_loop") for p in KILL_LOOP_PLATFORMS]
    runs += [Run(f"devices-{p.name}", KTEST, p, DEVICES_CMDLINE) for p in DEVICES_PLATFORMS]
    return runs


def selected_runs(only: list[str]) -> list[Run]:
    """The default runs whose name, or the name of a check they feed, contains one of the substrings.

    So `--only kaslr` boots every run the KASLR checks need.
    """
    return [run for run in default_runs() if any(matches(name, only) for name in (run.name, *run.checks))]


def matches(name: str, only: list[str]) -> bool:
    """True if no filter is given or name contains one of the substrings."""
    return not only or any(s in name for s in only)
