# KASLR checks across boots: the bases that `kaslr=show` prints must be aligned, differ between boots, and be fixed with kaslr=off.
import re
from dataclasses import dataclass

from results import TestResult

RANDOM = "random"  # a boot with KASLR on: its bases feed kaslr-bases-differ
FIXED = "fixed"  # a boot with kaslr=off: its bases must be the link-time ones

DIFFER_CHECK = "kaslr-bases-differ"
ALIGNED_CHECK = "kaslr-bases-aligned"
FIXED_CHECK = "kaslr-off-fixed-base"
CHECKS = {RANDOM: (DIFFER_CHECK, ALIGNED_CHECK), FIXED: (FIXED_CHECK, ALIGNED_CHECK)}

LINE_START = "kaslr: kernel base"
# Further ", name value" fields after the direct map base (the kernel area, say) are allowed.
_LINE_RE = re.compile(r"^kaslr: kernel base (0x[0-9a-fA-F]{16}), direct map base (0x[0-9a-fA-F]{16})(?:, .*)?$")
KERNEL_ALIGN = 2 << 20  # the kernel is mapped with 2 MiB pages
DIRECT_MAP_ALIGN = 1 << 30  # the direct map is mapped with 1 GiB pages
FIXED_KERNEL_BASE = 0xFFFFFFFF80000000
FIXED_DIRECT_MAP_BASE = 0xFFFF800000000000


@dataclass(frozen=True)
class Bases:
    kernel: int
    direct_map: int


@dataclass(frozen=True)
class Observation:
    """What one boot printed. bases is None when it printed no well-formed line."""

    run: str
    mode: str  # RANDOM or FIXED
    log: str
    bases: Bases | None
    problems: tuple[str, ...] = ()  # malformed or conflicting lines


def parse_bases(text: str) -> tuple[Bases | None, list[str]]:
    """The bases a serial log reports, and problems with its 'kaslr: kernel base' lines.

    Other lines that start with "kaslr:" are the kernel's own messages and are
    ignored. A second line with different values is a problem; the first counts.
    """
    found: Bases | None = None
    problems = []
    for line in text.split("\n"):
        line = line.strip()
        if not line.startswith(LINE_START):
            continue
        m = _LINE_RE.match(line)
        if not m:
            problems.append(f"malformed line {line[:100]!r}")
            continue
        bases = Bases(int(m[1], 16), int(m[2], 16))
        if found is None:
            found = bases
        elif bases != found:
            problems.append(f"a second, different line {line!r}")
    return found, problems


def observe(run: str, mode: str, log: str, text: str) -> Observation:
    bases, problems = parse_bases(text)
    return Observation(run, mode, log, bases, tuple(problems))


def evaluate(observations: list[Observation], random_selected: int) -> list[TestResult]:
    """The KASLR results for the boots that ran.

    kaslr-bases-differ is reported only when at least two KASLR boots were
    selected (random_selected), so `--only` one ktest run does not fail it.
    """
    if not observations and random_selected == 0:
        return []
    results = [check_aligned(observations)]
    if random_selected >= 2:
        results.append(check_differ([o for o in observations if o.mode == RANDOM], random_selected))
    results += [check_fixed(o) for o in observations if o.mode == FIXED]
    return results


def _hex(value: int) -> str:
    return f"{value:#018x}"


def check_aligned(observations: list[Observation]) -> TestResult:
    """Every printed line is well formed, the kernel base 2 MiB and the direct-map base 1 GiB aligned."""
    problems = []
    printed = [o for o in observations if o.bases is not None]
    for o in observations:
        problems += [f"{o.run}: {p}" for p in o.problems]
    for o in printed:
        if o.bases.kernel % KERNEL_ALIGN:
            problems.append(f"{o.run}: kernel base {_hex(o.bases.kernel)} is not 2 MiB aligned")
        if o.bases.direct_map % DIRECT_MAP_ALIGN:
            problems.append(f"{o.run}: direct map base {_hex(o.bases.direct_map)} is not 1 GiB aligned")
    log = observations[0].log if observations else ""
    if not printed:
        problems.append(f"no run printed a '{LINE_START} 0x..., direct map base 0x...' line")
    if problems:
        bad = next((o.log for o in observations if o.problems or o.bases is None), log)
        return TestResult(ALIGNED_CHECK, False, "; ".join(problems), bad)
    return TestResult(ALIGNED_CHECK, True, f"{len(printed)} of {len(observations)} runs printed bases, "
                                           "kernel 2 MiB and direct map 1 GiB aligned")


def check_differ(observations: list[Observation], selected: int) -> TestResult:
    """The kernel bases printed by the KASLR boots are not all the same (and there are at least two)."""
    printed = [o for o in observations if o.bases is not None]
    kernel_bases = {o.bases.kernel for o in printed}
    log = observations[0].log if observations else ""
    if len(printed) < 2:
        return TestResult(DIFFER_CHECK, False, f"{len(printed)} of {selected} KASLR runs printed a kernel "
                                               "base; need at least two", log)
    if len(kernel_bases) == 1:
        return TestResult(DIFFER_CHECK, False, f"all {len(printed)} KASLR runs printed kernel base "
                                               f"{_hex(next(iter(kernel_bases)))}", log)
    direct_maps = len({o.bases.direct_map for o in printed})
    return TestResult(DIFFER_CHECK, True, f"{len(kernel_bases)} distinct kernel bases and {direct_maps} "
                                          f"distinct direct map bases in {len(printed)} runs")


def check_fixed(o: Observation) -> TestResult:
    """With kaslr=off the kernel sits at its link base and the direct map at its fixed base."""
    if o.bases is None:
        why = "; ".join(o.problems) or f"no '{LINE_START}' line"
        return TestResult(FIXED_CHECK, False, f"{o.run}: {why}", o.log)
    problems = []
    if o.bases.kernel != FIXED_KERNEL_BASE:
        problems.append(f"kernel base {_hex(o.bases.kernel)}, expected {_hex(FIXED_KERNEL_BASE)}")
    if o.bases.direct_map != FIXED_DIRECT_MAP_BASE:
        problems.append(f"direct map base {_hex(o.bases.direct_map)}, expected {_hex(FIXED_DIRECT_MAP_BASE)}")
    if problems:
        return TestResult(FIXED_CHECK, False, f"{o.run}: {'; '.join(problems)}", o.log)
    return TestResult(FIXED_CHECK, True, f"kernel base {_hex(o.bases.kernel)}, "
                                         f"direct map base {_hex(o.bases.direct_map)}")
