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

CASES: dict[str, list[Case]] = {
    "xargs": [Case(a, XARGS_IN, files={"f": "from file\n"}) for a in XARGS_ARGS] +
             [Case(a, b"x\0y z\0\0w") for a in (["-0"], ["-0", "-n", "1"], ["-0", "-I", "%",
                                                   "echo", "[%]"])] +
             [Case(a, b) for a in (["-r", "echo", "x"], ["echo", "x"], ["-I{}", "echo", "{}"])
              for b in (b"", b"  \n")] +
             [Case([], b"it's\n"), Case(["-n1"], b"a \"b\nc\" d\n")],
    "find": [Case(a, files=FIND_TREE, mtimes=FIND_TIMES) for a in FIND_ARGS],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_gnu(name: str) -> None:
    problems = run_all(name, CASES[name])
    assert not problems, "\n\n".join(problems)
