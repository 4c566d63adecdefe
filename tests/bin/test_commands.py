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

from tests.bin.gnu_compare import BIN, STAMP, Case, compare, environment

TEXT = "banana\napple\ncherry\napple\n\nDate 10\ndate 9\n  spaced  out\n"
NUMS = "10\n9\n-3\n2.5\n100\n1e3\n0x10\nabc\n\n7\n"
TREE = {"d/": "", "d/f": "one\n", "d/sub/": "", "d/sub/g": "two\n", "f": "hello\n",
        "l@": "f", "e/": "", "x*": "#!/bin/sh\n"}

LS_TREE = {**TREE, "d/.hidden": "h", "d/a b": "space", "big": "x" * 5000, "old": "o",
           "ld@": "d", "dangling@": "nowhere", "many/": "",
           **{f"many/{w}": "" for w in ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]}}
LS_TIMES = {"old": 1_000_000_000, "big": STAMP - 100, "x": STAMP + 100}
STAT_FORMAT = ("%n|%N|%s|%b|%B|%o|%f|%a|%A|%F|%u|%U|%g|%G|%h|%d|%D|%t|%T|%y|%Y|%Hd|%Ld|"
               "%%|%10s|%-6a|%#o|%05a|%.3Y|%#a|%Hr %Lr|%-#8a|%#08a")


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
            ["-r", "d"], ["-rv", "d"], ["-R", "e", "f", "l"], ["."], ["-r", "d/.."],
            ["-r", "/"], ["-rf", "e", "d", "x", "f", "l", "nope"], ["l"], ["-r", "l"],
            ["-v", "f", "x"], ["d/sub/g", "d/f"])],
    "cp": [Case(a, files=TREE) for a in
           (["f", "g"], ["f", "d"], ["f", "x", "d/sub"], ["d", "z"], ["-r", "d", "z"],
            ["-R", "d", "e"], ["-r", "d", "e", "z"], ["-rv", "d", "z"], ["l", "m"],
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
}
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
    assert helped.returncode == 0 and b"Usage" in helped.stdout, helped
    if name in ("true", "false", "echo", "test", "[", "printf"):
        return
    bad = subprocess.run([sys.executable, script, "--no-such-option"], capture_output=True,
                         env=env, timeout=20)
    assert bad.returncode != 0, bad
    assert bad.stderr.startswith(f"{name}: ".encode()), bad.stderr
    assert b"Traceback" not in bad.stderr
