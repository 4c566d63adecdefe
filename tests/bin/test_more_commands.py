"""Issue 16's commands (find, xargs, sed, diff, tar, ...) against the GNU tools on the host.

As tests/bin/test_commands.py: each row runs the GNU tool and our script (pith/bin/NAME.py)
with the same argv, stdin and files in a fresh directory (LC_ALL=C); stdout, exit status
and the tree left behind must match. tests/bin/test_on_pith.py runs them inside Pith.
"""

from __future__ import annotations

import pytest

from tests.bin.gnu_compare import STAMP, Case
from tests.bin.test_commands import run_all

FIND_TREE: dict[str, str | bytes] = {
    "d/": "", "d/a.txt": "one\n", "d/B.TXT": "x" * 3000, "d/sub/": "", "d/sub/c.py": "",
    "d/sub/deep/": "", "d/sub/deep/e.txt": "e", "d/empty/": "", "d/l@": "a.txt",
    "f": "hello\n", "ref": "r", "old": "o"}
FIND_TIMES = {"ref": STAMP - 50, "old": STAMP - 86400 * 3, "d/sub/c.py": STAMP - 86400 * 10}
FIND_ARGS = [a.split("\0") for a in (
    "d", "d\0-name\0*.txt", "d\0-iname\0*.txt", "d\0-type\0d", "d\0-type\0f", "d\0-type\0l",
    "d\0-type\0f,l", "d\0-path\0*/sub/*", "d\0-maxdepth\x001", "d\0-mindepth\x002",
    "d\0-mindepth\x001\0-maxdepth\x001", "d\0-size\0+2", "d\0-size\0-1k", "d\0-size\x003000c",
    "d\0-empty", "d\0!\0-name\0*.txt", "d\0-not\0-type\0d", "d\0-name\0*.txt\0-o\0-name\0*.py",
    "d\0(\0-name\0a*\0-o\0-name\0c*\0)\0-print", "d\0-name\0sub\0-prune\0-o\0-print",
    "d\0-name\0sub\0-prune\0-o\0-type\0f\0-print", "d\0-type\0f\0-print0",
    "d\0-name\0a.txt\0-exec\0cat\0{}\0;", "d\0-type\0f\0-exec\0echo\0{}\0+",
    "d\0-name\0*.txt\0-exec\0echo\0x{}y\0;", "d\0-depth", "nope", "nope\0d\0-name\0a.txt",
    "d\0-bogus", "d\0-name", "d\0-type\0q", "d\0(\0-name\0a", "d\0)", "d\0-maxdepth\0x",
    ".\0-newer\0ref", ".\0-newer\0nope", ".\0-mtime\0+2", ".\0-mtime\0-1\0-type\0f",
    ".\0-mtime\x002", ".\0-mmin\0+60", "d/\0-name\0a.txt", "d\0-name\0sub\0-quit",
    "d\0-name\0*.txt\0-delete", "d/sub\0-delete", "d\0-true\0,\0-name\0e.txt",
    "d\0-exec\0false\0;", "d\0-name\0a.txt\0-exec\0nosuch\0{}\0;", "d\0-exec\0false\0{}\0+",
    "d\0-print\0-o", "-L\0d\0-type\0l", "d\0-name\0[ab]*", "d\0-name\0*.[!t]*", "",
    "d\0-type\0d\0-empty\0-delete")]

XARGS_IN = b"a b  c\n'd e' \"f g\"\n h\\ i\n\nj\n"
XARGS_ARGS = [a.split("\0") if a else [] for a in (
    "", "echo", "-n\x002", "-n1\0echo\0x", "-L\x001", "-L2\0echo", "-I\0{}\0echo\0<{}>",
    "-I\0Q\0echo\0Q-Q", "-t\0echo", "-r", "-n\x000", "-n\0x", "nosuch", "false", "sh\0-c\0exit 255",
    "-d\0\\n\0echo", "-d\0b", "-0", "-0\0-n1", "--bogus", "-s\x00100\0echo", "--\0echo\0-n",
    "-a\0f\0echo", "-a\0nope", "sh\0-c\0echo $#\0sh", "-x\0-n1\0echo")]

SED_TEXT = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n"
SED_ARGS = [
    ["s/o/0/"], ["s/o/0/g"], ["s/o/0/2"], ["s/o/0/2g"], ["s/e/[&]/g"],
    ["s/\\(.\\)\\(.\\)/\\2\\1/"], ["-E", "s/(.)(.)/\\2\\1/"], ["-n", "s/o/0/p"], ["s/O/x/I"],
    ["s/x*/-/g"], ["s/^/> /"], ["s/$/;/"], ["s|/|_|g"], ["s/e/\\n/"], ["s/\\w\\+/\\U&/"],
    ["s/\\(t\\)\\(.*\\)/\\u\\2\\E\\1/"], ["3d"], ["$d"], ["2,4d"], ["/t/d"], ["/two/,/four/d"],
    ["-n", "2,+2p"], ["-n", "1~3p"], ["-n", "2,~4p"], ["0,/o/d"], ["1,/o/d"], ["5,2d"],
    ["-n", "/e/!p"], ["2!d"], ["-n", "$="], ["="], ["3q"], ["3q5"], ["3Q"], ["2a\\\nadded"],
    ["2a added"], ["2i\\\nins"], ["2,3c\\\nchanged"], ["$!c X"],
    ["y/abcdefghijklmnopqrstuvwxyz/ABCDEFGHIJKLMNOPQRSTUVWXYZ/"], ["-n", "p;p"],
    ["-e", "1d", "-e", "s/e/E/"], ["$!N;s/\\n/ /"], ["1!G;h;$!d"], ["-n", "$!{h;d};x;G;p"],
    ["N;P;D"], [":a;N;$!ba;s/\\n/,/g"], ["/two/{s/t/T/;s/o/O/}"], ["s/e/E/;t;s/o/O/"],
    ["s/e/E/;T;s/o/O/"], ["-n", "l"], ["-n", "/[[:digit:]]/p"], ["s/[aeiou]/#/g"],
    ["s/[^aeiou]/#/g"], ["-E", "s/(on|tw)e?/X/"], ["-E", "/^(t|f)/d"], ["s/e\\{2\\}/EE/"],
    ["-E", "s/e{2}/EE/"], ["-n", "/^t/,/^f/{=;p}"], ["k"], ["s/a"], ["s/a/b/q"], ["y/ab/c/"],
    ["}"], ["{p"], ["b foo"], ["s/\\(a/x/"], ["s/a/\\1/"], ["0p"], ["p x"], [], ["-n"],
    ["--bogus"], ["p", "nope"], ["p", "f", "nope"], ["-s", "-n", "$=", "f", "f"],
    ["-n", "$=", "f", "f"], ["1d", "f", "f"], ["-s", "1d", "f", "f"], ["-i", "s/o/0/", "f"],
    ["-i.bak", "2d", "f"], ["-n", "-i", "1p", "f", "g"], ["-f", "script"], ["-f", "nope"],
    ["s/o/0/w out"], ["2r g"], ["w out2"], ["-z", "s/\\n/,/g"],
    ["--expression=2d", "--quiet", "-e", "3p"], ["-n", "/ONE/Ip"], ['s/.*/"&"/'], ["s/t/&&/3"],
    ["-E", "s/(t)|(f)/[\\1\\2]/g"], ["\\,t,d"], ["-n", "\\%^f%p"], ["2{h;d};4{G}"], ["n;d"],
    ["$!N;P;D"], ["-n", "x;p"], ["2z"], ["-E", "s/^(.*)$/<\\1>/"],
]
SED_FILES: dict[str, str | bytes] = {"f": "abc\nxyz", "g": "g1\ng2\n", "script": "s/o/O/g\n2d\n",
                                     "d/": ""}
SED_CASES = [Case(a, SED_TEXT.encode(), files=SED_FILES) for a in SED_ARGS] + [
    Case(["p"], b"a\nb"), Case(["$a end"], b"x"), Case(["s/x/y/"], b""),
    Case(["-n", "l"], b"a\tb\x01\\c" + b"z" * 80 + b"\n"), Case(["p", "d"], b"x\n")]

DIFF_FILES: dict[str, str | bytes] = {
    "a": "a\nb\nc\nd\n", "b": "a\nB\nc\nd\ne\n", "c": "x", "e": "", "d/": "",
    "long1": "".join(f"{i}\n" for i in range(40)),
    "long2": "".join(f"{i}\n" for i in range(40) if i not in (5, 20)).replace("30\n", "thirty\n")
    + "new\n", "s1": "a  b\nC\n", "s2": "a b\nc\n", "r1": "a\nb\na\nc\n", "r2": "c\na\nb\na\n"}
DIFF_ARGS = [a.split() for a in (
    "a b", "a a", "-u a b", "a c", "-u c a", "c a", "e a", "a e", "-u e a", "-u a e", "long1 long2",
    "-u long1 long2", "-U 1 long1 long2", "-U0 long1 long2", "-q a b", "-q a a", "-s a a",
    "a nope", "a", "a b c", "--bogus a b", "s1 s2", "-i s1 s2", "-b s1 s2", "-w -i s1 s2",
    "r1 r2", "-u r1 r2", "- a", "long2 long1", "-u long2 long1", "-U x a b", "a d")]

CASES: dict[str, list[Case]] = {
    "xargs": [Case(a, XARGS_IN, files={"f": "from file\n"}) for a in XARGS_ARGS] +
             [Case(a, b"x\0y z\0\0w") for a in (["-0"], ["-0", "-n", "1"], ["-0", "-I", "%",
                                                   "echo", "[%]"])] +
             [Case(a, b) for a in (["-r", "echo", "x"], ["echo", "x"], ["-I{}", "echo", "{}"])
              for b in (b"", b"  \n")] +
             [Case([], b"it's\n"), Case(["-n1"], b"a \"b\nc\" d\n")],
    "find": [Case(a, files=FIND_TREE, mtimes=FIND_TIMES) for a in FIND_ARGS],
    "sed": SED_CASES,
    "diff": [Case(a, b"a\nq\n", files=DIFF_FILES) for a in DIFF_ARGS],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_gnu(name: str) -> None:
    problems = run_all(name, CASES[name])
    assert not problems, "\n\n".join(problems)
