# The shell run: boots RaeenOS as `make run` does (the service manager starts rae-vfsd, rae-consoled and
# rsh on the console), types commands on the serial line as a person would, and checks what each prints
# after it: files through the VFS, /bin, ps, a pipe, exit statuses, a program with a bad ELF, the kernel
# log. Then it kills the VFS service and the console service through the service manager and shows that
# both come back and the same shell keeps working, and checks that the framebuffer shows the session too.
import os
import re
import time

from console import SerialLink, _wait_for, check_screen
from image import ImageError, read_ppm, write_png
from psf import load_psf
from qmp import QmpClient, QmpError
from results import TestResult, display_path
from serial_log import read_log

CMDLINE = ""  # the default boot: bin/init with etc/services
BOOT_DONE = "kernel: boot complete"
PROMPT_RE = re.compile(r"(\S*) \$ $")  # rsh's prompt: "<cwd> $ "
COMMAND_TIMEOUT = 30.0  # seconds for one command's output and the next prompt (TCG, a loaded host)

# (what to type, regular expressions the output after it must match, in order). The output is the text
# between the typed line's echo and the next prompt. A command ending in CTRL_C is typed, left to run
# for a moment, then interrupted with Ctrl-C.
CTRL_C = "\x03"
# A program that holds a console slot and its CPU until Ctrl-C ends it: a spinning Lua, which says
# when it spins ('sp' .. 'in', so the echo of the typed line does not); Lua catches SIGINT itself and
# ends with "lua: interrupted!" and status 1. A thread spinning in user mode once kept its CPU from
# the console's threads for seconds (docs/services/console.md).
SPIN = "lua -e \"io.write('sp' .. 'in') io.flush() while true do end\""
SPIN_SAYS = "spin"
SPIN_TIMES = 34
# A third element is text to wait for after the command (lines that other processes print after the
# prompt); an empty line then asks for a fresh prompt.
STEPS: list[tuple] = [
    ("echo hi > /tmp/a; cat /tmp/a", [r"^hi$"]),
    ("ls /bin", [r"\bsh\b", r"\bls\b", r"\bcat\b", r"\bservices\b"]),
    ("echo one two | cat", [r"^one two$"]),
    # POSIX quoting (issue 12, item 9): inside "..." a backslash stays unless it escapes $ ` " \ or a
    # newline; '...' keeps everything; outside quotes a backslash escapes any character; "" and '' are
    # empty arguments (two spaces in echo's output); $ expands inside "..." but not inside '...'.
    ('echo "a\\nb"', [r"^a\\nb$"]),
    ("""echo "q\\"q" 'x\\y' a\\ b "d\\$x" "\\\\" \\$HOME""", [r'^q"q x\\y a b d\$x \\ \$HOME$']),
    ("""echo [a "" b '' c]""", [r"^\[a  b  c\]$"]),
    ("""export G=wo; echo "hi $G" '$G' \\$G "${G}rld" $NO_SUCH_NAME end""", [r"^hi wo \$G \$G world end$"]),
    # Backslash-newline continues the line, inside double quotes and outside; the shell asks for the
    # rest with "> " (both lines are typed at once, the second read ahead).
    ('echo "con\\\rtinued"', [r"^continued$"]),
    ("echo one \\\rtwo", [r"^one two$"]),
    ("cat /no/such/file; echo status $?", [r"cat: /no/such/file: No such file or directory",
                                          r"^status 1$"]),
    ("/bin/badelf", [r"rsh: /bin/badelf: Exec format error"]),
    ("ps", [r"PID +PPID", r" shell$", r" ps$"]),
    ("uname -a", [r"^RaeenOS "]),
    ("dmesg", [r"^kernel: boot complete", r"^servicemgr: started shell"]),
    ("mkdir -p /tmp/d/e; echo deep > /tmp/d/e/f; cp /tmp/d/e/f /tmp/g; cat /tmp/g", [r"^deep$"]),
    ("lua -e \"print(string.format('%.4f', math.sqrt(2)))\"", [r"^1\.4142$"]),
    # A foreground program waiting for input ends at Ctrl-C with 128 + SIGINT.
    ("cat" + CTRL_C, []),
    ("echo status $?", [r"^status 130$"]),
    # Issue 12: each program interrupted while it runs used to keep a console slot (32 of them), until
    # new programs' output was lost. More Ctrl-Cs than slots, then a new program is still heard.
    *[(SPIN + CTRL_C, [r"^lua: interrupted!"], SPIN_SAYS)] * SPIN_TIMES,
    ("echo status $?", [r"^status 1$"]),
    ("lua -e \"print('heard after ' .. 34 .. ' interrupts')\"", [r"^heard after 34 interrupts$"]),
    ("services", [r"^vfs +running", r"^console +running", r"^shell +running"]),
    # The VFS service dies; the manager restarts it behind the same endpoint and the shell reconnects.
    ("services kill vfs", [], "vfsd: initrd: "),
    ("services", [r"^vfs +running +\d+ +1 +"]),
    # A child shell loses its session the same way and opens a new one through the endpoint its parent
    # passed it: the cat it starts after the kill is read through the new instance.
    ("sh -c 'services kill vfs; cat /etc/motd'", [r"RaeenOS"], "vfsd: initrd: "),
    # The console service dies too: the shell's reads attach to the new instance by themselves.
    ("services kill console", [], "consoled: serial"),
    ("echo still here", [r"^still here$"]),
    ("services", [r"^console +running +\d+ +1 +"]),
    ("cat /etc/motd", [r"RaeenOS"]),
    ("echo after > /tmp/b; cat /tmp/b", [r"^after$"]),
]
# Rows the framebuffer must show at the end (the console mirrors the session there).
SCREEN_ROWS = ["/ $ echo after > /tmp/b; cat /tmp/b", "after"]


def _wait_prompt(boot, log: str, start: int, deadline: float) -> tuple[str, int] | None:
    """Waits for a prompt after offset `start` of the log; returns (text since start, end offset)."""
    while time.monotonic() < deadline:
        text = read_log(log)
        tail = text[start:]
        lines = tail.split("\n")
        if lines and PROMPT_RE.search(lines[-1]):
            return tail, len(text)
        if not boot.running():
            return None
        time.sleep(0.1)
    return None


def check_output(command: str, output: str, patterns: list[str]) -> list[str]:
    """Problems: patterns that no line of the command's output matches."""
    lines = output.split("\n")
    # Drop the typed line's echo (the first line) and the next prompt (the last).
    body = lines[1:-1] if len(lines) > 1 else []
    problems = []
    for pattern in patterns:
        rx = re.compile(pattern)
        if not any(rx.search(line) for line in body):
            shown = " | ".join(body[:6])[:200]
            problems.append(f"{command!r}: no line matching {pattern!r} (output: {shown!r})")
    return problems


def run_shell(run, iso: str, log: str, logs_dir: str, timeout: float, boot_cls) -> list[TestResult]:
    ppm = os.path.abspath(os.path.join(logs_dir, f"{run.name}.ppm"))
    png = os.path.join(logs_dir, f"{run.name}.png")
    problems: list[str] = []
    done = 0
    with boot_cls(run.platform, iso, log, with_qmp=True, serial_socket=True) as boot:
        deadline = time.monotonic() + timeout
        link = SerialLink(boot.serial_socket, log)
        try:
            # The kernel's and the manager's last boot lines may come after the first prompt:
            # once the boot is complete, an empty line asks for a fresh one.
            got = None
            if _wait_for(boot, log, BOOT_DONE, deadline) and _wait_for(boot, log, "$ ", deadline):
                time.sleep(0.5)
                start = len(read_log(log))
                link.send(b"\r")
                got = _wait_prompt(boot, log, start, min(deadline, time.monotonic() + COMMAND_TIMEOUT))
            if got is None:
                problems.append("no shell prompt after boot")
            start = got[1] if got else 0
            for command, patterns, *settle in STEPS if got else []:
                step_deadline = min(deadline, time.monotonic() + COMMAND_TIMEOUT)
                typed_at = len(read_log(log))
                if command.endswith(CTRL_C):
                    link.send(command[:-1].encode() + b"\r")
                    if settle:  # Ctrl-C once the program printed this
                        while settle[0] not in read_log(log)[typed_at:] and \
                                time.monotonic() < step_deadline and boot.running():
                            time.sleep(0.05)
                    else:
                        time.sleep(2)
                    link.send(CTRL_C.encode())
                else:
                    link.send(command.encode() + b"\r")
                if settle and not command.endswith(CTRL_C):
                    while settle[0] not in read_log(log)[typed_at:] and \
                            time.monotonic() < step_deadline and boot.running():
                        time.sleep(0.1)
                    time.sleep(0.5)
                    link.send(b"\r")
                got = _wait_prompt(boot, log, start, step_deadline)
                if got is None:
                    problems.append(f"{command!r}: no prompt after it")
                    break
                output, start = got
                problems += check_output(command, output, patterns)
                done += 1
            with QmpClient(boot.qmp_socket) as qmp:
                problems += _screen(qmp, ppm, png)
                qmp.execute("quit")
        except (QmpError, OSError) as e:
            problems.append(f"{type(e).__name__}: {e}")
        finally:
            boot.wait(time.monotonic() + 5)
            link.close()
    text = read_log(log)
    if "PANIC" in text or "panic:" in text:
        problems.append("the kernel panicked")
    # The console and the VFS are pinged every 5 s all along (their manifests' health checks): busy
    # with this session they must still answer in time.
    problems += [f"health check: {line.strip()}" for line in text.split("\n")
                 if "did not answer its health check" in line][:2]
    if problems:
        shown = "; ".join(problems[:4]) + (f"; and {len(problems) - 4} more" if len(problems) > 4 else "")
        where = f"; screen: {display_path(png)}" if os.path.exists(png) else ""
        return [TestResult(run.name, False, shown + where, log)]
    return [TestResult(run.name, True, f"{done} commands typed and checked, screen rows shown")]


def _screen(qmp: QmpClient, ppm: str, png: str) -> list[str]:
    font = load_psf()
    problems = ["no screendump"]
    for attempt in range(3):
        if attempt:
            time.sleep(1)
        try:
            qmp.execute("screendump", {"filename": ppm})
            image = read_ppm(ppm)
        except (QmpError, ImageError, OSError) as e:
            problems = [f"screendump: {e}"]
            continue
        write_png(image, png)
        problems = check_screen(image, font, SCREEN_ROWS)
        if not problems:
            break
    return problems
