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
    """One deliberate crash: the exception it raises (if any) and what only it prints."""

    vector: int | None  # None for a panic that is not a CPU exception
    mnemonic: str  # as in "#PF"
    function: str  # the kernel function that faults
    extra: tuple[tuple[str, str], ...] = ()  # (what, regex) only this fault prints
    caller: str = TEST_CALLER  # a function the backtrace must reach
    min_smp: int = 1  # CPUs the test needs


# Keyed by the kernel command line option test=NAME.
FAULTS = {
    "fault_pf": FaultSpec(14, "PF", "ktest_fault_pf",
                          (("CR2 of the faulting read", r"CR2=0x0000000000000010"),)),
    "fault_ud": FaultSpec(6, "UD", "ktest_fault_ud"),
    "fault_gp": FaultSpec(13, "GP", "ktest_fault_gp"),
    "fault_de": FaultSpec(0, "DE", "ktest_fault_de"),
    # A runaway recursion hits its stack's guard page; the #DF handler (on its own IST stack)
    # names it. The backtrace is all stack_eater frames.
    "stack_overflow": FaultSpec(8, "DF", "stack_eater",
                                (("stack overflow report",
                                  rf"KERNEL PANIC: kernel stack overflow: RSP={HEX16}, fault address {HEX16}, "
                                  rf"in the guard page below the stack at {HEX16}"),),
                                caller="stack_eater"),
    # The heap's red zone catches a 3-byte overrun on kfree and names where the object came from.
    "heap_overrun": FaultSpec(None, "", "",
                              (("heap report",
                                rf"heap: buffer overrun of {HEX} in cache kmalloc-32; allocated at {HEX} "
                                rf"<ktest_heap_overrun\+{HEX}>"),)),
    "lock_order_violation": FaultSpec(None, "", "",
                                      (("lock order report",
                                        r'spinlock: lock order violation on CPU \d+: taking "test outer" '
                                        rf'\(level 10\) at {HEX} while holding "test inner" \(level 11\)'),)),
    # CPU 1 panics; it stops CPU 0 with an NMI and the run still exits through isa-debug-exit.
    "smp_panic_on_ap": FaultSpec(None, "", "",
                                 (("panic from CPU 1",
                                   r"KERNEL PANIC on CPU 1: deliberate panic on an application processor"),),
                                 caller="panic_here", min_smp=2),
}


def expected_lines(spec: FaultSpec) -> list[tuple[str, str]]:
    """(what, regex) pairs, each of which must match somewhere in the serial log."""
    if spec.vector is None:
        return [*spec.extra, ("panic line", r"KERNEL PANIC")]
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
    problems += _check_backtrace(text, spec.caller)
    return problems


def _check_backtrace(text: str, caller: str = TEST_CALLER) -> list[str]:
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
    if not any(name == caller for _, name in frames):
        names = ", ".join(name for _, name in frames)
        problems.append(f"backtrace does not reach {caller} (frames: {names})")
    return problems
