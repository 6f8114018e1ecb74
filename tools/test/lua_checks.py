# What the Lua interpreter (ports/lua) must print when bin/luatest runs it (KTEST user_lua_program):
# every value computed here, on the host, in Python, from the same inputs as the `-e` chunk in
# apps/tests/luatest.c and the script ports/lua/tests/check.lua, never copied from Lua's output.
import calendar
import errno
import math
import os
import re
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MOTD = os.path.join(REPO, "rootfs", "etc", "motd")
SCRIPT = "/test/lua/check.lua"
# lib/posix/time.c: the wall clock starts at 2026-01-01 00:00:00 UTC until the kernel reads one.
EPOCH_FLOOR = calendar.timegm((2026, 1, 1, 0, 0, 0))


def lua_number(x: float) -> str:
    """Lua 5.4's tostring of a float: "%.14g", plus ".0" when that looks like an integer."""
    s = format(x, ".14g")
    return s + ".0" if re.fullmatch(r"-?\d+", s) else s


def wrap64(v: int) -> int:
    """v as a Lua integer: two's complement, 64 bits."""
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >> 63 else v


def lua_floor_div(a: int, b: int) -> int:
    return a // b  # Python's // floors, as Lua's does


def lua_mod(a: int, b: int) -> int:
    return a % b  # the sign of the divisor, as in Lua


def primes(n: int) -> list[int]:
    sieve = bytearray([1]) * (n + 1)
    sieve[0:2] = b"\0\0"
    for i in range(2, int(n ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(range(i * i, n + 1, i)))
    return [i for i in range(n + 1) if sieve[i]]


def sorted_lcg() -> str:
    x, nums = 12345, []
    for _ in range(20000):
        x = (x * 6364136223846793005 + 1442695040888963407) & ((1 << 64) - 1)
        nums.append((x >> 33) % 1000000)
    nums.sort()
    h = 0
    for v in nums:
        h = (h * 31 + v) % 1000000007
    return f"lua: sorted {len(nums)}: min {nums[0]}, median {nums[9999]}, max {nums[-1]}, hash {h}"


def file_content() -> bytes:
    lines = [f"{i} {'x' * (i % 7)} {math.sqrt(i):.3f}\n" for i in range(1, 201)]
    return ("".join(lines) + "last line\n").encode()


def fibonacci(terms: int) -> tuple[int, int]:
    a, b, total, last = 0, 1, 0, 0
    for _ in range(terms):
        last = a
        total += a
        a, b = b, a + b
    return last, total


def expected_lines() -> list[str]:
    """Every line the two successful runs must print, in full."""
    s = "The quick brown fox jumps over the lazy dog"
    p = primes(100000)
    joined = ",".join(f"item{i:05d}" for i in range(1, 50001))
    data = file_content()
    fh = 0
    for byte in data:
        fh = (fh * 131 + byte) % 4294967291
    numbers = sum(int(line.split(" ")[0]) for line in data.decode().splitlines() if line[0].isdigit())
    with open(MOTD, "rb") as f:
        motd = f.read()
    last, fsum = fibonacci(80)
    floats = [0.1 + 0.2, 1 / 3, 2 ** 0.5, math.inf, math.pi, -0.0, float(2 ** 53)]
    maxint, minint = (1 << 63) - 1, -(1 << 63)
    hello, smile, e_bang = "h\u00e9llo", "\u263a", "\u00e9!".encode()
    motd_first = motd.decode().split("\n")[0]
    file_lines = data.count(b"\n")
    return [
        f"lua -e: sin(1) = {math.sin(1):.6f}, 2^10 = {1 << 10}, 7 // 2 = {lua_floor_div(7, 2)}",
        f"lua: args 2: hello 42 (script {SCRIPT})",
        "lua: HOME=/, PATH=nil",
        f"lua: math {math.sqrt(2):.10f} {math.exp(1):.10f} {math.log(10):.10f} {math.atan2(1, 2):.10f} "
        f"{math.cos(0.5) * 1e-7:.6e} {math.fmod(-7.5, 2):.4f}",
        "lua: floats\t" + "\t".join(lua_number(v) for v in floats),
        f"lua: ints {maxint} {minint} {lua_mod(3, -2)} {lua_floor_div(-7, 2)} {0x7fff << 17} "
        f"{str(wrap64(maxint + 1) == minint).lower()}",
        f"lua: primes below 100000: {len(p)}, sum {sum(p)}",
        sorted_lcg(),
        f"lua: concat 50000 items, {len(joined)} bytes, third {joined[20:29]}",
        f"lua: strings {len(re.findall('[A-Za-z]+', s))} words, {s.upper()}, {s[::-1]}, {s.count('o')} "
        f"replaced: {s.replace('o', '0')}, {','.join(['ab'] * 3)}, [{s[4:9]}]",
        "lua: format %08.3f|%-5d|%x|%5s|%c|%g|%s" % (math.pi, 42, 65025, "ab", 65, 1e20, '"a\\"b"'),
        f"lua: utf8 {len(hello)} {ord(smile)} {' '.join(str(b) for b in e_bang)}",
        f"lua: fibonacci 80 terms, last {last}, sum {fsum}",
        "lua: pcall false, boom",
        f"lua: motd {len(motd)} bytes, first line: {motd_first}",
        f"lua: file {file_lines} lines, {len(data)} bytes, numbers sum {numbers}, hash {fh}",
        f"lua: after remove: nil, /lua-check.txt.old: {os.strerror(errno.ENOENT)}",
        f"lua: calendar {calendar.timegm((2000, 1, 1, 0, 0, 0))} {time.gmtime(86400 * 45).tm_yday} "
        f"{time.strftime('%A %d %B %Y', time.gmtime(10 ** 9))} 90",
        f"lua: clock advances, spin {sum(i % 3 for i in range(1, 1000001))}",
        "lua: done",
    ]


def literal(line: str) -> str:
    """A pattern matching line as it is, to the end of its log line; spaces stay readable."""
    return re.sub(r"([.^$*+?{}\[\]\\|()])", r"\\\1", line) + r"\r?$"


TIME_RE = re.compile(r"lua: time (\d+) = ")


def line_patterns(text: str) -> tuple[str, ...]:
    """Regular expressions, one per line the run must have printed: the fixed lines above, the
    wall-clock line with the date the host computes from the printed seconds (a clock at least
    at RaeenOS's epoch), and the refusal of a missing script."""
    patterns = [literal(line) for line in expected_lines()]
    seen = TIME_RE.search(text)
    if seen and int(seen.group(1)) >= EPOCH_FLOOR:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(seen.group(1))))
        patterns.append(literal(f"lua: time {seen.group(1)} = {when}"))
    else:
        patterns.append(rf"lua: time \d+ = (a time at or after {EPOCH_FLOOR})")
    patterns.append(literal(f"lua: cannot open /test/lua/no-such-script.lua: {os.strerror(errno.ENOENT)}"))
    return tuple(patterns)
