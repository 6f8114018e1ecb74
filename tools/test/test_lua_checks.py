# Checks of the Lua run's log checks (lua_checks.py, KTEST user_lua_program): a log with every
# value right passes, and one wrong value, a wrong date for the printed seconds, a clock before
# RaeenOS's epoch or a missing refusal fails.
import re

import log_checks
import lua_checks

SECONDS = lua_checks.EPOCH_FLOOR + 86400 * 40 + 3723  # 2026-02-10 01:02:03


def good_log() -> str:
    lines = lua_checks.expected_lines()
    lines.insert(-1, f"lua: time {SECONDS} = 2026-02-10 01:02:03")
    lines.append("lua: cannot open /test/lua/no-such-script.lua: No such file or directory")
    return "".join(f"{line}\r\n" for line in ["KTAP version 1", *lines, "ok 1 user_lua_program"])


def test_a_right_log_passes():
    assert log_checks.missing_lines("user_lua_program", good_log()) == []


def test_the_host_computes_the_values():
    lines = lua_checks.expected_lines()
    assert "lua -e: sin(1) = 0.841471, 2^10 = 1024, 7 // 2 = 3" in lines
    assert "lua: primes below 100000: 9592, sum 454396537" in lines  # pi(10^5) = 9592
    assert lua_checks.lua_number(-0.0) == "-0.0" and lua_checks.lua_number(2 ** 0.5) == "1.4142135623731"
    assert lua_checks.wrap64((1 << 63)) == -(1 << 63)


def test_one_wrong_value_fails():
    text = good_log()
    for right, wrong in (("0.841471", "0.841470"), ("sum 454396537", "sum 454396536"),
                         ("Welcome to RaeenOS.", "Welcome"), ("-0.0", "0.0"), ("[quick]", "[quick ]")):
        assert right in text
        missing = log_checks.missing_lines("user_lua_program", text.replace(right, wrong, 1))
        assert len(missing) == 1, (right, missing)


def test_the_date_must_match_the_printed_seconds():
    text = good_log()
    missing = log_checks.missing_lines("user_lua_program", text.replace("01:02:03", "01:02:04"))
    assert missing and re.search(missing[0], f"lua: time {SECONDS} = 2026-02-10 01:02:03")
    early = text.replace(f"lua: time {SECONDS} = 2026-02-10 01:02:03",
                         "lua: time 1000 = 1970-01-01 00:16:40")
    assert any("at or after" in p for p in log_checks.missing_lines("user_lua_program", early))


def test_the_missing_script_must_be_refused():
    text = good_log().replace("lua: cannot open /test/lua/no-such-script.lua", "lua: opened")
    assert len(log_checks.missing_lines("user_lua_program", text)) == 1
