# Parses KTAP v1 kernel test results out of a serial log that also holds boot messages.
import re
from dataclasses import dataclass, field

HEADER = "KTAP version 1"
_PLAN_RE = re.compile(r"^1\.\.(\d+)\s*$")
_RESULT_RE = re.compile(r"^(ok|not ok) (\d+)(?: -)?(?: ([^#]*?))?\s*(?:#\s*(.*))?$")
_DONE_RE = re.compile(r"ktest: done: (\d+) passed, (\d+) failed")


@dataclass
class KtapCase:
    number: int
    name: str
    ok: bool
    skip_reason: str | None = None
    diagnostics: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> bool:
        return self.skip_reason is not None

    @property
    def failed(self) -> bool:
        return not self.ok and not self.skipped


@dataclass
class KtapReport:
    found_header: bool = False
    plan: int | None = None
    cases: list[KtapCase] = field(default_factory=list)
    done: tuple[int, int] | None = None  # the kernel's "ktest: done: X passed, Y failed"

    def problems(self) -> list[str]:
        """Why the report as a whole cannot be trusted; empty when it is complete."""
        if not self.found_header:
            return [f"no '{HEADER}' line"]
        found = []
        if self.plan is None:
            found.append("no plan line '1..N'")
        elif len(self.cases) != self.plan:
            found.append(f"plan says {self.plan} tests, {len(self.cases)} reported")
        elif [c.number for c in self.cases] != list(range(1, self.plan + 1)):
            found.append("test numbers are not 1..N in order")
        if self.done is None:
            found.append("no 'ktest: done: X passed, Y failed' line")
        else:
            passed, failed = self.done
            n_failed = sum(c.failed for c in self.cases)
            n_ok = sum(c.ok and not c.skipped for c in self.cases)
            n_skipped = sum(c.skipped for c in self.cases)
            # Whether the kernel counts skips as passed is its choice.
            if failed != n_failed or passed not in (n_ok, n_ok + n_skipped):
                found.append(
                    f"kernel says {passed} passed, {failed} failed but KTAP has "
                    f"{n_ok} ok, {n_skipped} skipped, {n_failed} not ok"
                )
        return found


def parse_ktap(text: str) -> KtapReport:
    """Parses the first KTAP document in cleaned serial text.

    Lines before the header and unrelated kernel messages are ignored;
    indented lines belong to subtests and are not counted.
    """
    report = KtapReport()
    lines = text.split("\n")
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == HEADER)
    except StopIteration:
        return report
    report.found_header = True
    pending: list[str] = []  # KTAP puts a test's diagnostics before its result
    for line in lines[start + 1:]:
        if line[:1].isspace():
            continue
        line = line.rstrip()
        done = _DONE_RE.search(line)
        if done:
            report.done = (int(done.group(1)), int(done.group(2)))
            break
        plan = _PLAN_RE.match(line)
        if plan and report.plan is None:
            report.plan = int(plan.group(1))
            continue
        result = _RESULT_RE.match(line)
        if result:
            case = _case_from_match(result)
            case.diagnostics, pending = pending, []
            report.cases.append(case)
            continue
        if line.startswith("#"):
            pending.append(line[1:].strip())
    return report


def _case_from_match(m: re.Match) -> KtapCase:
    status, number, name, directive = m.groups()
    skip_reason = None
    if directive and directive.upper().startswith("SKIP"):
        skip_reason = directive[4:].strip()
    return KtapCase(number=int(number), name=name or f"test{number}", ok=status == "ok",
                    skip_reason=skip_reason)
