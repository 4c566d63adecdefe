"""More of issue 16's commands (od, hexdump, cmp, tac, nl, ...) against the host's tools.

As tests/bin/test_more_commands.py: each row runs the host's tool (GNU's, util-linux's
hexdump) and our script (pith/bin/NAME.py) with the same argv, stdin and files in a fresh
directory (LC_ALL=C); stdout, exit status and the tree left behind must match.
tests/bin/test_on_pith.py runs some of them inside Pith.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import tempfile
from pathlib import Path

import pytest

from tests.bin.gnu_compare import STAMP, Case, Result, gnu, ours, run, when
from tests.bin.test_commands import run_all

BYTES = b"hello world\n\0\1\377abcdefghijklmnopqrstuvwxyz\t\x7f\x80"
DUMP_FILES: dict[str, str | bytes] = {"f": BYTES, "z": bytes(100), "e": "", "g": "abc"}


def split(rows: str) -> list[list[str]]:
    """'a b|c' as [['a', 'b'], ['c']]: a table of argvs in one string."""
    return [row.split() for row in rows.split("|")]


OD_ARGS = split(
    "f|-c f|-An -tx1 f|-An -tx1 -tc f|-t d1 -t u2 f|-t a f|-t x1z f|-tx -td f|-t d8 -A x f"
    "|-bcdosx f|-i -l f|-t o1 -v z|z|-Ad z|-An z|-j 3 f|-N 5 f|-j 0x2 -N 10 -t a f|-j 1b f"
    "|-N 1k f|-w4 -tx1 -Ad f|-w8 -tu4 f|-w f|-t x3 f|-t q f|-A q f|-j 100 f|-w6 -tx4 f"
    "|nope|nope f|f nope|e|-N 0 f|-c f g|-j 2 -c g f|-tx2 g|-tx8 g|-tdC -tuS -toI -txL f"
    "|-tox1 f|--bogus f|-j x f||-An -c|-t")
HEXDUMP_ARGS = split(
    "f|-C f|-b f|-c f|-d f|-o f|-x f|-C -b f|-x -C f|-C -n 5 -s 3 f|-s 100 f|-s 1K f"
    "|-n 0x10 f|-n x f|-n 0 f|z|-C z|-v z|-C -v z|-s 3 z|e|-C e|nope|-C f f|f nope|nope f"
    "|-s 3 f f|-C g|g||-C|-q f")
CMP_FILES: dict[str, str | bytes] = {
    "a": "abc\ndef\n", "b": "abc\ndxf\nmore\n", "c": "abc\ndef\nmore", "x1": "abc",
    "x2": "abcd", "e": "", "d/": "", "h1": b"\200\001", "h2": b"\377\177",
    "s1": "".join(f"{i}\n" for i in range(1000)),
    "s2": "".join(f"{i}\n" for i in range(1000)).replace("5", "6")}
CMP_ARGS = split(
    "a b|-l a b|-s a b|a a|a nope|nope a|a c|c a|-l a c|-s a c|-b a b|-i 2 a b|a b 1 2"
    "|-n 4 a b|-n 6 a b|a|-l -s a b|-s -l a b|e a|a e|-s e a|- a|a b c d|a b 1 2 3|a d"
    "|-i x a b|-bl h1 h2|-b h1 h2|-l h1 h2|x1 x2|x2 x1|-l s1 s2|-lb s1 s2|-n 2K s1 s2"
    "|-i 1K:2 s1 s2|--bytes=3 a b|--print-bytes --verbose a b|--quiet a b|--silent a b"
    "|-n 1kB s1 s2|-i 3 x1 x2|-i 4 x1 x2|-l e a|--bogus a b|-l - s1|s1 -|-n x a b|e e")
TEXT_FILES: dict[str, str | bytes] = {
    "p1": "1\n2\n3\n", "p2": "a\nb\n", "p3": "x\ny", "e": "", "d/": "",
    "c1": "a\nb\nd\ne\n", "c2": "b\nc\ne\nf\n", "un": "b\na\n", "un2": "b\nc\nb\n",
    "nn": "a\nb", "sec": "\\:\\:\\:\nh\n\\:\\:\nb1\n\n\nb2\n\\:\nf\n\\:\\:\\:\nh2\n\\:\\:\nx\n",
    "t": "one\ntwo\n\nthree", "csv": "a,b,c,", "csv2": ",a,b"}
TEXT_STDIN = b"in1\nin2\n\nin3\n"
TAC_ARGS = split("p1|t|p1 p2 p3|-|csv|-s , csv|-b -s , csv2|-b csv2|-s ab t|-s e t|-b t|e"
                 "|nope p1|d|-s|--bogus|--separator=o t|p1 - p2")
NL_ARGS = split(
    "t|sec|-ha -fa sec|-p sec|-p -ha sec|-d # sec|-w 0 sec|-v x sec|-n qq sec|-bp\\(b\\)1 sec"
    "|-ba -n ln -w 3 -s: t|-n rz t|-bt -nrn t|-bpa t|-bpo t|-bq t|-v 5 -i 2 t|-i 0 t|-v -3 t"
    "|-d ab sec|--number-width=2 -ba t|-s  t|nope t|d|-|e|-ba - t|-ba t t|--bogus"
    "|-b p[ t|-w x t|-hx sec|-bn sec|-ba -w 1 -v 98 t")
PASTE_ARGS = split(
    "p1 p2|-d, p1 p2 p1|-d ,; p1 p2 p1 p1|-s p1 p2|-s -d , p1|-d \\n p1 p2|p1 nope|- p2"
    "|- -|-d \\ p1 p2|-d \\\\ p1 p2|-d \\0x p1 p2 p1|-s p3|-z p1|p3 p1|-s p3 p1 e|e p1"
    "|-s -d ab p1 p2 p1|-d|p1|-|-s|-s e|-s - p1|--serial --delimiters=:- p1 p2|-d \\t\\ p1 p2")
COMM_ARGS = split(
    "c1 c2|-1 c1 c2|-12 c1 c2|-3 c1 c2|-123 c1 c2|un c2|--check-order un c2"
    "|--nocheck-order un c2|--output-delimiter=: c1 c2|c1|c1 nope|nope c1|-z c1 c2"
    "|--total c1 c2|nn c2|c2 nn|- c1|c1 -|un un2|un2 un|c1 c2 c3|--output-delimiter= c1 c2"
    "|-2 --total c1 c2|--check-order c2 un2|e c1|c1 e|e e||-13 c2 c1|--bogus c1 c2")
EXPR_ARGS = [a.split("\0") if a else [] for a in (
    "1\0+\x002", "5\0-\x007", "3\0*\x004", "7\0/\x002", "-7\0/\x002", "7\0%\x003",
    "-7\0%\x003", "7\0%\0-3", "2\0/\0-3", "1\0/\x000", "10\0%\x000", "a\0+\x001",
    "2\0<\x0010", "a\0<\0b", "10\0>\x009", "a\0<\x0010", "10\0<\x009a", "1\0<=\x001",
    "a\0>=\0b", "1\0==\x001", "1\0=\x001", "a\0=\0b", "1\0!=\x002", "01\0=\x001",
    "\0=\0", "abc\0:\0a\\(.\\)c", "abc\0:\0x", "abc\0:\0ab", "abc\0:\0.*",
    "abc\0:\0a\\(x\\)*", "abc\0:\0\\(b\\)", "abc\0:\0abc$", "abc\0:\0^abc",
    "^abc\0:\0^abc", "ab\0:\0a*", "x\0:\0", "abcd\0:\0a\\(b\\)\\(c\\)", "a\nb\0:\0.*",
    "a\0:\0\\(", "a\0:\0a\0:\0a", "length\0abcd", "length\x0012\0+\x001",
    "substr\0abcdef\x002\x003", "substr\0abc\x000\x001", "substr\0hello\x002\x00100",
    "substr\0hello\0x\x001", "index\0abcdef\0dc", "index\0abc\0", "index\0abc\0b\0+\x001",
    "match\0abc\0a\\(b\\)", "\0|\x000", "3\0|\x004", "\0|\0", "a\0|\0b", "0\0&\x005",
    "1\0&\x000", "2\0&\x003", "\0&\x001", "0\0&\x001\0/\x000", "1\0|\x001\0/\x000",
    "(\x001\0+\x002\0)\0*\x003", "2\0*\x003\0+\x001", "1\0+\x002\0*\x003",
    "1\0<\x002\0|\x000", "99999999999999999999\0+\x001", "", "1\0+", "foo", "0", "-0", "\0",
    "--\x005", "+\0x", "+\0length", "+", "-\x001", "-\0:\0-", "1\x002", "length",
    "length\0a\0b", "length\0length", "match", "match\0a", "substr\0a\x001", "index\0a",
    "(\x001", "(\x001\x002", ")", "(\0)", "1\0+\0(", "--help\0x", "--no-such", "-5\0+\x001",
    "--\0--\x001", "1\0-\0-1")]
LINK_TREE: dict[str, str | bytes] = {
    "d/sub/": "", "f": "x", "l@": "f", "ld@": "d/sub", "dang@": "nowhere", "loop1@": "loop2",
    "loop2@": "loop1", "abs@": "/usr/bin", "rel@": "d/../f", "d/up@": "../ld"}
REALPATH_ARGS = split(
    "f|l|ld|dang|nope|nope/x|d/../f|-e dang|-m nope/x|-s l|--relative-to=d l|-q nope/x|loop1"
    "|-e loop1|.|/|-z f|f l|-L ld/..|-P ld/..|-s ld/..|--relative-base=d d/sub f|f/x|nope/"
    "|-m f/x/..|-e nope|--relative-to=nope f|--relative-to=/usr/bin f|abs|rel|d/up|d/up/.."
    "|--relative-base=/usr --relative-to=/usr/lib f /usr/bin|-m nope/../../x|-s dang/../f"
    "|ld/../f|-L ld/../f|-e ld/|f/|-m f/|l/|-s nope/x|-sm nope/x|-s f/../f|-s nope/../f"
    "|-se nope/x|-se dang|-se l|-s f/x|-sm dang/../f|-s nope/x/../y|-L dang/../f|-L f/"
    "|-Lm nope/../f|-Pe d/sub/../../f||--bogus f|-e f nope l|--relative-to=f l")
READLINK_ARGS = split(
    "l|f|dang|nope|-f l|-f nope|-f nope/x|-e dang|-m nope/x|-n l|-f loop1|-v f|-v -f nope/x"
    "|l ld|-n l ld|-z l||-f .|-fn f|-s f|-v nope|-ve loop1|-f ld/../f|-e ld|-fz l dang|abs"
    "|-f abs|-f d/up|-e d/up/..|-f rel|--canonicalize l|-q -v nope|--bogus l")
WHICH_FILES: dict[str, str | bytes] = {"xt*": "#!/bin/sh\n", "nx": "", "bin2/": "",
                                       "bin2/xt*": "#!/bin/sh\n", "bin2/ls*": "", "bin2/d/": "",
                                       "bin2/cat": "not executable"}
WHICH_ARGS = split("sh|-a sh|nope|sh nope||./xt|./nx|xt|d|-a ls xt|cat|bin2/ls|-a xt|-- ls")
WHICH_PATHS = ["/usr/bin:/bin", "bin2:/usr/bin", "/usr/bin:", ":/usr/bin", "bin2::/bin"]


def sums(algorithm: str) -> dict[str, str | bytes]:
    """Files to sum and checksum lists to check: good, failing, missing, malformed, escaped."""
    def line(data: bytes, name: str) -> str:
        return f"{hashlib.new(algorithm, data).hexdigest()}  {name}\n"
    good = line(b"abc", "a") + line(b"x\n", "b c")
    tag = f"{algorithm.upper()} (a) = {hashlib.new(algorithm, b'abc').hexdigest()}\n"
    zero = "0" * hashlib.new(algorithm).digest_size * 2
    return {"a": "abc", "b c": "x\n", "n\\m": "q", "nl\nx": "z", "d/": "", "sums": good,
            "bad": good + line(b"abd", "a") + "junk\n", "missing": f"{zero}  nope\n",
            "junk": "junk\n", "tag": tag, "bin": line(b"abc", "*a").replace(" *", "*", 1),
            "crlf": good.replace("\n", "\r\n"), "mixed": f"{zero}  nope\n" + good,
            "esc": "\\" + line(b"z", "nl\\nx") + "\\" + line(b"q", "n\\\\m")}


SUM_ARGS = split(
    "a|a b\x00c n\\m nope|-b a|--tag a|-|- a|-c sums|-c bad|--quiet -c bad|--status -c bad"
    "|--strict -c bad|-w -c bad|-c missing|--ignore-missing -c missing|-c junk|n\\m|-c esc"
    "|-c tag|-c bin|d|-c nope|-c crlf|--quiet a|-z a|-c --ignore-missing mixed|-c sums junk"
    "|-c sums -|--tag -b a|-c bad sums|--strict -c sums|-c|--bogus")
SUM_CASES = [[a.replace("\x00", " ") for a in args] for args in SUM_ARGS]

CASES: dict[str, list[Case]] = {
    "od": [Case(a, b"from\0stdin\n", files=DUMP_FILES) for a in OD_ARGS],
    "cmp": [Case(a, b"abc\ndxf\n", files=CMP_FILES) for a in CMP_ARGS],
    "tac": [Case(a, TEXT_STDIN, files=TEXT_FILES) for a in TAC_ARGS],
    "nl": [Case(a, TEXT_STDIN, files=TEXT_FILES) for a in NL_ARGS],
    "paste": [Case(a, TEXT_STDIN, files=TEXT_FILES) for a in PASTE_ARGS],
    "comm": [Case(a, b"a\nc\n", files=TEXT_FILES) for a in COMM_ARGS],
    "expr": [Case(a) for a in EXPR_ARGS],
    "realpath": [Case(a, files=LINK_TREE) for a in REALPATH_ARGS],
    "readlink": [Case(a, files=LINK_TREE) for a in READLINK_ARGS],
    "which": [Case(a, files=WHICH_FILES, env={"PATH": p}) for a in WHICH_ARGS
              for p in WHICH_PATHS],
    "sha256sum": [Case(a, b"abc", files=sums("sha256")) for a in SUM_CASES] +
                 [Case(["nl\nx"], files=sums("sha256"))],
    "md5sum": [Case(a, b"abc", files=sums("md5")) for a in SUM_CASES] +
              [Case(["-c"], sums("md5")["sums"].encode(), files=sums("md5"))],
    "hexdump": [Case(a, b"from\0stdin\n", files=DUMP_FILES) for a in HEXDUMP_ARGS],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_host(name: str) -> None:
    problems = run_all(name, CASES[name])
    assert not problems, "\n\n".join(problems)


MKTEMP_ARGS = split(
    "|-d|fooXXX|fooXX|fooXXXbar|-d dXXXX|-u uXXXX|-p . pXXXX|-p nope pXXX|nope/XXXX"
    "|-q nope/XXXX|--suffix=.txt sXXX|-t tXXXX|-t a/XXXX|-p . a/XXX|-p . /abs/XXX|a b"
    "|--tmpdir=. tdXXX|--tmpdir tdXXX|-d -p . ddXXX|XXX/fooXXX|--suffix=/x sXXX"
    "|--dry-run -d dXXX|--suffix=x ab|-q fooXX|-d nope/XXX|-t|-p .|-p d|-d -t|-u|fXXXXXXXXXXXXX")


def shape(r: Result, root: Path) -> tuple[bytes, int, list[tuple[str, ...]]]:
    """What two runs of mktemp share: the names' shapes (random letters as ?), kinds, modes."""
    def mask(text: str) -> str:
        return re.sub(r"[A-Za-z0-9]", "?", text)
    out = r.out.replace(str(root).encode(), b"ROOT")
    return (re.sub(rb"[A-Za-z0-9]", b"?", out), r.status,
            sorted(tuple(mask(cell) if i == 0 else cell for i, cell in enumerate(entry))
                   for entry in r.tree))


def test_mktemp_like_gnu() -> None:
    """The random names differ, so each run's output and tree are compared by shape."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "work"
        for args in MKTEMP_ARGS:
            case = Case(args, files={"d/": ""}, env={"TMPDIR": str(root)})
            want = shape(run(["mktemp", *args], case, root, gnu("mktemp")), root)
            got = shape(run(ours("mktemp") + args, case, root), root)
            if got != want:
                problems.append(f"mktemp {args}:\n ours: {got}\n  GNU: {want}")
    assert not problems, "\n".join(problems)


SEQ = "".join(f"{i}\n" for i in range(1, 101)).encode()
B_GZ = gzip.compress(b"1\n2\n3\n", mtime=0)
GZ_FILES: dict[str, str | bytes] = {
    "a": SEQ, "b": "1\n2\n3\n", "b.gz": B_GZ, "la@": "a", "d/": "", "t": "x\n", "t.gz": "x\n",
    "j.gz": B_GZ + b"junk", "z.gz": B_GZ + bytes(10), "trunc.gz": gzip.compress(SEQ)[:30],
    "e": "", "c.tgz": B_GZ, "two.gz": B_GZ + B_GZ}
GZ_ARGS = {
    "gzip": split(
        "a|a b|b|-f b|-k a|nope|d|-c a|-v a|la|-f la|-c la|-t b.gz|-t trunc.gz|-t j.gz|-S .z a"
        "|-c a b|-9 a|-1 e|-q d|--bogus|-d b|-d < a|-dc nope.gz b.gz|-cd b.gz|-c -|-d c.tgz"
        "|-dk b.gz|-d t.gz|-df t.gz|-d z.gz|-dc two.gz|-d trunc.gz|-S .gz -d t|-dcf t|-dcf b.gz"
        "|-S  a|a.gz|-tq j.gz|-k e|-dv b.gz|-"),
    "gunzip": split("b.gz|-k b.gz|t|t.gz|b|-c j.gz|j.gz|trunc.gz|-c b.gz b.gz|c.tgz|-|nope"
                    "|b.gz t.gz nope|-f t.gz|-q j.gz|two.gz"),
    "zcat": split("b.gz|b|nope|a|j.gz|-|b.gz two.gz|-f a|-f a b.gz"),
}


def gz_view(r: Result, root: Path) -> tuple[bytes, int, list[tuple[str, ...]]]:
    """A run of gzip as the data says it: gzip streams expanded (their bytes differ from
    GNU's), every file's name, kind, mode, data and (when set on purpose) mtime."""
    def data(raw: bytes) -> bytes:
        if raw.startswith(b"\x1f\x8b"):
            try:
                return b"gz:" + gzip.decompress(raw)
            except (OSError, EOFError):
                return b"bad gz"
        return raw
    tree = []
    for path in sorted(root.rglob("*")):
        name = str(path.relative_to(root))
        if path.is_symlink():
            tree.append((name, "link"))
        elif path.is_dir():
            tree.append((name, "dir"))
        else:
            tree.append((name, oct(path.stat().st_mode & 0o777), repr(data(path.read_bytes())),
                         when(path)))
    return data(r.out), r.status, tree


@pytest.mark.parametrize("name", sorted(GZ_ARGS))
def test_gzip_like_gnu(name: str) -> None:
    """gzip, gunzip and zcat against GNU's: the same data, statuses and files left."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "work"
        for args in GZ_ARGS[name]:
            stdin = B_GZ if "-d" in args or name != "gzip" else SEQ
            case = Case(args, stdin, files=GZ_FILES, mtimes={"a": STAMP - 500})
            want = gz_view(run([name, *args], case, root, gnu(name)), root)
            got = gz_view(run(ours(name) + args, case, root), root)
            if got != want:
                problems.append(f"{name} {args}:\n ours: {got}\n  GNU: {want}")
    assert not problems, "\n".join(problems)
