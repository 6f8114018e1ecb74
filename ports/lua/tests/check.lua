-- Real work for the Lua interpreter on RaeenOS (ports/lua), run by
-- bin/luatest as `lua /test/lua/check.lua hello 42`: arguments, math,
-- integers, tables and the allocator, strings, coroutines, files through the
-- VFS service, the environment and time. Every result is printed on a line
-- starting "lua: "; tools/test/lua_checks.py computes the same values on the
-- host and the test fails on any difference. What only this side can see
-- (a file read back, memory given back) is checked here: a failed check
-- exits with status 2.

local function check(ok, what)
	if not ok then
		io.stderr:write("lua: CHECK FAILED: ", what, "\n")
		os.exit(2)
	end
end

-- Arguments, as the start-up message carried them.
print(string.format("lua: args %d: %s %s (script %s)", #arg, arg[1], arg[2], arg[0]))
print("lua: HOME=" .. tostring(os.getenv("HOME")) .. ", PATH=" .. tostring(os.getenv("PATH")))

-- libm through string.format and through Lua's own number printing (%.14g).
print(string.format("lua: math %.10f %.10f %.10f %.10f %.6e %.4f", math.sqrt(2), math.exp(1),
	math.log(10), math.atan(1, 2), math.cos(0.5) * 1e-7, math.fmod(-7.5, 2)))
print("lua: floats", 0.1 + 0.2, 1 / 3, 2 ^ 0.5, 1e300 * 1e10, math.pi, -0.0, 2 ^ 53)
print(string.format("lua: ints %d %d %d %d %d %s", math.maxinteger, math.mininteger, 3 % -2,
	-7 // 2, 0x7fff << 17, tostring(math.maxinteger + 1 == math.mininteger)))

-- Tables: a sieve of Eratosthenes.
local N = 100000
local composite = {}
local count, sum = 0, 0
for i = 2, N do
	if not composite[i] then
		count = count + 1
		sum = sum + i
		for j = i * i, N, i do
			composite[j] = true
		end
	end
end
print(string.format("lua: primes below %d: %d, sum %d", N, count, sum))

-- Sorting numbers from a 64-bit linear congruential generator (integer
-- arithmetic wraps modulo 2^64, >> is a logical shift).
local x = 12345
local nums = {}
for i = 1, 20000 do
	x = x * 6364136223846793005 + 1442695040888963407
	nums[i] = (x >> 33) % 1000000
end
table.sort(nums)
local h = 0
for _, v in ipairs(nums) do
	h = (h * 31 + v) % 1000000007
end
print(string.format("lua: sorted %d: min %d, median %d, max %d, hash %d", #nums, nums[1],
	nums[10000], nums[#nums], h))

-- The allocator: a big table of strings grows the heap; the collector
-- gives the memory back.
collectgarbage("collect")
local before = collectgarbage("count")
local parts = {}
for i = 1, 50000 do
	parts[i] = string.format("item%05d", i)
end
local joined = table.concat(parts, ",")
local peak = collectgarbage("count")
local joined_len, third = #joined, joined:sub(21, 29)
parts, joined = nil, nil
collectgarbage("collect")
local after = collectgarbage("count")
check(peak - before > 2000, "50000 strings took over 2000 KiB")
check(after < peak - 2000, "the collector gave them back")
print(string.format("lua: concat 50000 items, %d bytes, third %s", joined_len, third))

-- Strings.
local s = "The quick brown fox jumps over the lazy dog"
local words = 0
for _ in s:gmatch("%a+") do
	words = words + 1
end
local zeroed, replaced = s:gsub("o", "0")
print(string.format("lua: strings %d words, %s, %s, %d replaced: %s, %s, [%s]", words, s:upper(),
	s:reverse(), replaced, zeroed, ("ab"):rep(3, ","), s:sub(5, 9)))
print(string.format("lua: format %08.3f|%-5d|%x|%5s|%c|%g|%q", math.pi, 42, 65025, "ab", 65, 1e20,
	"a\"b"))
print(string.format("lua: utf8 %d %d %s", utf8.len("h\u{E9}llo"), utf8.codepoint("\u{263A}"),
	table.concat({string.byte("\u{E9}!", 1, 3)}, " ")))

-- Coroutines: a generator of Fibonacci numbers.
local fib = coroutine.wrap(function()
	local a, b = 0, 1
	while true do
		coroutine.yield(a)
		a, b = b, a + b
	end
end)
local fsum, last = 0, 0
for _ = 1, 80 do
	last = fib()
	fsum = fsum + last
end
print(string.format("lua: fibonacci 80 terms, last %d, sum %d", last, fsum))

-- Errors are values.
local ok, msg = pcall(error, "boom", 0)
print("lua: pcall " .. tostring(ok) .. ", " .. msg)

-- A file from the image.
local motd = assert(io.open("/etc/motd", "r")):read("a")
print(string.format("lua: motd %d bytes, first line: %s", #motd, motd:match("^[^\n]*")))

-- Files: write, append, read back by lines and whole, seek, rename, remove.
local path = "/lua-check.txt"
local f = assert(io.open(path, "w"))
for i = 1, 200 do
	f:write(string.format("%d %s %.3f\n", i, ("x"):rep(i % 7), math.sqrt(i)))
end
check(f:close(), "close after writing")
f = assert(io.open(path, "a"))
f:write("last line\n")
f:close()
local lines, bytes, total = 0, 0, 0
for line in io.lines(path) do
	lines = lines + 1
	bytes = bytes + #line + 1
	local n = line:match("^(%d+) ")
	if n then
		total = total + tonumber(n)
	end
end
f = assert(io.open(path, "rb"))
local size = f:seek("end")
f:seek("set", 0)
local all = f:read("a")
f:close()
check(size == #all and size == bytes, "seek, read and lines agree on the size")
local fh = 0
for i = 1, #all do
	fh = (fh * 131 + all:byte(i)) % 4294967291
end
print(string.format("lua: file %d lines, %d bytes, numbers sum %d, hash %d", lines, size, total, fh))
assert(os.rename(path, path .. ".old"))
check(io.open(path, "r") == nil, "the old name is gone after rename")
assert(os.remove(path .. ".old"))
local gone, err = io.open(path .. ".old", "r")
print("lua: after remove: " .. tostring(gone) .. ", " .. err)

-- Time: the wall clock and its calendar conversions (musl's gmtime,
-- strftime and mktime; no TZ is set, so local time is UTC).
local t = os.time()
print(string.format("lua: time %d = %s", t, os.date("!%Y-%m-%d %H:%M:%S", t)))
print(string.format("lua: calendar %d %d %s %d", os.time({year = 2000, month = 1, day = 1, hour = 0}),
	os.date("!*t", 86400 * 45).yday, os.date("!%A %d %B %Y", 1e9), os.difftime(t + 90, t)))
local c0 = os.clock()
local spin = 0
for i = 1, 1000000 do
	spin = spin + i % 3
end
local c1 = os.clock()
-- clock(): this process's CPU time, which the spin must have moved.
check(c0 >= 0 and c1 > c0, "os.clock() counts CPU time")
print(string.format("lua: clock advances, spin %d", spin))

print("lua: done")
