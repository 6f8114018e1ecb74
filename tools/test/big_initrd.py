# The big-initrd run: the system's own initrd plus 64 MiB of extra files (made here, under build/, as
# `make iso EXTRA_ROOTFS=DIR` would add them) boots to the shell, and a Lua script among the extra files
# reads every file back through rae-vfsd and compares each 4 KiB block with what was written. An initrd
# the kernel copies into one capped memory object (16 MiB until issue 14) stops at the first process. The
# script then writes into one of the files, which vfsd must copy out of the initrd's read-only pages.
import os
import shutil
import subprocess
import time

from console import SerialLink, _wait_for
from results import TestResult
from serial_log import read_log
from shell import BOOT_DONE, _wait_prompt

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MKINITRD = os.path.join(REPO_ROOT, "tools", "build", "mkinitrd")
CMDLINE = ""  # the default boot, as for the shell run
FILES = 8
FILE_BYTES = 8 << 20
BLOCK = 4096
EXTRA_BYTES = FILES * FILE_BYTES  # 64 MiB
DIR = "big"  # the files are /big/blob-NN, the script /big/check.lua
COMMAND = f"lua /{DIR}/check.lua"
DONE = f"bigcheck: {EXTRA_BYTES} bytes in {FILES} files read, 0 problems"
READ_TIMEOUT = 240.0  # 64 MiB through the VFS service, on TCG and a loaded host


def block_text(f: int, b: int) -> bytes:
    """Block b of file f: a line naming it, then one letter (so a misplaced page shows)."""
    head = f"big {f:02d} block {b:05d}\n".encode()
    return head + bytes([97 + (f + b) % 26]) * (BLOCK - len(head))


CHECK_LUA = f"""-- Made by tools/test/big_initrd.py: reads back every block of /{DIR}/blob-NN.
local files, blocks, block, bad, bytes = {FILES}, {FILE_BYTES // BLOCK}, {BLOCK}, 0, 0
for f = 0, files - 1 do
  local name = string.format("/{DIR}/blob-%02d", f)
  local h, err = io.open(name, "rb")
  if not h then
    print("bigcheck: " .. tostring(err))
    bad = bad + 1
  else
    for b = 0, blocks - 1 do
      local head = string.format("big %02d block %05d\\n", f, b)
      local want = head .. string.rep(string.char(97 + (f + b) % 26), block - #head)
      local got = h:read(block)
      if got ~= want then
        print(string.format("bigcheck: %s block %d is not what was written", name, b))
        bad = bad + 1
        break
      end
      bytes = bytes + #got
    end
    if h:read(1) ~= nil then
      print("bigcheck: " .. name .. " is longer than written")
      bad = bad + 1
    end
    h:close()
  end
end
-- A file from the initrd takes a write (copied into vfsd's own blocks; the initrd's pages stay read-only).
local name = string.format("/{DIR}/blob-%02d", files - 1)
local h = io.open(name, "r+b")
if not h or not h:write("changed") then
  print("bigcheck: cannot write " .. name)
  bad = bad + 1
end
if h then h:close() end
h = io.open(name, "rb")
local first = h and h:read(block)
local second = h and h:read(block)
local head = string.format("big %02d block %05d\\n", files - 1, 1)
if not first or first:sub(1, 7) ~= "changed" or
   second ~= head .. string.rep(string.char(97 + (files - 1 + 1) % 26), block - #head) then
  print("bigcheck: " .. name .. " does not read back as written")
  bad = bad + 1
end
if h then h:close() end
print(string.format("bigcheck: %d bytes in %d files read, %d problems", bytes, files, bad))
"""


def make_extra_root(root: str) -> None:
    """Writes the extra files: root/big/blob-00 .. blob-07 (8 MiB each) and root/big/check.lua."""
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, DIR))
    for f in range(FILES):
        with open(os.path.join(root, DIR, f"blob-{f:02d}"), "wb") as out:
            out.write(b"".join(block_text(f, b) for b in range(FILE_BYTES // BLOCK)))
    with open(os.path.join(root, DIR, "check.lua"), "w") as out:
        out.write(CHECK_LUA)


def build_big_initrd(system_initrd: str, work: str) -> tuple[str, str]:
    """The system initrd's files plus the extra root, packed by tools/build/mkinitrd as `make iso
    EXTRA_ROOTFS=` does. Returns (path of the archive, "") or ("", why it could not be made)."""
    base, extra = os.path.join(work, "base"), os.path.join(work, "extra")
    out = os.path.join(work, "initrd-big.tar")
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    proc = subprocess.run(["tar", "-xf", system_initrd, "-C", base], capture_output=True, text=True)
    if proc.returncode != 0:
        return "", f"cannot unpack {system_initrd}: {proc.stderr.strip()}"
    make_extra_root(extra)
    proc = subprocess.run([MKINITRD, out, os.path.join(work, "stage"), base, extra],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return "", f"mkinitrd failed: {proc.stderr.strip()}"
    shutil.rmtree(os.path.join(work, "stage"), ignore_errors=True)
    return out, ""


def run_big_initrd(run, iso: str, log: str, timeout: float, boot_cls) -> list[TestResult]:
    problems: list[str] = []
    with boot_cls(run.platform, iso, log, serial_socket=True) as boot:
        deadline = time.monotonic() + timeout
        link = SerialLink(boot.serial_socket, log)
        try:
            got = None
            if _wait_for(boot, log, BOOT_DONE, deadline) and _wait_for(boot, log, "$ ", deadline):
                time.sleep(0.5)  # the manager's last lines may follow the first prompt
                start = len(read_log(log))
                link.send(b"\r")
                got = _wait_prompt(boot, log, start, deadline)
            if got is None:
                problems.append("no shell prompt after boot")
            else:
                link.send(COMMAND.encode() + b"\r")
                got = _wait_prompt(boot, log, got[1], min(deadline + READ_TIMEOUT,
                                                          time.monotonic() + READ_TIMEOUT))
                if got is None:
                    problems.append(f"{COMMAND!r}: no prompt after it")
                elif DONE not in got[0]:
                    shown = [line.strip() for line in got[0].split("\n") if line.startswith("bigcheck:")]
                    problems.append(f"{COMMAND!r}: no {DONE!r} line (got {shown[:3] or 'nothing'})")
        except OSError as e:
            problems.append(f"{type(e).__name__}: {e}")
        finally:
            link.close()
    lines = read_log(log).split("\n")
    for i, line in enumerate(lines):
        if "KERNEL PANIC" in line:
            problems.append(line.strip())
        if "cannot start the first process" in line:  # the line before says why
            problems += [x.strip() for x in lines[max(0, i - 1):i + 1]]
    if problems:
        return [TestResult(run.name, False, "; ".join(problems[:4]), log)]
    return [TestResult(run.name, True, f"{EXTRA_BYTES >> 20} MiB of extra files read back, {boot.elapsed():.1f} s")]
