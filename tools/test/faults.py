# Negative kernel tests: what the kernel must print when a test faults on purpose, as one table of regexes.
import re
from dataclasses import dataclass

HEX = r"0x[0-9a-f]+"
HEX16 = r"0x[0-9a-f]{16}"
# The function that calls each kernel test; it must show up in the backtrace.
TEST_CALLER = "ktest_run_one"
REGISTERS = ("RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP",
             "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15", "RFLAGS", "CS", "SS")
BACKTRACE_HEADER_RE = re.compile(r"backtrace:")
FRAME_RE = re.compile(rf"#(\d+) ({HEX16}) <([A-Za-z_.$][\w.$]*)\+{HEX}>")


@dataclass(frozen=True)
class FaultSpec:
    """One deliberate fault: the exception it raises and what only it prints."""

    vector: int
    mnemonic: str  # as in "#PF"
    function: str  # the kernel function that faults
    extra: tuple[tuple[str, str], ...] = ()  # (what, regex) only this fault prints


# Keyed by the kernel command line option test=NAME.
FAULTS = {
    "fault_pf": FaultSpec(14, "PF", "ktest_fault_pf",
                          (("CR2 of the faulting read", r"CR2=0x0000000000000010"),)),
    "fault_ud": FaultSpec(6, "UD", "ktest_fault_ud"),
    "fault_gp": FaultSpec(13, "GP", "ktest_fault_gp"),
    "fault_de": FaultSpec(0, "DE", "ktest_fault_de"),
}


def expected_lines(spec: FaultSpec) -> list[tuple[str, str]]:
    """(what, regex) pairs, each of which must match somewhere in the serial log."""
    patterns = [
        ("exception line", rf"EXCEPTION: vector {spec.vector} \(#{spec.mnemonic}\b"),
        ("error code", rf"error code {HEX}"),
        ("RIP with symbol", rf"RIP={HEX16} <{re.escape(spec.function)}\+{HEX}>"),
        *spec.extra,
        # "R8 =0x..." (padded to line up with R10=) is fine too.
        *((f"register {reg}", rf"\b{reg} *=(?:0x)?[0-9a-fA-F]+") for reg in REGISTERS),
        ("panic line", r"KERNEL PANIC"),
    ]
    return patterns


def check_fault_log(spec: FaultSpec, text: str) -> list[str]:
    """What is missing from a fault report in cleaned serial text; empty when all is there."""
    problems = [f"no {what} (/{regex}/)" for what, regex in expected_lines(spec)
                if not re.search(regex, text)]
    problems += _check_backtrace(text)
    return problems


def _check_backtrace(text: str) -> list[str]:
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if BACKTRACE_HEADER_RE.search(line)), None)
    if start is None:
        return ["no 'backtrace:' line"]
    frames = []
    for line in lines[start + 1:]:
        frame = FRAME_RE.search(line)
        if not frame:
            if frames:
                break
            continue
        frames.append((int(frame.group(1)), frame.group(3)))
    if not frames:
        return [f"no frames '#0 {HEX16} <symbol+0x..>' after 'backtrace:'"]
    problems = []
    if frames[0][0] != 0:
        problems.append(f"backtrace starts at frame #{frames[0][0]}, not #0")
    if not any(name == TEST_CALLER for _, name in frames):
        names = ", ".join(name for _, name in frames)
        problems.append(f"backtrace does not reach {TEST_CALLER} (frames: {names})")
    return problems
