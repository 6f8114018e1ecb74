#!/usr/bin/python3
"""The service-contract generator: reads services/contracts/<name>.contract
and writes the protocol's C code and its documentation page.

    contract_gen.py FILE.contract --header H --client C --server S
    contract_gen.py FILE.contract --doc docs/contracts/NAME.md
    contract_gen.py --check-docs    exit 1 if a committed page differs

The language is described in docs/contracts.md. In short: a contract names
its protocol, the prefix of its constants and the C header its types and
limits come from, then lists requests, each with the fields of its request
and of its reply. Every field lands in one place of the IPC message
(abi/rae/ipc.h): integers in the four words, byte strings, records and
arrays of records in the one buffer, handles in the handle slots. The reply's
tag is the result: >= 0 (a count, a descriptor) or a negative rae_status_t.
"""
import argparse
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTRACTS = os.path.join(REPO, "services", "contracts")
DOCS = os.path.join(REPO, "docs", "contracts")

WORDS = 4
HANDLES = 4
# Integer types: C type, bits, signed.
INTEGERS = {
    "u8": ("uint8_t", 8, False),
    "u16": ("uint16_t", 16, False),
    "u32": ("uint32_t", 32, False),
    "u64": ("uint64_t", 64, False),
    "i32": ("int32_t", 32, True),
    "i64": ("int64_t", 64, True),
}
RIGHTS = ["READ", "WRITE", "EXECUTE", "MAP", "DUPLICATE", "TRANSFER", "SIGNAL", "WAIT",
          "MANAGE"]
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
# A bound: a number or a C constant expression without brackets or dots.
BOUND = r"[A-Za-z0-9_ +\-*()]+"


class ContractError(ValueError):
    """A mistake in a contract file, with its file and line."""

    def __init__(self, path, line, message):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


class Field:
    def __init__(self, name, kind, line, doc):
        self.name, self.kind, self.line, self.doc = name, kind, line, doc
        self.ctype = None       # integers: the C type; records and arrays: the element
        self.bits = 64
        self.signed = False
        self.min = "0"          # strings and bytes: length bounds (C expressions)
        self.max = None         # strings, bytes: bytes; arrays: elements
        self.rights = []        # handles
        self.word = None        # integers and counted buffers: the word
        self.counted = False    # buffers: their length (or count) also goes in a word
        self.slot = None        # handles: the slot

    @property
    def in_buffer(self):
        return self.kind in ("string", "bytes", "record", "array")


class Message:
    def __init__(self):
        self.fields = []

    def words(self):
        return [f for f in self.fields if f.word is not None]

    def buffer(self):
        return [f for f in self.fields if f.in_buffer]

    def handles(self):
        return [f for f in self.fields if f.kind == "handle"]


class Request:
    def __init__(self, name, number, line, doc):
        self.name, self.number, self.line, self.doc = name, number, line, doc
        self.request, self.reply = Message(), Message()


class Contract:
    def __init__(self, path):
        self.path = path
        self.name = None
        self.prefix = None
        self.includes = []
        self.unknown = "RAE_ERR_UNSUPPORTED"
        self.doc = []
        self.requests = []


def parse_type(path, lineno, field, text):
    m = re.fullmatch(r"(u8|u16|u32|u64|i32|i64)", text)
    if m:
        field.kind = "int"
        field.ctype, field.bits, field.signed = INTEGERS[text]
        return
    m = re.fullmatch(r"handle\(\s*([A-Z, ]*)\)", text)
    if m:
        field.kind = "handle"
        rights = [r.strip() for r in m.group(1).split(",") if r.strip()]
        for r in rights:
            if r not in RIGHTS:
                raise ContractError(path, lineno, f"unknown right {r!r} (one of {', '.join(RIGHTS)})")
        if not rights:
            raise ContractError(path, lineno, "a handle needs at least one right")
        field.rights = rights
        return
    m = re.fullmatch(r"(string|bytes)\[(" + BOUND + r")(?:\.\.(" + BOUND + r"))?\]", text)
    if m:
        field.kind = m.group(1)
        if m.group(3) is not None:
            field.min, field.max = m.group(2).strip(), m.group(3).strip()
        else:
            field.max = m.group(2).strip()
        return
    m = re.fullmatch(r"record\(\s*((?:struct\s+)?" + IDENT + r")\s*\)", text)
    if m:
        field.kind = "record"
        field.ctype = m.group(1)
        return
    m = re.fullmatch(r"array\(\s*((?:struct\s+)?" + IDENT + r")\s*,\s*(" + BOUND + r")\)", text)
    if m:
        field.kind = "array"
        field.ctype, field.max = m.group(1), m.group(2).strip()
        return
    raise ContractError(path, lineno, f"unknown type {text!r}")


def place(path, request, which, msg):
    """Gives each integer (and counted buffer) a word, each handle a slot,
    and checks that the buffer can be taken apart again."""
    used = {}
    for f in msg.fields:
        if f.word is not None:
            if f.word in used:
                raise ContractError(path, f.line, f"word {f.word} is already {used[f.word]}")
            used[f.word] = f.name
    buffer = msg.buffer()
    for i, f in enumerate(buffer):
        if i < len(buffer) - 1:
            f.counted = True  # only the last one's length follows from the buffer's
        if f.kind in ("record", "array") and i != 0:
            raise ContractError(path, f.line, f"{f.kind} {f.name!r} must come first in the buffer "
                                "(it is read in place, aligned)")
    if which == "reply" and len(buffer) > 1:
        raise ContractError(path, buffer[1].line, "a reply carries at most one buffer field")
    for f in msg.fields:
        if (f.kind == "int" or f.counted) and f.word is None:
            free = [w for w in range(WORDS) if w not in used]
            if not free:
                raise ContractError(path, f.line, f"more than {WORDS} words in the {which} of {request.name}")
            f.word = free[0]
            used[f.word] = f.name
    for slot, f in enumerate(msg.handles()):
        if slot >= HANDLES:
            raise ContractError(path, f.line, f"more than {HANDLES} handles in the {which} of {request.name}")
        f.slot = slot


def parse(text, path="<contract>"):
    """The contract in `text`; ContractError names the line of a mistake."""
    c = Contract(path)
    doc = []
    current = None   # the request being read
    msg = None       # its request or reply
    which = None
    names = set()
    numbers = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("///"):
            doc.append(line[3:].strip())
            continue
        if not line or line.startswith("#"):
            if not line and current is None and c.name and doc and not c.requests:
                c.doc += doc + [""]
                doc = []
            continue
        words = line.split()
        head = words[0]
        if current is None:
            if head == "protocol":
                if len(words) != 2 or not re.fullmatch(r"[a-z][a-z0-9_]*", words[1]):
                    raise ContractError(path, lineno, "protocol takes one lower-case name")
                if c.name:
                    raise ContractError(path, lineno, "a second protocol line")
                c.name = words[1]
                c.doc += doc
                doc = []
                continue
            if c.name is None:
                raise ContractError(path, lineno, "a contract starts with `protocol NAME`")
            if head == "prefix":
                if len(words) != 2 or not re.fullmatch(r"[A-Z][A-Z0-9_]*", words[1]):
                    raise ContractError(path, lineno, "prefix takes one upper-case C name")
                c.prefix = words[1]
                continue
            if head == "include":
                if len(words) != 2 or not re.fullmatch(r"[A-Za-z0-9_/.]+\.h", words[1]):
                    raise ContractError(path, lineno, "include takes one header path (rae/vfs.h)")
                c.includes.append(words[1])
                continue
            if head == "unknown":
                if len(words) != 2 or not re.fullmatch(r"RAE_ERR_[A-Z_]+", words[1]):
                    raise ContractError(path, lineno, "unknown takes one RAE_ERR_ status")
                c.unknown = words[1]
                continue
            if head == "request":
                m = re.fullmatch(r"request\s+([A-Z][A-Z0-9_]*)\s*=\s*(\d+|0x[0-9a-fA-F]+)", line)
                if not m:
                    raise ContractError(path, lineno, "expected `request NAME = NUMBER`")
                name, number = m.group(1), int(m.group(2), 0)
                if name in names:
                    raise ContractError(path, lineno, f"request {name} is declared twice")
                if number in numbers:
                    raise ContractError(path, lineno, f"number {number} is already {numbers[number]}")
                if number == 0 or number >= 0xffff0000:
                    raise ContractError(path, lineno, "request numbers are 1 to 0xfffeffff "
                                        "(0 is no request; above are reserved: RAE_SVC_PING)")
                names.add(name)
                numbers[number] = name
                current = Request(name, number, lineno, doc)
                doc = []
                msg, which = current.request, "request"
                continue
            raise ContractError(path, lineno, f"unexpected {head!r} outside a request")
        if head == "reply" and len(words) == 1:
            if which == "reply":
                raise ContractError(path, lineno, "a second reply")
            msg, which = current.reply, "reply"
            continue
        if head == "end" and len(words) == 1:
            place(path, current, "request", current.request)
            place(path, current, "reply", current.reply)
            c.requests.append(current)
            current = None
            continue
        m = re.fullmatch(r"(" + IDENT + r")\s*:\s*(.+?)(\s+counted)?(?:\s+@w([0-3]))?", line)
        if not m:
            raise ContractError(path, lineno, "expected `name: type`, `reply` or `end`")
        fname = m.group(1)
        if fname in [f.name for f in msg.fields]:
            raise ContractError(path, lineno, f"field {fname!r} is declared twice")
        if fname in ("call", "handlers", "ctx"):
            raise ContractError(path, lineno, f"{fname!r} is a reserved name")
        f = Field(fname, None, lineno, doc)
        doc = []
        parse_type(path, lineno, f, m.group(2).strip())
        if m.group(3):
            if not f.in_buffer:
                raise ContractError(path, lineno, "only buffer fields can be counted")
            f.counted = True
        if m.group(4) is not None:
            if f.kind != "int" and not f.counted:
                raise ContractError(path, lineno, "only integers and counted buffers take a word")
            f.word = int(m.group(4))
        msg.fields.append(f)
    if current is not None:
        raise ContractError(path, current.line, f"request {current.name} has no `end`")
    if c.name is None:
        raise ContractError(path, 1, "a contract starts with `protocol NAME`")
    if c.prefix is None:
        raise ContractError(path, 1, "no `prefix` line")
    if not c.requests:
        raise ContractError(path, 1, "no requests")
    return c


def load(path):
    with open(path) as f:
        return parse(f.read(), os.path.relpath(path, REPO) if path.startswith(REPO) else path)


# --- C ----------------------------------------------------------------------

def const(c, r):
    return f"{c.prefix}_{r.name}"


def lower(r):
    return r.name.lower()


def struct_name(c, r, which):
    return f"{c.name}_{lower(r)}_{which}_t"


def rights_expr(f):
    return " | ".join(f"RAE_RIGHT_{r}" for r in f.rights)


def byte_max(f):
    """The most bytes a buffer field can take, as a C expression."""
    if f.kind == "record":
        return f"sizeof({f.ctype})"
    if f.kind == "array":
        return f"(({f.max}) * sizeof({f.ctype}))"
    return f"({f.max})"


def comment(lines, indent=""):
    lines = [line for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        return []
    if len(lines) == 1:
        return [f"{indent}/* {lines[0]} */"]
    out = [f"{indent}/* {lines[0]}"]
    out += [f"{indent} * {line}" if line else f"{indent} *" for line in lines[1:]]
    out[-1] += " */"
    return out


def struct_fields(f, which):
    """The C members of one field in its request or reply struct."""
    doc = comment(f.doc, "\t")
    if f.kind == "int":
        return doc + [f"\t{f.ctype} {f.name};"]
    if f.kind == "handle":
        return doc + [f"\trae_handle_t {f.name}; /* {' | '.join(f.rights)} */"]
    if f.kind in ("string", "bytes"):
        const_ = "const " if which == "request" else ""
        ptr = "char" if f.kind == "string" else "void"
        out = doc + [f"\t{const_}{ptr} *{f.name};", f"\tuint32_t {f.name}_len; /* bytes */"]
        if which == "reply":
            out.append(f"\tuint32_t {f.name}_cap; /* client: room at {f.name} */")
        return out
    if f.kind == "record":
        const_ = "const " if which == "request" else ""
        return doc + [f"\t{const_}{f.ctype} *{f.name};"]
    const_ = "const " if which == "request" else ""
    out = doc + [f"\t{const_}{f.ctype} *{f.name};", f"\tuint32_t {f.name}_count;"]
    if which == "reply":
        out.append(f"\tuint32_t {f.name}_cap; /* client: room at {f.name}, in records */")
    return out


def header(c):
    guard = f"RAE_CONTRACT_{c.name.upper()}_H"
    out = [f"/* The {c.name} protocol: generated from services/contracts/{c.name}.contract",
           " * by tools/build/contract_gen.py. Do not edit; see docs/contracts.md. */",
           f"#ifndef {guard}", f"#define {guard}", "", "#include <stdint.h>",
           "#include <rae/ipc.h>", "#include <rae/status.h>"]
    out += [f"#include <{inc}>" for inc in c.includes]
    out.append("")
    out += comment(c.doc)
    out.append("")
    for r in c.requests:
        out.append(f"#define {const(c, r)} {r.number}")
    out.append(f"#define {c.prefix}_REQUESTS {len(c.requests)} /* requests in the protocol */")
    out.append("")
    for r in c.requests:
        for which, msg in (("request", r.request), ("reply", r.reply)):
            out += comment([f"{r.name} {which}."] + (r.doc if which == "request" else []))
            out.append(f"typedef struct {{")
            members = []
            for f in msg.fields:
                members += struct_fields(f, which)
            if not members:
                members = ["\tuint8_t none; /* no fields */"]
            out += members
            out.append(f"}} {struct_name(c, r, which)};")
            out.append("")
    out += [f"/* A decoded request: which one (its number) and its fields. */",
            "typedef struct {", "\tuint64_t number;", "\tunion {"]
    for r in c.requests:
        out.append(f"\t\t{struct_name(c, r, 'request')} {lower(r)};")
    out += ["\t} u;", f"}} {c.name}_request_t;", ""]
    out += ["/* Client stubs: each packs its request, calls `h` and checks and unpacks",
            " * the reply. They return the reply's result (>= 0) or a negative status:",
            " * the call's own (RAE_ERR_PEER_CLOSED, RAE_ERR_TIMED_OUT...), the server's,",
            " * RAE_ERR_RANGE for a request field out of its bounds, or",
            " * RAE_ERR_INVALID for a malformed reply (its handles are then closed).",
            " * Reply buffers land at the pointers the caller puts in `reply`. */"]
    for r in c.requests:
        out.append(f"int64_t {c.name}_{lower(r)}_call(rae_handle_t h, uint64_t timeout_ns,")
        out.append(f"\t\tconst {struct_name(c, r, 'request')} *request,")
        out.append(f"\t\t{struct_name(c, r, 'reply')} *reply);")
    out.append("")
    out += ["/* The server side. Each handler gets the call (for its badge), the decoded",
            " * request and a zeroed reply to fill; it returns the result (>= 0) or a",
            " * negative status. A handler that keeps a request's handle sets it to",
            " * RAE_HANDLE_INVALID; the others are closed after it returns. Reply",
            " * buffers point at the handler's own memory, valid until the reply is sent.",
            " * `admit` (may be NULL) runs after decoding, before the handler: a",
            " * non-zero return refuses the request with that status. */",
            "typedef struct {",
            "\tint64_t (*admit)(void *ctx, const rae_msg_t *call, uint64_t number);"]
    for r in c.requests:
        out.append(f"\tint64_t (*{lower(r)})(void *ctx, const rae_msg_t *call,")
        out.append(f"\t\t\t{struct_name(c, r, 'request')} *request,")
        out.append(f"\t\t\t{struct_name(c, r, 'reply')} *reply);")
    out += [f"}} {c.name}_handlers_t;", ""]
    out += ["/* Checks a received call against the contract: a known number, every",
            " * integer within its type, buffer lengths within their bounds and adding",
            " * up, strings without NUL bytes, records whole, handles present. Fills",
            " * *out (buffer fields point into the call's buffer) and returns RAE_OK;",
            f" * {c.unknown} for an unknown number, RAE_ERR_RANGE for a",
            " * buffer field over its bound, RAE_ERR_INVALID for anything else. Closes",
            " * nothing. */",
            f"rae_status_t {c.name}_decode(const rae_msg_t *call, {c.name}_request_t *out);",
            "",
            "/* Answers one received call (not a one-way message): RAE_SVC_PING at once",
            " * (word 0 back), otherwise decodes it and runs its handler. Fills *reply",
            " * (tag the result; words, buffer and handles only for a result >= 0),",
            " * closes the call's handles nobody kept and returns the result. */",
            f"int64_t {c.name}_dispatch(const {c.name}_handlers_t *handlers, void *ctx,",
            "\t\trae_msg_t *call, rae_msg_t *reply);", "", "#endif", ""]
    return "\n".join(out)


def int_check(f, expr):
    """A C condition that is true when the word `expr` does not fit f."""
    if f.bits == 64:
        return None
    if f.signed:
        lo = -(1 << (f.bits - 1))
        hi = (1 << (f.bits - 1)) - 1
        return f"(int64_t){expr} < {lo}ll || (int64_t){expr} > {hi}ll"
    return f"{expr} > 0x{(1 << f.bits) - 1:x}ull"


def decode_fields(c, msg, src, dst, error, side):
    """C lines that check and take apart the words, buffer and handles of
    message `src` (a rae_msg_t *) into struct `dst`. `error(status)` makes the
    failure statement."""
    out = []
    words = msg.words()
    handles = msg.handles()
    buffer = msg.buffer()
    out.append(f"\tif ({src}->handle_count != {len(handles)})")
    out.append(f"\t\t{error('RAE_ERR_INVALID')}")
    for f in words:
        if f.kind == "int":
            chk = int_check(f, f"{src}->words[{f.word}]")
            if chk:
                out.append(f"\tif ({chk})")
                out.append(f"\t\t{error('RAE_ERR_INVALID')}")
            out.append(f"\t{dst}->{f.name} = ({f.ctype}){src}->words[{f.word}];")
    for f in handles:
        out.append(f"\t{dst}->{f.name} = {src}->handles[{f.slot}];")
    if not buffer:
        out.append(f"\tif ({src}->buf_len != 0)")
        out.append(f"\t\t{error('RAE_ERR_INVALID')}")
        return out
    out.append(f"\tuint64_t left = {src}->buf_len;")
    base = f"(const uint8_t *)(uintptr_t){src}->buf" if side == "server" else "in"
    out.append(f"\tconst uint8_t *at = {base};")
    for i, f in enumerate(buffer):
        last = i == len(buffer) - 1
        if f.counted:
            out.append(f"\tuint64_t {f.name}_n = {src}->words[{f.word}];")
        else:
            if f.kind == "array":
                out.append(f"\tif (left % sizeof({f.ctype}) != 0)")
                out.append(f"\t\t{error('RAE_ERR_INVALID')}")
                out.append(f"\tuint64_t {f.name}_n = left / sizeof({f.ctype});")
            elif f.kind != "record":
                out.append(f"\tuint64_t {f.name}_n = left;")
        size = (f"{f.name}_n * sizeof({f.ctype})" if f.kind == "array" else
                f"sizeof({f.ctype})" if f.kind == "record" else f"{f.name}_n")
        if f.kind == "record":
            if f.counted:
                out.append(f"\tif ({f.name}_n != 1)")
                out.append(f"\t\t{error('RAE_ERR_INVALID')}")
            out.append(f"\tif (left {'!=' if last else '<'} {size})")
            out.append(f"\t\t{error('RAE_ERR_INVALID')}")
        else:
            out.append(f"\tif ({f.name}_n > ({f.max}))")
            out.append(f"\t\t{error('RAE_ERR_RANGE')}")
            if f.min != "0":
                out.append(f"\tif ({f.name}_n < ({f.min}))")
                out.append(f"\t\t{error('RAE_ERR_INVALID')}")
            out.append(f"\tif (left {'!=' if last else '<'} {size})")
            out.append(f"\t\t{error('RAE_ERR_INVALID')}")
        if f.kind == "string":
            out.append(f"\tif ({f.name}_n && memchr(at, 0, {f.name}_n))")
            out.append(f"\t\t{error('RAE_ERR_INVALID')}")
        if side == "server":
            ptr = {"string": "const char", "bytes": "const void"}.get(f.kind, f"const {f.ctype}")
            out.append(f"\t{dst}->{f.name} = ({ptr} *)at;")
        else:
            # The client copies into the caller's memory (a scratch buffer
            # was used) or the reply already landed there.
            if f.kind == "record":
                out.append(f"\tif (at != (const uint8_t *){dst}->{f.name})")
                out.append(f"\t\tmemcpy({dst}->{f.name}, at, {size});")
            else:
                out.append(f"\tif ({f.name}_n > {dst}->{f.name}_cap)")
                out.append(f"\t\t{error('RAE_ERR_INVALID')}")
                out.append(f"\tif (at != (const uint8_t *){dst}->{f.name})")
                out.append(f"\t\tmemcpy({dst}->{f.name}, at, {size});")
        if f.kind in ("string", "bytes"):
            out.append(f"\t{dst}->{f.name}_len = (uint32_t){f.name}_n;")
        elif f.kind == "array":
            out.append(f"\t{dst}->{f.name}_count = (uint32_t){f.name}_n;")
        if not last:
            out.append(f"\tat += {size};")
            out.append(f"\tleft -= {size};")
    return out


def encode_buffer(f, src):
    """(pointer, byte length) C expressions of buffer field f in struct src."""
    if f.kind in ("string", "bytes"):
        return f"{src}->{f.name}", f"{src}->{f.name}_len"
    if f.kind == "record":
        return f"{src}->{f.name}", f"sizeof({f.ctype})"
    return f"{src}->{f.name}", f"(uint64_t){src}->{f.name}_count * sizeof({f.ctype})"


def encode_count(f, src):
    if f.kind in ("string", "bytes"):
        return f"{src}->{f.name}_len"
    if f.kind == "record":
        return "1"
    return f"{src}->{f.name}_count"


def client(c):
    out = [f"/* Client stubs of the {c.name} protocol: generated from services/contracts/"
           f"{c.name}.contract", " * by tools/build/contract_gen.py. Do not edit. */",
           "#ifdef RAE_HOST_TEST", "#include <string.h>",
           f"#include <rae/{c.name}_contract.h>",
           "/* The host test's: it answers with forged replies. */",
           "int64_t rae_ipc_call(rae_handle_t h, rae_msg_t *msg, uint64_t timeout_ns);",
           "rae_status_t rae_handle_close(rae_handle_t h);",
           "#else", "#include <rae.h>", f"#include <rae/{c.name}_contract.h>", "#endif", "",
           "/* A refused or failed reply: closes the handles it brought. Out of line,",
           " * once for all the stubs, as it is the rare path. */",
           "__attribute__((noinline, cold)) static int64_t drop(const rae_msg_t *m, int64_t result)",
           "{",
           "\tfor (uint32_t i = 0; i < m->handle_count && i < RAE_IPC_HANDLES_MAX; i++)",
           "\t\trae_handle_close(m->handles[i]);",
           "\treturn result;",
           "}", ""]
    for r in c.requests:
        req, rep = r.request, r.reply
        rq_buf, rp_buf = req.buffer(), rep.buffer()
        out.append(f"int64_t {c.name}_{lower(r)}_call(rae_handle_t h, uint64_t timeout_ns,")
        out.append(f"\t\tconst {struct_name(c, r, 'request')} *request,")
        out.append(f"\t\t{struct_name(c, r, 'reply')} *reply)")
        out.append("{")
        if not rp_buf and not rep.fields:
            out.append("\t(void)reply;")
        if not req.fields:
            out.append("\t(void)request;")
        out.append(f"\trae_msg_t m = {{.tag = {const(c, r)}}};")
        for f in req.fields:
            if f.kind in ("string", "bytes"):
                out.append(f"\tif (request->{f.name}_len > ({f.max}))")
                out.append("\t\treturn RAE_ERR_RANGE;")
                if f.min != "0":
                    out.append(f"\tif (request->{f.name}_len < ({f.min}))")
                    out.append("\t\treturn RAE_ERR_RANGE;")
            if f.kind == "array":
                out.append(f"\tif (request->{f.name}_count > ({f.max}))")
                out.append("\t\treturn RAE_ERR_RANGE;")
        for f in req.fields:
            if f.kind == "int":
                out.append(f"\tm.words[{f.word}] = (uint64_t)request->{f.name};")
            elif f.counted:
                out.append(f"\tm.words[{f.word}] = (uint64_t){encode_count(f, 'request')};")
        for f in req.handles():
            out.append(f"\tm.handles[{f.slot}] = request->{f.name};")
        if req.handles():
            out.append(f"\tm.handle_count = {len(req.handles())};")
        # One buffer serves both ways: a request with several buffer fields,
        # or with a buffer and a reply buffer, is packed into scratch.
        scratch = len(rq_buf) > 1 or (rq_buf and rp_buf)
        if scratch:
            rq_max = " + ".join(byte_max(f) for f in rq_buf)
            size = rq_max
            if rp_buf:
                rp_max = byte_max(rp_buf[0])
                size = f"(({rq_max}) > {rp_max} ? ({rq_max}) : {rp_max})"
            out.append(f"\t_Static_assert({size} <= RAE_IPC_BUF_MAX, \"fits one message\");")
            out.append(f"\tuint8_t scratch[{size}] __attribute__((aligned(8)));")
            out.append("\tuint64_t used = 0;")
            for f in rq_buf:
                ptr, n = encode_buffer(f, "request")
                out.append(f"\tmemcpy(scratch + used, {ptr}, {n});")
                out.append(f"\tused += {n};")
            out.append("\tm.buf = (uint64_t)(uintptr_t)scratch;")
            out.append("\tm.buf_len = (uint32_t)used;")
            if rp_buf:
                out.append("\tm.buf_cap = sizeof(scratch);")
        elif rq_buf:
            ptr, n = encode_buffer(rq_buf[0], "request")
            out.append(f"\tm.buf = (uint64_t)(uintptr_t){ptr};")
            out.append(f"\tm.buf_len = (uint32_t)({n});")
        elif rp_buf:
            f = rp_buf[0]
            out.append(f"\tm.buf = (uint64_t)(uintptr_t)reply->{f.name};")
            if f.kind == "record":
                out.append(f"\tm.buf_cap = sizeof({f.ctype});")
            elif f.kind == "array":
                out.append(f"\tuint64_t cap = (uint64_t)reply->{f.name}_cap * sizeof({f.ctype});")
                out.append(f"\tm.buf_cap = cap > {byte_max(f)} ? (uint32_t){byte_max(f)} : (uint32_t)cap;")
            else:
                out.append(f"\tm.buf_cap = reply->{f.name}_cap > ({f.max}) ? (uint32_t)({f.max})"
                           f" : reply->{f.name}_cap;")
        out.append("\tint64_t st = rae_ipc_call(h, &m, timeout_ns);")
        out.append("\tif (st != RAE_OK)")
        out.append("\t\treturn st;")
        out.append("\tint64_t result = (int64_t)m.tag;")
        out.append("\tif (result < 0)")
        out.append("\t\tgoto drop;")
        if rp_buf and scratch:
            out.append("\tconst uint8_t *in = scratch;")
        elif rp_buf:
            out.append(f"\tconst uint8_t *in = (const uint8_t *)reply->{rp_buf[0].name};")
        # Whatever is wrong with a reply, the caller learns RAE_ERR_INVALID.
        out += decode_fields(c, rep, "(&m)", "reply",
                             lambda s: "{ result = RAE_ERR_INVALID; goto drop; }", "client")
        out.append("\treturn result;")
        out.append("drop:")
        out.append("\treturn drop(&m, result);")
        out.append("}")
        out.append("")
    return "\n".join(out)


def server(c):
    out = [f"/* The server side of the {c.name} protocol: generated from services/contracts/"
           f"{c.name}.contract", " * by tools/build/contract_gen.py. Do not edit. */",
           "#include <string.h>", "#include <rae/services.h>",
           f"#include <rae/{c.name}_contract.h>", "",
           "#ifdef RAE_HOST_TEST",
           "rae_status_t rae_handle_close(rae_handle_t h); /* the host test's */",
           "#else", "#include <rae_syscalls.h>", "#endif", ""]
    for r in c.requests:
        out.append(f"static rae_status_t decode_{lower(r)}(const rae_msg_t *call,")
        out.append(f"\t\t{struct_name(c, r, 'request')} *q)")
        out.append("{")
        if not r.request.fields:
            out.append("\t(void)q;")
        out += decode_fields(c, r.request, "call", "q", lambda s: f"return {s};", "server")
        out.append("\treturn RAE_OK;")
        out.append("}")
        out.append("")
    out.append(f"rae_status_t {c.name}_decode(const rae_msg_t *call, {c.name}_request_t *out)")
    out.append("{")
    out.append("\tmemset(out, 0, sizeof(*out));")
    out.append("\tout->number = call->tag;")
    out.append("\tif (call->handle_count > RAE_IPC_HANDLES_MAX || call->buf_len > RAE_IPC_BUF_MAX)")
    out.append("\t\treturn RAE_ERR_INVALID;")
    out.append("\tswitch (call->tag) {")
    for r in c.requests:
        out.append(f"\tcase {const(c, r)}: return decode_{lower(r)}(call, &out->u.{lower(r)});")
    out.append(f"\tdefault: return {c.unknown};")
    out.append("\t}")
    out.append("}")
    out.append("")
    for r in c.requests:
        rep = r.reply
        out.append(f"static int64_t run_{lower(r)}(const {c.name}_handlers_t *handlers, void *ctx,")
        out.append(f"\t\trae_msg_t *call, {struct_name(c, r, 'request')} *q, rae_msg_t *reply)")
        out.append("{")
        out.append(f"\t{struct_name(c, r, 'reply')} p;")
        out.append("\tmemset(&p, 0, sizeof(p));")
        if not rep.fields:
            out.append("\t(void)reply;")
        out.append(f"\tint64_t result = handlers->{lower(r)} ? handlers->{lower(r)}(ctx, call, q, &p)"
                   f" : {c.unknown};")
        for f in r.request.handles():
            out.append(f"\tif (q->{f.name} != RAE_HANDLE_INVALID)")
            out.append(f"\t\trae_handle_close(q->{f.name});")
        out.append("\tif (result < 0) {")
        if rep.handles():
            for f in rep.handles():
                out.append(f"\t\tif (p.{f.name} != RAE_HANDLE_INVALID)")
                out.append(f"\t\t\trae_handle_close(p.{f.name});")
        out.append("\t\treturn result;")
        out.append("\t}")
        for f in rep.fields:
            if f.kind == "int":
                out.append(f"\treply->words[{f.word}] = (uint64_t)p.{f.name};")
            elif f.counted:
                out.append(f"\treply->words[{f.word}] = (uint64_t){encode_count(f, '(&p)')};")
        for f in rep.handles():
            out.append(f"\treply->handles[{f.slot}] = p.{f.name};")
        if rep.handles():
            out.append(f"\treply->handle_count = {len(rep.handles())};")
        for f in rep.buffer():
            ptr, n = encode_buffer(f, "(&p)")
            out.append(f"\treply->buf = (uint64_t)(uintptr_t){ptr};")
            out.append(f"\treply->buf_len = (uint32_t)({n});")
        out.append("\treturn result;")
        out.append("}")
        out.append("")
    out.append("/* The handlers' admission check; once it passes, the handler owns the")
    out.append(" * declared handles (run_* closes those it did not keep). */")
    out.append(f"static int64_t admit(const {c.name}_handlers_t *handlers, void *ctx, rae_msg_t *call,")
    out.append("\t\tuint64_t number)")
    out.append("{")
    out.append("\tint64_t result = handlers->admit ? handlers->admit(ctx, call, number) : 0;")
    out.append("\tif (result == 0)")
    out.append("\t\tcall->handle_count = 0;")
    out.append("\treturn result;")
    out.append("}")
    out.append("")
    out.append("/* One switch decodes and runs (the hot path of every service): the same")
    out.append(f" * checks as {c.name}_decode, request by request. */")
    out.append(f"int64_t {c.name}_dispatch(const {c.name}_handlers_t *handlers, void *ctx,")
    out.append("\t\trae_msg_t *call, rae_msg_t *reply)")
    out.append("{")
    out.append("\tmemset(reply, 0, sizeof(*reply));")
    out.append("\tint64_t result;")
    out.append(f"\t{c.name}_request_t q;")
    out.append("\tif (call->tag == RAE_SVC_PING) { /* the manager's health check: alive */")
    out.append("\t\treply->words[0] = call->words[0];")
    out.append("\t\tresult = RAE_OK;")
    out.append("\t} else if (call->handle_count > RAE_IPC_HANDLES_MAX || call->buf_len > RAE_IPC_BUF_MAX) {")
    out.append("\t\tresult = RAE_ERR_INVALID;")
    out.append("\t} else {")
    out.append("\t\tswitch (call->tag) {")
    for r in c.requests:
        n = lower(r)
        out.append(f"\t\tcase {const(c, r)}:")
        out.append(f"\t\t\tresult = decode_{n}(call, &q.u.{n});")
        out.append("\t\t\tif (result == RAE_OK)")
        out.append(f"\t\t\t\tresult = admit(handlers, ctx, call, {const(c, r)});")
        out.append("\t\t\tif (result == RAE_OK)")
        out.append(f"\t\t\t\tresult = run_{n}(handlers, ctx, call, &q.u.{n}, reply);")
        out.append("\t\t\tbreak;")
    out.append(f"\t\tdefault: result = {c.unknown}; break;")
    out.append("\t\t}")
    out.append("\t}")
    out.append("\tfor (uint32_t i = 0; i < call->handle_count && i < RAE_IPC_HANDLES_MAX; i++)")
    out.append("\t\trae_handle_close(call->handles[i]);")
    out.append("\tcall->handle_count = 0;")
    out.append("\treply->tag = (uint64_t)result;")
    out.append("\treturn result;")
    out.append("}")
    out.append("")
    return "\n".join(out)


# --- documentation ----------------------------------------------------------

def describe_type(f):
    if f.kind == "int":
        return f"`{[k for k, v in INTEGERS.items() if v[0] == f.ctype][0]}`"
    if f.kind == "handle":
        return "handle (" + ", ".join(f.rights) + ")"
    if f.kind in ("string", "bytes"):
        bound = f"{f.max}" if f.min == "0" else f"{f.min} to {f.max}"
        what = "string (no NUL)" if f.kind == "string" else "bytes"
        return f"{what}, {bound} bytes"
    if f.kind == "record":
        return f"one `{f.ctype}`"
    return f"array of `{f.ctype}`, at most {f.max}"


def where(f):
    if f.kind == "handle":
        return f"handle {f.slot}"
    if f.kind == "int":
        return f"w{f.word}"
    return "buffer" + (f", its length in w{f.word}" if f.counted and f.kind != "array" else
                       f", its count in w{f.word}" if f.counted else "")


def doc_page(c):
    out = [f"# The {c.name} protocol",
           "",
           f"<!-- generated from services/contracts/{c.name}.contract by "
           "tools/build/contract_gen.py; do not edit -->",
           ""]
    out += [line for line in c.doc]
    while out and not out[-1]:
        out.pop()
    out += ["",
            f"Requests are IPC calls; the request's number is the tag, the reply's tag is "
            f"the result (>= 0, or a negative status). An unknown number gets `{c.unknown}`; "
            "a request the contract rejects gets `RAE_ERR_RANGE` (a buffer field over its "
            "bound) or `RAE_ERR_INVALID`. How to read this page: [contracts.md](../contracts.md).",
            ""]
    for r in c.requests:
        out.append(f"## {r.name} ({r.number})")
        out.append("")
        if r.doc:
            out += [" ".join(r.doc).replace("  ", " ").strip(), ""]
        for label, msg in (("Request", r.request), ("Reply", r.reply)):
            if not msg.fields:
                out.append(f"{label}: nothing but the tag.")
                out.append("")
                continue
            out.append(f"| {label.lower()} field | type | where | meaning |")
            out.append("| --- | --- | --- | --- |")
            for f in msg.fields:
                meaning = " ".join(f.doc).replace("|", "\\|")
                out.append(f"| `{f.name}` | {describe_type(f)} | {where(f)} | {meaning} |")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def all_contracts():
    return sorted(os.path.join(CONTRACTS, n) for n in os.listdir(CONTRACTS) if n.endswith(".contract"))


def write_if_changed(path, text):
    """Writes text to path; an unchanged file is only touched, so make
    sees it newer than the generator and the contract."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    try:
        with open(path) as f:
            if f.read() == text:
                os.utime(path)
                return
    except FileNotFoundError:
        pass
    with open(path, "w") as f:
        f.write(text)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("contract", nargs="?")
    ap.add_argument("--header")
    ap.add_argument("--client")
    ap.add_argument("--server")
    ap.add_argument("--doc")
    ap.add_argument("--check-docs", action="store_true",
                    help="compare docs/contracts/*.md with what the contracts make")
    ap.add_argument("--write-docs", action="store_true", help="rewrite docs/contracts/*.md")
    a = ap.parse_args(argv)
    try:
        if a.check_docs or a.write_docs:
            stale = []
            for path in all_contracts():
                c = load(path)
                page = os.path.join(DOCS, c.name + ".md")
                text = doc_page(c)
                if a.write_docs:
                    write_if_changed(page, text)
                elif not os.path.exists(page) or open(page).read() != text:
                    stale.append(page)
            for page in stale:
                print(f"{os.path.relpath(page, REPO)} is out of date: run "
                      "tools/build/contract_gen.py --write-docs", file=sys.stderr)
            return 1 if stale else 0
        if not a.contract:
            ap.error("a contract file, or --check-docs / --write-docs")
        c = load(a.contract)
        for path, make in ((a.header, header), (a.client, client), (a.server, server),
                           (a.doc, doc_page)):
            if path:
                write_if_changed(path, make(c))
    except ContractError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
