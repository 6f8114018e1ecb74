# Builds QEMU command lines for a test platform and runs one boot with a deadline, serial captured to a log.
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass

QEMU = "qemu-system-x86_64"
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"

# isa-debug-exit turns the byte the kernel writes to port 0xf4 into QEMU's
# exit status (value << 1) | 1.
DEBUG_EXIT_IOBASE = 0xF4
EXIT_TESTS_PASSED = (0x10 << 1) | 1  # 33
EXIT_TESTS_FAILED = (0x11 << 1) | 1  # 35
EXIT_PANIC = (0x12 << 1) | 1  # 37

EXIT_MEANING = {
    EXIT_TESTS_PASSED: "kernel tests passed",
    EXIT_TESTS_FAILED: "kernel tests failed",
    EXIT_PANIC: "kernel panic",
    0: "guest reset or triple fault (-no-reboot), or QEMU quit",
    1: "QEMU error",
}


@dataclass(frozen=True)
class Platform:
    """A virtual machine to boot on."""

    machine: str  # "q35" or "pc"
    firmware: str  # "bios" (SeaBIOS) or "uefi" (OVMF)
    cpu: str  # "max", "qemu64", ...
    smp: int = 1
    memory: str = "256M"
    devices: tuple[str, ...] = ()  # extra -device arguments ("virtio-rng-pci")

    @property
    def name(self) -> str:
        name = f"{self.machine}-{self.firmware}-{self.cpu}"
        name = name if self.smp == 1 else f"{name}-smp{self.smp}"
        return "-".join((name, *(d.split(",")[0] for d in self.devices)))


@dataclass
class BootOutcome:
    """How a QEMU process ended. status is None when it was killed at the deadline."""

    status: int | None
    timed_out: bool
    seconds: float
    stderr: str = ""

    def describe(self) -> str:
        if self.timed_out:
            return f"timed out after {self.seconds:.0f} s"
        meaning = EXIT_MEANING.get(self.status, "unexpected")
        text = f"QEMU exit status {self.status} ({meaning})"
        if self.status in (1, -6) and self.stderr.strip():
            # An abort (-6) ends with a register dump: its reason is the "error" line above it.
            lines = self.stderr.strip().splitlines()
            text += ": " + next((line for line in lines if "error" in line), lines[-1])
        return text


def qemu_argv(platform: Platform, iso: str | None, serial_log: str, vars_file: str | None = None,
              qmp_socket: str | None = None, extra_args: tuple[str, ...] = (),
              serial_socket: str | None = None) -> list[str]:
    """The QEMU command line for one boot, extra_args last. UEFI needs a private, writable vars_file.

    With iso None there is no CD-ROM: extra_args say what boots (-kernel, -initrd, -append).
    With serial_socket, COM1 is a unix socket QEMU waits on before it starts the guest (so no
    output is lost); whoever connects both reads the guest's output and types its input.
    """
    argv = [
        QEMU,
        "-machine", platform.machine,
        "-cpu", platform.cpu,
        "-smp", str(platform.smp),
        "-m", platform.memory,
        "-display", "none",
        "-no-reboot",
        "-monitor", "none",
        *(("-chardev", f"socket,id=serial0,path={serial_socket},server=on,wait=on",
            "-serial", "chardev:serial0") if serial_socket else ("-serial", f"file:{serial_log}")),
        "-device", f"isa-debug-exit,iobase={DEBUG_EXIT_IOBASE:#x},iosize=0x04",
    ]
    for device in platform.devices:
        argv += ["-device", device]
    if iso is not None:
        argv += ["-cdrom", iso]
    if platform.firmware == "uefi":
        if vars_file is None:
            raise ValueError("UEFI boots need a private copy of the OVMF vars")
        argv += [
            "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
            "-drive", f"if=pflash,format=raw,unit=1,file={vars_file}",
        ]
    elif platform.firmware != "bios":
        raise ValueError(f"unknown firmware {platform.firmware!r}")
    if qmp_socket:
        argv += ["-qmp", f"unix:{qmp_socket},server=on,wait=off"]
    return argv + list(extra_args)


# Every QEMU this process started and has not yet reaped, so that an
# interrupted harness can kill them all (kill_all) and never leave one behind.
_live: set[subprocess.Popen] = set()
_live_lock = threading.Lock()
_stopping = False


class QemuStopped(RuntimeError):
    """Raised instead of starting QEMU once kill_all has run."""


def kill_all() -> None:
    """Kills every QEMU started here and refuses to start more."""
    global _stopping
    with _live_lock:
        _stopping = True
        procs = list(_live)
    for proc in procs:
        _kill(proc)


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    with _live_lock:
        _live.discard(proc)


class QemuBoot:
    """One QEMU process booting an ISO, with its private scratch directory.

    Use as a context manager: leaving the block always kills QEMU and removes
    the scratch files.
    """

    def __init__(self, platform: Platform, iso: str | None, serial_log: str, with_qmp: bool = False,
                 extra_args: tuple[str, ...] = (), serial_socket: bool = False):
        self.platform = platform
        self.serial_log = serial_log
        self._scratch = tempfile.mkdtemp(prefix="raeen-qemu-")
        vars_file = None
        if platform.firmware == "uefi":
            vars_file = os.path.join(self._scratch, "OVMF_VARS.fd")
            shutil.copyfile(OVMF_VARS, vars_file)
        self.qmp_socket = os.path.join(self._scratch, "qmp.sock") if with_qmp else None
        self.serial_socket = os.path.join(self._scratch, "serial.sock") if serial_socket else None
        self.argv = qemu_argv(platform, iso, serial_log, vars_file, self.qmp_socket, extra_args,
                              self.serial_socket)
        self._stderr = tempfile.TemporaryFile(dir=self._scratch)
        self.proc: subprocess.Popen | None = None
        self.started = 0.0

    def __enter__(self):
        os.makedirs(os.path.dirname(os.path.abspath(self.serial_log)), exist_ok=True)
        if os.path.exists(self.serial_log):
            os.unlink(self.serial_log)
        self.started = time.monotonic()
        try:
            with _live_lock:
                if _stopping:
                    raise QemuStopped("the harness is stopping")
                self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                             stdout=self._stderr, stderr=self._stderr)
                _live.add(self.proc)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        if self.proc is not None:
            _kill(self.proc)
        self._stderr.close()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def wait(self, deadline: float) -> BootOutcome:
        """Waits until QEMU exits or deadline (time.monotonic()) passes; kills it at the deadline."""
        assert self.proc is not None
        try:
            self.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            timed_out = False
        except subprocess.TimeoutExpired:
            _kill(self.proc)
            timed_out = True
        return self.outcome(timed_out)

    def outcome(self, timed_out: bool = False) -> BootOutcome:
        assert self.proc is not None
        status = None if timed_out else self.proc.poll()
        return BootOutcome(status=status, timed_out=timed_out, seconds=self.elapsed(),
                           stderr=self.stderr_text())

    def stderr_text(self) -> str:
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", errors="replace")

    def running(self) -> bool:
        assert self.proc is not None
        return self.proc.poll() is None


def boot_to_exit(platform: Platform, iso: str | None, serial_log: str, timeout: float,
                 extra_args: tuple[str, ...] = ()) -> BootOutcome:
    """Boots until the guest exits QEMU (isa-debug-exit, or a power-off) or timeout seconds pass."""
    with QemuBoot(platform, iso, serial_log, extra_args=extra_args) as boot:
        return boot.wait(time.monotonic() + timeout)
