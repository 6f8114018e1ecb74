#!/usr/bin/python3
"""The system call table of docs/syscalls.md, generated from abi/rae/syscalls.def.

    syscall_docs.py            rewrite the table in docs/syscalls.md
    syscall_docs.py --check    exit 1 (and say so) if the committed table differs

The table sits between the two marker lines below; the prose around it is
written by hand. Each row comes from one RAE_SYSCALL entry: its number, name,
typed arguments and the type and rights its first handle needs, with the
"In:" and "Out:" text of the comment above it.
"""
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLE = os.path.join(REPO, "abi", "rae", "syscalls.def")
DOC = os.path.join(REPO, "docs", "syscalls.md")
BEGIN = "<!-- syscall table: generated from abi/rae/syscalls.def by tools/build/syscall_docs.py; do not edit -->"
END = "<!-- end of the generated syscall table -->"

RETURNS = {
    "STATUS": "status",
    "VALUE": "value",
    "HANDLE": "handle",
    "ADDR": "address",
    "TIME": "u64",
    "NORETURN": "none",
}

ENTRY_RE = re.compile(
    r"/\*(?P<comment>(?:(?!\*/).)*)\*/\s*"
    r"#define\s+RAE_SYS_(?P<NAME>\w+)\s+(?P<nr>\d+)\s*"
    r"RAE_SYSCALL\((?P<args>[^)]*)\)",
    re.S)


class SyscallTableError(ValueError):
    pass


def parse_comment(text):
    """The In: and Out: paragraphs of an entry's comment, each one line."""
    parts = {"In": "", "Out": ""}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("*"):
            line = line[1:].strip()
        if not line:
            continue
        m = re.match(r"(In|Out):\s*(.*)", line)
        if m:
            current = m.group(1)
            parts[current] = m.group(2)
        elif current:
            parts[current] += " " + line
        else:
            raise SyscallTableError(f"comment text outside In:/Out:: {line!r}")
    return parts["In"], parts["Out"]


def parse(text):
    """Every entry of the table as a dict, by number; checks what C cannot."""
    entries = []
    for m in ENTRY_RE.finditer(text):
        fields = [f.strip() for f in " ".join(m.group("args").split()).split(",")]
        if len(fields) < 7:
            raise SyscallTableError(f"RAE_SYSCALL({m.group('args')}): too few fields")
        name_upper, name, ret, entry, obj, rights, nargs = fields[:7]
        pairs = fields[7:]
        if name_upper != m.group("NAME"):
            raise SyscallTableError(f"#define RAE_SYS_{m.group('NAME')} above RAE_SYSCALL({name_upper}, ...)")
        if ret not in RETURNS:
            raise SyscallTableError(f"{name_upper}: unknown return kind {ret}")
        if entry not in ("TYPED", "FRAME"):
            raise SyscallTableError(f"{name_upper}: unknown entry kind {entry}")
        if not nargs.isdigit() or len(pairs) != 2 * int(nargs) or int(nargs) > 6:
            raise SyscallTableError(f"{name_upper}: {nargs} arguments declared, {len(pairs) // 2} given")
        args = [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]
        arg_in, arg_out = parse_comment(m.group("comment"))
        if not arg_out:
            raise SyscallTableError(f"{name_upper}: no Out: text")
        entries.append({"nr": int(m.group("nr")), "NAME": name_upper, "name": name, "ret": ret,
                        "entry": entry, "object": obj, "rights": rights, "args": args,
                        "in": arg_in, "out": arg_out})
    if len(re.findall(r"^RAE_SYSCALL\(", text, re.M)) != len(entries):
        raise SyscallTableError("an RAE_SYSCALL entry without its comment and #define")
    numbers = [e["nr"] for e in entries]
    if len(set(numbers)) != len(numbers):
        raise SyscallTableError("a number is used twice")
    return sorted(entries, key=lambda e: e["nr"])


def rights_text(e):
    if e["object"] == "NONE" and e["rights"] == "0":
        return ""
    what = e["object"].lower() if e["object"] != "NONE" else "any object"
    rights = [r.strip().replace("RAE_RIGHT_", "") for r in e["rights"].split("|")] if e["rights"] != "0" else []
    first = e["args"][0][1] if e["args"] else ""
    for t, a in e["args"]:
        if t == "rae_handle_t":
            first = a
            break
    return f"`{first}`: {what}" + (", " + " ".join(f"`{r}`" for r in rights) if rights else "")


def cell(text):
    return text.replace("|", "\\|")


def table(entries):
    rows = ["| # | name | arguments | first handle needs | result | returns |",
            "| --- | --- | --- | --- | --- | --- |"]
    for e in entries:
        sig = ", ".join(f"`{t} {a}`" if not t.endswith("*") else f"`{t}{a}`" for t, a in e["args"])
        if e["entry"] == "FRAME":
            sig += " (a register message: the registers are read and written in place)"
        args = sig + (": " + e["in"] if e["in"] else "")
        rows.append(f"| {e['nr']} | `{e['NAME']}` | {cell(args)} | {cell(rights_text(e))} | "
                    f"{RETURNS[e['ret']]} | {cell(e['out'])} |")
    return "\n".join(rows)


def render(doc_text, table_text):
    """doc_text with its generated table replaced by one from table_text."""
    if doc_text.count(BEGIN) != 1 or doc_text.count(END) != 1:
        raise SyscallTableError(f"{DOC} needs exactly one of each marker line")
    head, rest = doc_text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + BEGIN + "\n" + table(parse(table_text)) + "\n" + END + tail


def main(argv):
    with open(TABLE) as f:
        table_text = f.read()
    with open(DOC) as f:
        doc_text = f.read()
    new = render(doc_text, table_text)
    if "--check" in argv:
        if new != doc_text:
            print(f"{DOC} does not match {TABLE}: run tools/build/syscall_docs.py", file=sys.stderr)
            return 1
        return 0
    if new != doc_text:
        with open(DOC, "w") as f:
            f.write(new)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
