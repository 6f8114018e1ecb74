# Parses TAP from host unit tests (cmocka with CMOCKA_MESSAGE_OUTPUT=TAP), one plan per test group.
import re
from dataclasses import dataclass, field

_RESULT_RE = re.compile(r"^(ok|not ok)\b(?:\s+(\d+))?(?:\s*-)?\s*([^#]*?)\s*(?:#\s*(.*))?$")
_PLAN_RE = re.compile(r"^1\.\.(\d+)\b")
# cmocka ends each group with "# ok - NAME" / "# not ok - NAME": not a diagnostic.
_GROUP_END_RE = re.compile(r"^#\s*(?:not )?ok - ")


@dataclass
class TapCase:
    name: str
    ok: bool
    skip_reason: str | None = None
    diagnostics: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> bool:
        return self.skip_reason is not None


@dataclass
class TapReport:
    cases: list[TapCase] = field(default_factory=list)
    plans: list[int] = field(default_factory=list)
    bail_out: str | None = None

    def problems(self) -> list[str]:
        """What makes the output as a whole wrong, beyond failed cases."""
        found = []
        if self.bail_out is not None:
            found.append(f"bailed out: {self.bail_out}".rstrip(": "))
        if not self.plans and not self.cases:
            found.append("no TAP output")
        elif sum(self.plans) != len(self.cases):
            found.append(f"planned {sum(self.plans)} cases, reported {len(self.cases)}")
        return found


def parse_tap(text: str) -> TapReport:
    """Parses TAP text; tolerates several plans (cmocka prints one per group)."""
    report = TapReport()
    last = None
    for raw in text.splitlines():
        line = raw.strip()
        plan = _PLAN_RE.match(line)
        if plan:
            report.plans.append(int(plan.group(1)))
            continue
        if line.startswith("Bail out!"):
            report.bail_out = line[len("Bail out!"):].strip()
            continue
        result = _RESULT_RE.match(line)
        if result:
            last = _case_from_match(result)
            report.cases.append(last)
            continue
        if line.startswith("#") and last is not None and not last.ok and not _GROUP_END_RE.match(line):
            last.diagnostics.append(line[1:].strip())
    return report


def _case_from_match(m: re.Match) -> TapCase:
    status, _number, name, directive = m.groups()
    skip_reason = None
    if directive and directive.upper().startswith("SKIP"):
        skip_reason = directive[4:].strip()
        # cmocka prints "not ok 3 # SKIP test_name": the name is in the reason.
        if not name:
            name, skip_reason = skip_reason, ""
    return TapCase(name=name or "(unnamed)", ok=status == "ok", skip_reason=skip_reason)
