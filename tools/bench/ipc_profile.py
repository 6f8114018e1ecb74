#!/usr/bin/python3
"""Where the instructions of one register IPC round trip go.

Boots the release kernel (build/release, made by `make bench`) with
`kaslr=off bench=user_ipc_register_call_reply` under QEMU, stopped, with its
gdb stub on a unix socket; gdb lets the benchmark warm up, then single-steps
a few thousand instructions from an entry to ipc_fast_call (the register
call's fast path, object/ipc_fast.c). Between two consecutive entries lies
exactly one round trip; the instructions executed
there are counted per function (user code as <user>). Needs gdb.
"""
import bisect
import collections
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL = os.path.join(REPO, "build", "release", "raecore.elf")
INITRD = os.path.join(REPO, "build", "release", "initrd-test.tar")  # bin/bench_ipcreg
STEPS = 4000
WARM_UP_CALLS = 3000


def symbols(elf):
    out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True, check=True).stdout
    table = [(int(a, 16), n) for a, t, n in (l.split() for l in out.splitlines() if len(l.split()) == 3)
             if t in "tTwW"]
    return [a for a, _ in table], [n for _, n in table]


def main():
    for path in (KERNEL, INITRD):
        if not os.path.isfile(path):
            sys.exit(f"ipc_profile: {path} is missing: run `make bench` first")
    with tempfile.TemporaryDirectory() as tmp:
        iso, sock, trace, cmds = (os.path.join(tmp, n) for n in ("p.iso", "gdb.sock", "pcs.txt", "cmds"))
        subprocess.run([os.path.join(REPO, "tools", "build", "mkiso"), KERNEL, INITRD, iso,
                        "kaslr=off bench=user_ipc_register_call_reply"], check=True, capture_output=True)
        qemu = subprocess.Popen(["qemu-system-x86_64", "-S", "-machine", "q35", "-cpu", "max", "-smp", "2",
                                 "-m", "512M", "-cdrom", iso, "-no-reboot", "-display", "none",
                                 "-serial", "null", "-chardev", f"socket,path={sock},server=on,wait=off,id=g",
                                 "-gdb", "chardev:g"], stderr=subprocess.DEVNULL)
        try:
            script = "\n".join([
                "set pagination off", "set confirm off", f"target remote {sock}",
                "break ipc_fast_call", f"ignore 1 {WARM_UP_CALLS}", "continue", "delete",
                f"set logging file {trace}", "set logging redirect on", "set logging enabled on",
                "set $i = 0", f"while $i < {STEPS}", 'printf "%lx\\n", $pc', "stepi",
                "set $i = $i + 1", "end", "set logging enabled off", "kill", ""])
            for _ in range(50):  # QEMU creates the socket at start
                if os.path.exists(sock):
                    break
                subprocess.run(["sleep", "0.1"])
            with open(cmds, "w") as f:
                f.write(script)
            subprocess.run(["gdb", "-q", "-batch", "-x", cmds, KERNEL], capture_output=True, timeout=900)
        finally:
            qemu.kill()
            qemu.wait()
        pcs = [int(l, 16) for l in open(trace) if l.strip() and all(c in "0123456789abcdef" for c in l.strip())]
    entries = [i for i, pc in enumerate(pcs) if pc == pcs[0]]
    if len(entries) < 2:
        sys.exit("ipc_profile: no complete round trip in the trace")
    addrs, names = symbols(KERNEL)
    counts = collections.Counter(
        "<user>" if pc < 0x800000000000 else names[bisect.bisect_right(addrs, pc) - 1]
        for pc in pcs[entries[0]:entries[1]])
    print(f"one register IPC round trip: {entries[1] - entries[0]} instructions")
    for name, n in counts.most_common():
        print(f"{n:6d}  {name}")


if __name__ == "__main__":
    main()
