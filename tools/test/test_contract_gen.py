"""tools/build/contract_gen.py: the contract language's parser (what it accepts,
where each field lands, and the line it names for a mistake), the C it
writes (compiled here with the flags of the build), and docs/contracts/*.md,
which must be what the contracts make."""
import os
import subprocess
import sys
import textwrap

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools", "build"))
import contract_gen  # noqa: E402

HEAD = "protocol demo\nprefix DEMO\ninclude rae/vfs.h\n"

# Every kind of field, as a PCI or ACPI protocol will need them: a list of
# records, a bounded array in a request, a record, counted bytes, handles.
EVERYTHING = HEAD + textwrap.dedent("""\
    unknown RAE_ERR_INVALID

    /// Lists records from `first` on.
    request LIST = 1
    \tfirst: u32
    reply
    \tstats: array(struct rae_stat, 16) counted
    \ttotal: u64
    end

    request PUT = 2
    \tids: array(struct rae_stat, 8)
    \tsigned_value: i32
    \tsmall: u8
    \tmid: u16
    \tbig: i64
    \tdevice: handle(READ, MAP)
    \tevent: handle(SIGNAL, WAIT)
    reply
    \tone: record(struct rae_stat)
    end

    request NAMED = 0x30
    \tname: string[2..40]
    \tblob: bytes[100]
    reply
    \tdata: bytes[RAE_VFS_IO_MAX] counted
    \tcount: u32 @w3
    end
""")


def parse(text):
    return contract_gen.parse(text, "demo.contract")


def fields(msg):
    return {f.name: f for f in msg.fields}


def test_the_project_contracts_parse():
    names = set()
    for path in contract_gen.all_contracts():
        c = contract_gen.load(path)
        names.add(c.name)
        assert c.requests and c.prefix.startswith("RAE_")
    assert {"vfs", "console", "names"} <= names


def test_fields_land_where_the_old_protocol_put_them():
    vfs = {r.name: r for r in contract_gen.load(os.path.join(contract_gen.CONTRACTS, "vfs.contract")).requests}
    read = fields(vfs["READ"].request)
    assert (read["fd"].word, read["count"].word, read["offset"].word) == (0, 1, 2)
    write = fields(vfs["WRITE"].request)
    assert (write["fd"].word, write["offset"].word) == (0, 2)
    rename = fields(vfs["RENAME"].request)
    assert rename["from"].counted and rename["from"].word == 0 and not rename["to"].counted
    assert fields(vfs["MOUNT"].request)["fs"].slot == 0
    assert vfs["OPEN_SESSION"].number == 1 and vfs["UNMOUNT"].number == 19


def test_every_kind_of_field():
    c = parse(EVERYTHING)
    r = {x.name: x for x in c.requests}
    assert r["NAMED"].number == 0x30
    lst = fields(r["LIST"].reply)
    assert lst["stats"].kind == "array" and lst["stats"].word == 0 and lst["total"].word == 1
    put = fields(r["PUT"].request)
    assert [put[n].word for n in ("signed_value", "small", "mid", "big")] == [0, 1, 2, 3]
    assert (put["device"].slot, put["event"].slot) == (0, 1)
    assert put["event"].rights == ["SIGNAL", "WAIT"]
    named = fields(r["NAMED"].request)
    assert (named["name"].min, named["name"].max) == ("2", "40")
    assert named["name"].counted and named["name"].word == 0  # not last: its length goes in a word
    reply = fields(r["NAMED"].reply)
    assert reply["count"].word == 3 and reply["data"].word == 0
    assert r["LIST"].doc == ["Lists records from `first` on."]


@pytest.mark.parametrize("text,line,message", [
    ("prefix X\n", 1, "starts with `protocol NAME`"),
    (HEAD + "request A = 1\n\tx: u128\nend\n", 5, "unknown type 'u128'"),
    (HEAD + "request A = 1\n\th: handle(FLY)\nend\n", 5, "unknown right 'FLY'"),
    (HEAD + "request A = 1\nend\nrequest B = 1\nend\n", 6, "number 1 is already A"),
    (HEAD + "request A = 1\nend\nrequest A = 2\nend\n", 6, "declared twice"),
    (HEAD + "request A = 0\nend\n", 4, "request numbers are 1"),
    (HEAD + "request A = 4294901761\nend\n", 4, "reserved"),
    (HEAD + "request A = 1\n\tx: u8\n\tx: u8\nend\n", 6, "field 'x' is declared twice"),
    (HEAD + "request A = 1\n\ta: u8\n\tb: u8\n\tc: u8\n\td: u8\n\te: u8\nend\n", 9,
     "more than 4 words"),
    (HEAD + "request A = 1\n\ta: u8 @w1\n\tb: u8 @w1\nend\n", 6, "word 1 is already a"),
    (HEAD + "request A = 1\n\ts: string[8]\n\tr: record(struct rae_stat)\nend\n", 6,
     "must come first in the buffer"),
    (HEAD + "request A = 1\nreply\n\ta: bytes[4]\n\tb: bytes[4]\nend\n", 7,
     "at most one buffer field"),
    (HEAD + "request A = 1\n\th: handle(WRITE) @w0\nend\n", 5, "only integers and counted"),
    (HEAD + "request A = 1\n\tx: u8 counted\nend\n", 5, "only buffer fields can be counted"),
    (HEAD + "request A = 1\n\tx: u8\n", 4, "has no `end`"),
    (HEAD + "request A = 1\nreply\nreply\nend\n", 6, "a second reply"),
    (HEAD + "bogus\n", 4, "unexpected 'bogus'"),
    (HEAD + "request A = 1\n\tjust words here\nend\n", 5, "expected `name: type`"),
    ("protocol demo\ninclude rae/vfs.h\nrequest A = 1\nend\n", 1, "no `prefix` line"),
    ("protocol Demo\n", 1, "lower-case name"),
])
def test_mistakes_name_their_line(text, line, message):
    with pytest.raises(contract_gen.ContractError) as e:
        parse(text)
    assert e.value.line == line, str(e.value)
    assert message in e.value.message
    assert str(e.value).startswith(f"demo.contract:{line}: ")


def test_the_command_line_reports_a_bad_file(tmp_path):
    bad = tmp_path / "bad.contract"
    bad.write_text(HEAD + "request A = 1\n\tx: float\nend\n")
    done = subprocess.run([sys.executable, os.path.join(REPO, "tools/build/contract_gen.py"), str(bad),
                           "--header", str(tmp_path / "h.h")], capture_output=True, text=True)
    assert done.returncode == 1
    assert "bad.contract:5: unknown type 'float'" in done.stderr
    assert not (tmp_path / "h.h").exists()


def cc_include():
    return subprocess.run(["gcc", "-print-file-name=include"], capture_output=True, text=True,
                          check=True).stdout.strip()


def generate(c, out):
    inc = out / "include" / "rae"
    inc.mkdir(parents=True, exist_ok=True)
    (inc / f"{c.name}_contract.h").write_text(contract_gen.header(c))
    (out / "client.c").write_text(contract_gen.client(c))
    (out / "server.c").write_text(contract_gen.server(c))


def compile_generated(out):
    """The client and server as the user-space build compiles them, and as
    the host tests do."""
    user = ["gcc", "-std=gnu11", "-O2", "-ffreestanding", "-nostdinc", "-isystem", cc_include(),
            "-Iabi", "-Ilib/librae/include", f"-I{out / 'include'}", "-Ikernel/include",
            "-isystem", "kernel/include/klibc", "-Wall", "-Wextra", "-Werror", "-fsyntax-only"]
    host = ["gcc", "-std=gnu11", "-DRAE_HOST_TEST", "-Iabi", f"-I{out / 'include'}", "-Wall",
            "-Wextra", "-Werror", "-fsyntax-only"]
    for cmd in (user + [str(out / "client.c")], user + [str(out / "server.c")],
                host + [str(out / "server.c")], host + [str(out / "client.c")]):
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", ["vfs", "console", "names"])
def test_generated_code_compiles(name, tmp_path):
    generate(contract_gen.load(os.path.join(contract_gen.CONTRACTS, name + ".contract")), tmp_path)
    compile_generated(tmp_path)


def test_every_kind_of_field_compiles(tmp_path):
    generate(parse(EVERYTHING), tmp_path)
    compile_generated(tmp_path)


def test_committed_pages_match_the_contracts():
    stale = []
    for path in contract_gen.all_contracts():
        c = contract_gen.load(path)
        page = os.path.join(contract_gen.DOCS, c.name + ".md")
        if not os.path.exists(page) or open(page).read() != contract_gen.doc_page(c):
            stale.append(page)
    assert not stale, "out of date (run tools/build/contract_gen.py --write-docs): " + ", ".join(stale)


def test_a_changed_contract_changes_its_page():
    path = os.path.join(contract_gen.CONTRACTS, "console.contract")
    text = open(path).read()
    changed = text.replace("/// Prints the bytes.", "/// Prints the bytes, loudly.")
    assert changed != text
    assert contract_gen.doc_page(contract_gen.parse(changed, path)) != \
        contract_gen.doc_page(contract_gen.parse(text, path))
