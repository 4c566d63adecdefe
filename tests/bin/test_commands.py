"""Pith's commands (pith/bin/NAME.py) against GNU coreutils, grep and procps on the host.

Each table row runs the GNU tool and our script with the same argv, stdin and files in a
fresh directory (LC_ALL=C); stdout, exit status and the tree left behind must match (for
ps, df, date, mount and uname only the output's shape). Rows run in a thread pool so the
whole module stays quick.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.bin.gnu_compare import BIN, STAMP, Case, Check, compare, environment

TEXT = "banana\napple\ncherry\napple\n\nDate 10\ndate 9\n  spaced  out\n"
NUMS = "10\n9\n-3\n2.5\n100\n1e3\n0x10\nabc\n\n7\n"
TREE = {"d/": "", "d/f": "one\n", "d/sub/": "", "d/sub/g": "two\n", "f": "hello\n",
        "l@": "f", "e/": "", "x*": "#!/bin/sh\n"}

LS_TREE = {**TREE, "d/.hidden": "h", "d/a b": "space", "big": "x" * 5000, "old": "o",
           "ld@": "d", "dangling@": "nowhere", "many/": "",
           **{f"many/{w}": "" for w in ["alpha", "beta", "gamma", "delta", "epsilon", "zeta",
                                         "eta", "theta"]}}
LS_TIMES = {"old": 1_000_000_000, "big": STAMP - 100, "x": STAMP + 100}
STAT_FORMAT = ("%n|%N|%s|%b|%B|%o|%f|%a|%A|%F|%u|%U|%g|%G|%h|%d|%D|%t|%T|%y|%Y|%Hd|%Ld|"
               "%%|%10s|%-6a|%#o|%05a|%.3Y|%#a|%Hr %Lr|%-#8a|%#08a")


GREP_TEXT = ("foo bar\nFoo\nbaz(1)\na+b\nab\naab\nx{2}\nxx\n^start\nend$\n\nword wordy\n"
             "[br]\ttab\n")
GREP_ARGS = [a.split("\x00") for a in (
    "foo", "-i\0foo", "-v\0foo", "-c\0a", "-n\0a", "-o\0a.", "-w\0word", "-x\0ab", "-E\0a+b",
    "a+b", "a\\+b", "-F\0a+b", "x{2}", "x\\{2\\}", "-E\0x{2}", "\\(a\\)\\1", "*a",
    "-E\0a|b", "a\\|z", "[[:upper:]]", "[^a-z]", "\\<wor", "-e\0foo\0-e\0ab", "-l\0a\0f\0g",
    "-L\0zzz\0f", "-q\0foo", "-h\0a\0f\0f", "-H\0a", "-m\x002\0a", "zzz", "[",
    "-c\0zzz\0f\0g", "-on\0.", "[]x]", "-y\0FOO", "^", "", "-x", "\\(", "-E\0(",
    "-E\0a{1,2}b", "-ow\0wor", "-r\0ab\0d", "a\0nope", "-s\0a\0nope", "-q\0a\0nope", "a\0d",
    "ab\0bin", "-c\0ab\0bin", "-a\0ab\0bin", "^^", "baz(1)", "-E\0baz\\(1\\)", "a^",
    "-E\0a|^F", "\\(^a\\)", "d\\$", "^*", "\\(*\\)", "$", "b$\\|^F", "-f\0g\0f",
    "-e\0", "--bogus", "-A1\0foo", "-B2\0-n\0b", "-C1\0-v\0a", "-A0\0a", "-c\0-A1\0a",
    "-A1\0foo\0f\0g", "-m1\0-A2\0a", "-A\0x\0a", "-C\x001\0-H\0zzz", "-r\0ab\0./d", "-rl\0ab\0./d")]
GREP_FILES: dict[str, str | bytes] = {"f": GREP_TEXT, "g": "foo\n", "d/": "", "d/h": "ab\n",
                                      "bin": b"ab\0cd\n"}
SORT_TEXT = b"b 2 x\na 10 y\nB 1 z\n  c 3 w\na 10 y\n\n-5 q q\n1.5 r r\nb 2 a\n"
TEST_ARGS = [a.split("\x00") if a else [] for a in (
    "", "a", "\0", "-n\0", "-z\0", "-z\0a", "a\0=\0a", "a\0!=\0a", "1\0-eq\x001",
    "1\0-lt\x002", "2\0-le\x001", "x\0-eq\x001", " 5 \0-gt\x004", "!\0a", "!\0",
    "a\0-a\0", "a\0-o\0", "(\0a\0)", "!\0(\0a\0)", "-f\0f", "-d\0d", "-e\0nope", "-r\0f",
    "-w\0f", "-x\0x", "-x\0f", "-s\0f", "-s\0e", "-L\0l", "-h\0f", "a\0-a\0b\0-o\0",
    "\0-o\0\0-a\0a", "!\0a\0-a\0b", "(\0a\0-o\0\0)\0-a\0", "-n", "-z", "=\0=\0=",
    "a\0b", "a\0b\0c", "f\0-ot\0x", "d\0-nt\0nope", "f\0-ef\0l", "abc\0<\0abd",
    "abc\0>\0abd", "-t\x000", "(\0a", "1\0-eq", "--help", "-x", "!\0-z\0a\0-a\0a",
    "(\0(\0a\0)\0)", "a\0-a\0(\0b\0-o\0\0)")]
DATE_FMT = ("+%s.%N|%-d|%_m|%e|%j|%P|%:z|%::z|%z|%Z|%A|%B|%y|%C|%u|%V|%G|%k|%l|%I|%p|%T|%D|%F|"
            "%R|%c|%x|%X|%h|%n|%t|%%|%-H|%3N|%05d|%^a")
DATE_SHAPE = rb"[A-Z][a-z]{2} [A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d [A-Z]+ \d{4}\n"


def same_shape(pattern: bytes) -> Check:
    def check(ours: bytes, gnu: bytes) -> str | None:
        for out, who in ((ours, "ours"), (gnu, "GNU")):
            if not re.fullmatch(pattern, out):
                return f"{who} does not match {pattern!r}"
        return None
    return check


def same_header(ours: bytes, gnu: bytes) -> str | None:
    """ps and df: the same header line, and as many columns on every line."""
    mine, theirs = ours.splitlines(), gnu.splitlines()
    if not mine or mine[0] != theirs[0]:
        return "headers differ"
    columns = len(theirs[0].split())
    if any(len(line.split()) < columns - 1 for line in mine[1:]):
        return "a line has too few columns"
    return None


def all_but_birth(ours: bytes, gnu: bytes) -> str | None:
    """stat's output but for birth time (which os.stat cannot give), inode and change time."""
    def strip(out: bytes) -> list[bytes]:
        lines = [line for line in out.splitlines() if not line.startswith((b" Birth:", b"Change"))]
        lines = [re.sub(rb"Inode: \d+ *", b"", line) for line in lines]
        return [re.sub(rb"^((?:\S+ ){7})\d+ ((?:\S+ ){5})\d+ \d+ (\d+)$", rb"\1\2\3", line)
                for line in lines]  # terse: no inode, %Z, %W
    return None if strip(ours) == strip(gnu) else "differs beyond the birth time"


CASES: dict[str, list[Case]] = {
    "true": [Case([]), Case(["x", "-z"])],
    "false": [Case([]), Case(["x"])],
    "echo": [Case(a) for a in (["a", "b"], ["-n", "x"], ["-e", r"a\tb\n\x41\0101\c-no"],
                                ["-E", r"a\tb"], ["-ne", r"q\\"], ["-x", "y"], ["-", "--"],
                                ["-en", r"\e\a\1234\xZ\q"], [])],
    "pwd": [Case([]), Case(["-P"]), Case(["-L"])],
    "sync": [Case([]), Case(["f"], files={"f": "x"}), Case(["nope"])],
    "sleep": [Case(["0.05", "0.01s"]), Case(["x"]), Case([]), Case(["0m"])],
    "basename": [Case(a) for a in (["/a/b.c"], ["a.c", ".c"], ["-a", "x/", "/", "//a//"],
                                    ["-s", ".c", "a.c", "b.c", ".c"], [], ["a", "b", "c"],
                                    [""], ["-z", "x/y"])],
    "dirname": [Case(a) for a in (["a/b//", "/", "//", "a", "", "/a", "a/b/c"], [],
                                   ["-z", "a/b"])],
    "cat": [Case(a, TEXT.encode() + b"\t\x01\x80\xff\x7f\nno-newline") for a in
            ([], ["-n"], ["-b"], ["-s"], ["-A"], ["-e"], ["-t"], ["-T"], ["-nE"], ["-sb"],
             ["-v"], ["-z"], ["-", "f"], ["nope", "f"], ["d/"])] +
           [Case(["f", "-n", "f"], files={"f": "a\nb"})],
    "tee": [Case([], b"abc\n"), Case(["o1", "o2"], b"x\ny\n"), Case(["-a", "f"], b"z\n"),
            Case(["-"], b"dash\n"), Case(["d/x"], b"q\n"), Case(["-z"])],
    "head": [Case(a, NUMS.encode() * 3) for a in
             ([], ["-n", "3"], ["-n3"], ["-3"], ["-n", "-3"], ["-c", "5"], ["-c", "-5"],
              ["-c", "1K"], ["-n", "x"], ["-5c"], ["-v"], ["-n", "0"], ["nope"],
              ["-n", "2", "-", "f"], ["-q", "f", "f"], ["-z"])],
    "tail": [Case(a, NUMS.encode() * 3 + b"partial") for a in
             ([], ["-n", "3"], ["-3"], ["-n", "+3"], ["+3"], ["-c", "5"], ["-c", "+5"],
              ["-n", "x"], ["-5c"], ["-n", "0"], ["-v"], ["nope"], ["-n", "2", "-", "f"],
              ["-z"], ["-n", "+0"])],
    "wc": [Case(a, b"a\x01b \x01 c \x80\xff d\n\tx  y\r123\n\nlast") for a in
           ([], ["-l"], ["-w"], ["-c"], ["-m"], ["-L"], ["-lw"], ["-lwcmL"], ["f"], ["f", "f"],
            ["-l", "f", "f"], ["-c", "f"], ["-", "f"], ["nope"], ["f", "nope"], ["d"])],
    "mkdir": [Case(a, files=TREE) for a in
              (["a", "b"], ["-p", "a/b/c"], ["d/sub"], ["-m", "700", "x"],
               ["-m", "u=rwx,go=rx", "y"], ["-m", "g+w", "y"], ["-v", "a", "b/c"],
               ["-pv", "a/b/c", "./q/../r"], [], ["-m", "zz", "q"], ["-p", "f/x"],
               ["-p", "d", "d/sub"])],
    "rmdir": [Case(a, files=TREE) for a in
              (["e"], ["d"], ["f"], ["nope"], [], ["-p", "p/q/r"], ["-v", "e", "d"],
               ["--ignore-fail-on-non-empty", "d", "e"], ["-p", "d/sub"])],
    "rm": [Case(a, files=TREE) for a in
           (["f"], ["nope"], ["-f", "nope"], ["-f"], [], ["d"], ["-d", "e"], ["-d", "d"],
            ["-r", "d"], ["-R", "e", "f", "l"], ["."], ["-r", "d/.."],  # (-rv: see cp)
            ["-r", "/"], ["-rf", "e", "d", "x", "f", "l", "nope"], ["l"], ["-r", "l"],
            ["-v", "f", "x"], ["d/sub/g", "d/f"])],
    "cp": [Case(a, files=TREE) for a in
           (["f", "g"], ["f", "d"], ["f", "x", "d/sub"], ["d", "z"], ["-r", "d", "z"],
            ["-R", "d", "e"], ["-r", "d", "e", "z"], ["l", "m"],  # (-rv: GNU lists in
            # the directory's own order, which depends on the host file system)
            ["-P", "l", "m"], ["-d", "l", "m"], ["-r", "l", "m"], ["-a", "d", "z"],
            ["-p", "x", "y"], ["nope", "z"], ["f"], [], ["f", "f"], ["-n", "f", "x"],
            ["f", "x", "nowhere"], ["-t", "e", "f", "x"], ["-T", "f", "e"],
            ["x", "d/f"], ["-v", "f", "d/f"])],
    "mv": [Case(a, files=TREE) for a in
           (["f", "g"], ["f", "d"], ["f", "x", "d/sub"], ["d", "z"], ["d", "e"],
            ["-v", "d", "z"], ["l", "m"], ["nope", "z"], ["f"], [], ["f", "f"],
            ["-n", "f", "x"], ["f", "x", "nowhere"], ["-t", "e", "f", "x"],
            ["-T", "f", "e"], ["d", "d/sub"], ["x", "d/f"], ["e", "d"], ["-v", "f", "d"])],
    "ln": [Case(a, files=TREE) for a in
           (["f", "g"], ["-s", "f", "g"], ["-s", "nope", "g"], ["nope", "g"], ["f", "x"],
            ["-f", "f", "x"], ["-sf", "d", "l"], ["-sfn", "d", "l"], ["-s", "../f", "e"],
            ["f", "x", "e"], ["d/f"], ["f"], [], ["-s", "f", "x", "nowhere"],
            ["-sv", "f", "g"], ["-v", "f", "g"], ["-t", "e", "f"], ["-T", "-s", "f", "e"],
            ["d", "dd"], ["-sf", "f", "e"])],
    "chmod": [Case(a, files=TREE) for a in
              (["755", "f"], ["u+x,go-r", "f"], ["-R", "700", "d"], ["=r", "f"],
               ["a+X", "d", "f"], ["g=u", "f"], ["-v", "644", "f"], ["-c", "644", "f"],
               ["-w", "f"], ["q+x", "f"], ["644"], [], ["644", "nope"], ["-f", "644", "nope"],
               ["+t", "d"], ["0755", "d"], ["o=g,u-w", "f"], ["-R", "go-rwx", "d", "f"])],
    "touch": [Case(a, files=TREE) for a in
              (["new"], ["f"], ["-c", "nope"], ["-d", "@1000000000", "f", "n2"],
               ["-d", "2020-02-03 04:05:06", "f"], ["-t", "202001020304.05", "f"],
               ["-t", "01020304", "f"], ["-r", "f", "new"], ["-m", "-d", "@5", "f"],
               ["-a", "-d", "@5", "f"], [], ["d/x/y"], ["-d", "junk", "f"],
               ["-r", "nope", "f"])],
    "ls": [Case(a, files=LS_TREE, mtimes=LS_TIMES) for a in
           ([], ["-a"], ["-A"], ["-l"], ["-la"], ["-ln"], ["-lh"], ["-lo"], ["-lg"], ["-1"],
            ["-d", "d", "f"], ["-R"], ["-lR"], ["-aR", "d"], ["-r"], ["-t"], ["-S"], ["-lS"],
            ["-ltr"], ["-F"], ["-p"], ["-lF"], ["d", "f", "e"], ["nope", "f"], ["nope"],
            ["-C", "-w", "30"], ["-x", "-w", "30"], ["-C"], ["-w", "20", "-C", "d"],
            ["-l", "l", "ld"], ["ld"], ["-L", "--bad"], ["-l", "big", "old"],
            ["-lh", "big"], ["-1", "d", "e"], ["-w", "x"])],
    "stat": [Case(["-c", STAT_FORMAT, *names], files=LS_TREE) for names in
             (["f"], ["l", "d"], ["x", "big", "old"], ["nope", "f"])] +
            [Case(["-L", "-c", STAT_FORMAT, "l", "ld"], files=LS_TREE),
             Case(["-t", "f", "d"], files=LS_TREE, check=all_but_birth),
             Case(["f", "l", "d", "/dev/null"], files=LS_TREE, check=all_but_birth),
             Case(["--printf", r"%n\t%s\n\101%%", "f"], files=LS_TREE),
             Case([]), Case(["-c"])],
    "grep": [Case(a, GREP_TEXT.encode(), files=GREP_FILES) for a in GREP_ARGS],
    "sort": [Case(a, SORT_TEXT, files={"f": "z\ny\n", "g": "b\na\n"}) for a in
             ([], ["-r"], ["-n"], ["-rn"], ["-u"], ["-f"], ["-fu"], ["-k2"], ["-k2n"],
              ["-k2,2n"], ["-k2,2nr"], ["-k3"], ["-k1.2"], ["-k2b"], ["-b"], ["-t", " ", "-k2n"],
              ["-t", " ", "-k3,3"], ["-s", "-k1,1"], ["-k1,1", "-u"], ["-k3r", "-k1"], ["-c"],
              ["-d"], ["-i"], ["-k1.2,1.3"], ["-t:", "-k2"], ["-k0"], ["-tab"], ["nope"],
              ["-n", "-s"], ["-z"], ["f", "g"], ["-o", "out", "f"], ["-c", "f"])],
    "uniq": [Case(a, b"a\na\nA\nb\n b\nc c\nd c\nc\n", files={"f": "x\nx\ny\n"}) for a in
             ([], ["-c"], ["-d"], ["-u"], ["-i"], ["-ic"], ["-f1"], ["-s1"], ["-w1"], ["-cd"],
              ["-du"], ["-f", "x"], ["nope"], ["f"], ["f", "out"], ["-", "out"], ["a", "b", "c"])],
    "tr": [Case(a, b"Hello, World!\n  aaa bbb\t\tccc\n\x01\x80z\n") for a in
           (["a-z", "A-Z"], ["[:lower:]", "[:upper:]"], ["-d", "a-z"], ["-s", "a"], ["-s", " "],
            ["-d", "-s", "a-z", " "], ["-c", "a-z", "x"], ["-cd", "a-z"], ["-cs", "a-z", "\\n"],
            ["abc", "x"], ["-t", "abc", "xy"], ["a-c", "x[y*]z"], ["\\001\\200", "XY"],
            ["\\n", " "], ["z-a", "x"], ["a"], [], ["-d"], ["-d", "a", "b"],
            ["[:digit:]", "x"], ["[=a=]", "b"], ["[a*3]", "x"], ["a-z", "A-C[*]"],
            ["[:bogus:]", "x"], ["a", ""], ["-s", "ab", "cd"])],
    "cut": [Case(a, b"a:b:c:d\none\nx:y\n:lead\ntab\there\n") for a in
            (["-d:", "-f1"], ["-d:", "-f2-"], ["-d:", "-f-2"], ["-d:", "-f1,3"], ["-d:", "-f3,1"],
             ["-d:", "-s", "-f2"], ["-f1"], ["-f2"], ["-b1-3"], ["-c2"], ["-b2-,1"],
             ["-b1,3", "--output-delimiter=_"], ["-d:", "-f1,3", "--output-delimiter=--"],
             ["-d:", "--complement", "-f2"], ["--complement", "-b1"], [], ["-f0"], ["-b0"],
             ["-d", "ab", "-f1"], ["-b3-1"], ["-f", "x"], ["-d:", "-b1"], ["-s", "-b1"],
             ["-b1", "-f1"], ["-d:", "-f5"], ["-b10"], ["nope"])],
    "printf": [Case(a) for a in
               (["a\\n"], ["%s-%d\\n", "a", "1", "b", "2", "c"],
                ["%5s|%-5s|%.2s\\n", "ab", "c", "efg"],
                ["%x %X %o %#x %#o %u|%#5o|%-#5o|%#05o\\n", "255", "255", "8", "255", "8", "-1",
                 "8", "8", "8"],
                ["%f %.2f %e %g %G %10.3f\\n", "3.14159", "2.5", "12345.678", "0.0001", "1e20",
                 "-1.5"], ["%c%c\\n", "abc", "d"], ["%b\\n", "a\\tb\\0101\\c", "x"],
                ["%d\\n", "abc", "12x", "'A", "0x1f", "010", "-5"],
                ["%*d|%-*d|%.*f\\n", "5", "1", "4", "2", "2", "3.14159"],
                ["\\x41\\101\\u00e9\\e\\q%%\\n"], ["%z"], [], ["%s\\n"], ["args %s %d|\\n"],
                ["%05d %+d % d\\n", "42", "42", "42"], ["x\\cy"], ["%i %5.1s|\\n", "7", "abc"],
                ["--", "-%s\\n", "x"])],
    "test": [Case(a, files=TREE) for a in TEST_ARGS],
    "[": [Case([*a, "]"], files=TREE) for a in TEST_ARGS] + [Case(["a"]), Case([])],
    "env": [Case(a) for a in
            (["-i", "A=1", "B=2"], ["-i"], ["-u", "PATH", "-i", "X=y"], ["-i", "-0", "A=1"],
             ["X=1", "printenv", "X"], ["nosuch"], ["-i", "PATH=/usr/bin", "sh", "-c", "exit 3"],
             ["-z"], ["-C", "/", "pwd"])],
    "kill": [Case(a) for a in (["-l"], ["-l", "9"], ["-l", "KILL"], ["-L"], ["999999"],
                               ["-9", "999999"], ["-s", "TERM", "999999"], ["-BOGUS", "1"],
                               ["-0", "1"])],
    "date": [Case(a) for a in
             (["-d", "@1000000000"], ["-u", "-d", "@1000000000"], ["-d", "@1000000000", DATE_FMT],
              ["-d", "2020-02-03 04:05:06", "+%s"], ["-d", "2020-02-03T04:05:06Z", "-u"],
              ["-I", "-d", "@5"], ["-Iseconds", "-d", "@5"], ["-Ins", "-d", "@5.5"],
              ["-R", "-d", "@5"], ["-d", "junk"], ["-u", "-d", "@0"], ["1234"],
              ["+%Y", "+x"], ["-r", "f"])] +
            [Case([], check=same_shape(DATE_SHAPE)), Case(["-u"], check=same_shape(DATE_SHAPE))],
    "ps": [Case(a, check=same_header) for a in ([], ["-e"], ["-A"], ["-f"], ["ax"])] +
          [Case(["--bogus"], check=lambda a, b: None)],
    "df": [Case(a, check=same_header) for a in ([], ["-h"], ["-T"], ["/"], ["-h", "."])] +
          [Case(["nope"], check=lambda a, b: None)],
    "mount": [Case([]), Case(["-t", "tmpfs"])],
    "uname": [Case(a) for a in ([], ["-a"], ["-s"], ["-n"], ["-r"], ["-m"], ["-snrvmo"], ["x"])],
}
for case in CASES["date"]:
    case.files = {"f": "x"}
for case in CASES["head"] + CASES["tail"] + CASES["cat"] + CASES["wc"] + CASES["tee"]:
    case.files = {"f": TEXT, "d/": "", **case.files}


def run_all(name: str, cases: list[Case]) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(4) as pool:
        dirs = [Path(tmp) / str(i) for i in range(len(cases))]
        for d in dirs:
            d.mkdir()
        return [p for p in pool.map(lambda c, d: compare(name, c, d), cases, dirs) if p]


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_gnu(name: str) -> None:
    problems = run_all(name, CASES[name])
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("name", sorted(p.stem for p in BIN.glob("*.py")
                                        if p.stem not in ("__init__", "sh", "python",
                                                          "python3", "init")))
def test_help_and_bad_option(name: str) -> None:
    script = str(BIN / f"{name}.py")
    env = environment({})
    helped = subprocess.run([sys.executable, script, "--help"], capture_output=True,
                            env=env, timeout=20)
    if name == "test":  # as GNU's: `test --help` is a one-string test, true and silent
        assert helped.returncode == 0 and helped.stdout == b"", helped
        return
    assert helped.returncode == 0 and b"usage" in helped.stdout.lower(), helped
    if name in ("true", "false", "echo", "[", "printf", "expr"):  # expr: an operand
        return
    bad = subprocess.run([sys.executable, script, "--no-such-option"], capture_output=True,
                         env=env, timeout=20)
    assert bad.returncode != 0, bad
    if name == "ip":  # (iproute2's own wording)
        assert bad.stderr.startswith(b'Option "--no-such-option" is unknown'), bad.stderr
    else:
        assert bad.stderr.startswith(f"{name}: ".encode()), bad.stderr
    assert b"Traceback" not in bad.stderr
