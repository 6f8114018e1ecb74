# Checks a boot of the service manager (bin/init) with the test manifests (tests/rootfs/etc/services-test/): what the
# manager reported and what bin/svctest, the client it started, found.
import re
from dataclasses import dataclass

# The kernel command line of the run: the default manifests, then the test ones.
CMDLINE = "services=etc/services,etc/services-test"
# svctest's last line; the run ends when it appears.
DONE_RE = re.compile(r"^svctest: done: (\d+) passed, (\d+) failed$", re.M)
DONE_TEXT = "svctest: done:"
MIN_PASSED = 47  # svctest's checks; fewer means some never ran


@dataclass(frozen=True)
class LogCheck:
    name: str
    pattern: str  # a regular expression one line of the log must match in full


LOG_CHECKS = (
    LogCheck("manifest_error_reported_with_line",
             r"servicemgr: etc/services-test/broken\.svc:5: unknown key 'colour'; skipped"),
    LogCheck("dependency_cycle_reported",
             r"servicemgr: cycle-a not started: dependency cycle: cycle-a -> cycle-b -> cycle-a"),
    LogCheck("dependent_of_cycle_not_started",
             r"servicemgr: cycle-c not started: needs 'cycle-a', which cannot start"),
    LogCheck("missing_dependency_reported",
             r"servicemgr: missing-dep not started: needs 'nonexistent', which no manifest defines"),
    LogCheck("crash_seen_and_restart_scheduled",
             r"servicemgr: echo ended with status 0x100 \(killed for a fault\); restart 1 in 100 ms"),
    LogCheck("service_restarted", r"servicemgr: restarted echo \(pid \d+\), restart 1"),
    LogCheck("crash_loop_marked_failed",
             r"servicemgr: crashy failed: it ended 3 times in a row \(max-restarts 2\), "
             r"last status 0x100 \(killed for a fault\)"),
    LogCheck("lookup_without_permission_denied", r"svctest nosy: lookup of echo: RAE_ERR_ACCESS_DENIED"),
    LogCheck("services_table_header", r"NAME +STATE +PID +RESTARTS +HANGS +UPTIME +LAST-EXIT"),
    # Restarted after its crash (0x100) and after svctest killed it (0x101).
    LogCheck("services_table_echo_restarted", r"echo +running +\d+ +2 +0 +\d+\.\d{3} s +0x101"),
    LogCheck("services_table_cycle_failed", r"cycle-a +failed +- +0 +0 +- +-"),
    # The health check (hang.svc): hangd deadlocks, then spins; each time the manager's ping waits
    # out its deadline, the manager says so, kills it and restarts it.
    LogCheck("hang_deadlock_noticed",
             r"servicemgr: hang did not answer its health check in 2000 ms; restarting"),
    LogCheck("hang_killed_and_restart_scheduled",
             r"servicemgr: hang ended with status 0x101 \(killed: no answer to its health check\); "
             r"restart 1 in 100 ms"),
    LogCheck("hang_restarted_after_deadlock", r"servicemgr: restarted hang \(pid \d+\), restart 1"),
    LogCheck("hang_restarted_after_endless_loop", r"servicemgr: restarted hang \(pid \d+\), restart 2"),
    LogCheck("services_table_hang_counted", r"hang +running +\d+ +2 +2 +\d+\.\d{3} s +0x101"),
)

# Lines that must not appear: the real services answer their health checks, and the test service is
# only killed for its two hangs (never while merely slow).
FORBIDDEN = (
    LogCheck("console_and_vfs_not_killed_as_hung",
             r"servicemgr: (console|vfs|shell) did not answer its health check.*"),
    LogCheck("hang_not_restarted_a_third_time", r"servicemgr: restarted hang \(pid \d+\), restart 3"),
)


# The boot's shell (etc/services/shell.svc) runs in this boot too: its prompt can start a line that the
# kernel log, forwarded by the console service, goes on.
PROMPT_PREFIX = re.compile(r"^(\S* \$ )+")


def check_services_log(text: str) -> list[tuple[str, str]]:
    """(check name, problem or "") for each check of the run's serial log."""
    lines = [PROMPT_PREFIX.sub("", line) for line in text.split("\n")]
    text = "\n".join(lines)
    results = []
    for check in LOG_CHECKS:
        regex = re.compile(check.pattern)
        found = any(regex.fullmatch(line.rstrip()) for line in lines)
        results.append((check.name, "" if found else f"no line matching {check.pattern!r}"))
    for check in FORBIDDEN:
        regex = re.compile(check.pattern)
        bad = [line.strip() for line in lines if regex.fullmatch(line.rstrip())]
        results.append((check.name, f"unexpected line {bad[0]!r}" if bad else ""))
    failures = [line.strip() for line in lines if line.startswith("svctest: FAIL: ")]
    done = DONE_RE.search(text)
    if done is None:
        problem = "no 'svctest: done' line"
    elif int(done.group(2)) or failures:
        problem = f"svctest: {done.group(2)} failed: {'; '.join(failures[:4])}"
    elif int(done.group(1)) < MIN_PASSED:
        problem = f"svctest: only {done.group(1)} checks passed, expected at least {MIN_PASSED}"
    else:
        problem = ""
    results.append(("svctest", problem))
    return results
