# Test results and the one report format every level shares: PASS/FAIL lines and a final count.
import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class TestResult:
    """One counted test. reason explains a failure (or annotates a pass, e.g. a skip)."""

    __test__ = False  # not a pytest test class, despite the name

    name: str
    passed: bool
    reason: str = ""
    log: str = ""

    def line(self) -> str:
        if self.passed:
            return f"PASS {self.name}" + (f" ({self.reason})" if self.reason else "")
        text = f"FAIL {self.name}: {self.reason or 'failed'}"
        if self.log:
            text += f" (log: {display_path(self.log)})"
        return text


def display_path(path: str) -> str:
    """Path as a reader in the current directory would type it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


class Reporter:
    """Prints each result as it arrives and keeps the count for the summary line."""

    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.passed = 0
        self.failed = 0

    def report(self, result: TestResult) -> None:
        if result.passed:
            self.passed += 1
        else:
            self.failed += 1
        print(result.line(), file=self.out, flush=True)

    def note(self, text: str) -> None:
        """Progress text that is not a test; never looks like a PASS/FAIL line."""
        print(f"# {text}", file=self.out, flush=True)

    def summary_line(self) -> str:
        return f"{self.passed} passed, {self.failed} failed"
