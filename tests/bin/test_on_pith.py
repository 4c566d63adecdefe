"""Issue 16's commands inside a booted Pith against the GNU tools on the host.

Every line of LINES runs under Pith's sh in one boot (tests/system/run_lines.py: a fresh
directory each, stdin /dev/null) and under dash with the host's GNU tools; stdout and exit
status must be equal, and stderr both empty or both not. Directory order differs between
mfs and the host's file system, so lines that list a tree sort it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pith.tools.mkfs import make_image
from tests.kernel.host.conftest import no_leaks  # noqa: F401  (the leak check)

ROOT = Path(__file__).resolve().parents[2]
Result = tuple[str, int, bool]
TREE = ("mkdir -p d/sub/deep d/empty; echo one > d/a.txt; echo e > d/sub/deep/e.txt; "
        ": > d/sub/c.py; ")
LINES = [
    TREE + "find d | sort",
    TREE + "find d -name '*.txt' | sort",
    TREE + "find d -type d -empty",
    TREE + "find d -maxdepth 1 -type f -exec cat {} \\;",
    TREE + "find d -name sub -prune -o -type f -print | sort",
    TREE + "find d -type f -exec echo {} + | wc -w",
    TREE + "find nope d/a.txt; echo $?",
    TREE + "find d -name '*.txt' -delete; find d | sort",
    TREE + "find d -bogus",
    TREE + "find d -type f | sort | xargs -n1 echo X",
    "printf 'a b\\nc\\n' | xargs; printf 'x\\0y z\\0' | xargs -0 -I{} echo [{}]",
    "echo | xargs -r echo no; echo $?; echo a | xargs nosuch; echo $?",
    "seq 5 | xargs -n2 sh -c 'echo $# $0'; echo $?; echo 1 | xargs false; echo $?",
    "seq 10 | sed -n '2,4p;/7/,$s/^/>/p'; printf 'a b\\nc\\n' | sed 's/\\(.\\) \\(.\\)/\\2 \\1/'",
    "seq 6 > a; seq 7 | sed 3d > b; diff a b; echo $?; diff -u a b | tail -n +3; diff a a; echo $?",
    "diff a nope; echo $?; seq 3 | diff - /dev/null; echo $?",
    "printf 'a\\nb\\n' | sed -E '$a end' | sed -E 's/(.*)/[\\1]/'",
    "printf 'x\\ny\\n' > f; sed -i.bak '1d' f; cat f f.bak; sed -n '$=' f f.bak; sed q5 f; echo $?",
    "seq 3 | sed -e :a -e '$!N;s/\\n/,/;ta'; sed p nope; echo $?; sed 's/x' f; echo $?",
    "printf 'a 1\\nb 2\\na 3\\n' | awk '{ s[$1] += $2 } END { for (k in s) print k, s[k] }' | sort",
    "seq 5 | awk 'NR % 2 { print NR \": \" $0 } END { print NR }'; echo x:y:z | awk -F: -v OFS=- "
    "'{ $1 = $1; print; print NF }'",
    "awk 'BEGIN { while ((\"echo a b\" | getline l) > 0) print \"got\", l; system(\"echo sys\"); "
    "print \"p\" | \"cat\"; close(\"cat\"); exit 3 }'; echo $?",
    "printf 'one\\ntwo\\n' > f; awk '{ print FILENAME, FNR, $0 > \"out\" } END { close(\"out\"); "
    "while ((getline l < \"out\") > 0) print \"r\", l }' f; cat out",
    "awk 'BEGIN { printf \"%5.2f|%-4s|%x\\n\", 3.14159, \"ab\", 255 }'; awk 'BEGIN { x = }'; "
    "echo $?",
    "echo hello world | awk '{ n = gsub(/o/, \"0\"); print n, $0, toupper(substr($2, 1, 3)), "
    "length($0) }'; awk '{ print }' nope; echo $?",
    "printf 'ab\\0\\377\\n' | od; printf 'abc' | od -An -tx1 -c; seq 20 | od -c -j 3 -N 9",
    "seq 100 > f; od -Ax -tx1z f | tail -3; od -t d2 -v f | wc -l; od nope; echo $?",
    "printf 'hello\\0\\1\\n' > f; hexdump f; hexdump -C f; seq 50 | hexdump -c | tail -2",
    "head -c 64 /dev/zero > z; hexdump -C z; hexdump -s 60 -x z; hexdump nope; echo $?",
    "seq 5 > a; seq 3 > b; cmp a b; echo $?; cmp -l a a; echo $?; cmp -s a nope; echo $?",
    "printf 'ab\\ncd\\n' > a; printf 'ab\\nxd\\n' > b; cmp a b; cmp -b a b; cmp -s a b; echo $?",
    "seq 4 | tac; printf 'a,b,c' | tac -s ,; echo; tac nope; echo $?",
    "printf 'x\\n\\ny\\n' | nl; seq 3 | nl -ba -n rz -w 3 -s :; nl -bq /dev/null; echo $?",
    "seq 4 | paste - -; seq 3 > a; printf 'x\\ny\\n' > b; paste -d , a b; paste -s a b",
    "printf 'a\\nb\\nd\\n' > a; printf 'b\\nc\\n' > b; comm a b; comm -12 a b; comm -3 b a",
    "expr 1 + 2 \\* 3; expr 7 / 0; echo $?; expr abc : 'a\\(.\\)'; expr 0 \\| ''; echo $?",
    "x=5; while [ $x -gt 0 ]; do x=$(expr $x - 2); done; echo $x; expr length hello; expr 1 +",
    "expr substr hello 2 3; expr index hello l; expr a \\< b; expr 10 \\< 9; echo $?",
    "mkdir -p d/s; touch f; ln -s f l; ln -s d/s ld; { realpath l ld/.. nope; realpath -m x/y;"
    " } | sed \"s|$PWD|P|\"; realpath a/b; echo $?",
    "touch f; ln -s f l; ln -s nowhere dang; readlink l dang; readlink f; echo $?;"
    " readlink -f l | sed \"s|$PWD|P|\"; readlink -e dang; echo $?",
    "export TMPDIR=$PWD; f=$(mktemp); d=$(mktemp -d); ls -ld $f $d | cut -c1-10 | sort;"
    " mktemp x; echo $?; mktemp -p . aXXXX | cut -c1-3; mktemp nope/XXXX; echo $?; ls | wc -l",
    "which nope; echo $?; which -a nope sh > /dev/null; echo $?;"
    " printf '#!/bin/sh\\necho hi\\n' > x; chmod +x x; PATH=.:$PATH which x; ./x",
    "printf abc > a; seq 10 > b; sha256sum a b > s; cat s; sha256sum -c s; echo x >> b;"
    " sha256sum -c s; echo $?; md5sum a - < b; md5sum --tag a | md5sum -c",
    "seq 100 > a; gzip a; ls; zcat a.gz | wc -l; gunzip a.gz; ls; wc -l < a; gzip nope; echo $?",
    "seq 5 | gzip | gunzip; seq 3 | gzip -c > x.gz; gzip -dc x.gz x.gz | wc -l; echo x > t.gz;"
    " gunzip t.gz; echo $?; gzip -k x.gz; echo $?; seq 2 > y; gzip -k y; gzip y; echo $?; ls",
]

pytestmark = pytest.mark.skipif(shutil.which("dash") is None, reason="needs dash")


def dash(line: str) -> Result:
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run(["dash", "-c", line], cwd=d, capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL,
                           env={"PATH": os.environ["PATH"], "HOME": d, "LC_ALL": "C"})
    return p.stdout, p.returncode, bool(p.stderr)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Result, Result]]:
    tmp = tmp_path_factory.mktemp("cmds")
    src = tmp / "src"
    src.mkdir()
    shutil.copy(ROOT / "tests" / "system" / "run_lines.py", src / "run_lines.py")
    (src / "lines.json").write_text(json.dumps(LINES))
    image = tmp / "disk.img"
    make_image(image, 64 << 20, src).dev.close()  # type: ignore[attr-defined]
    argv = [sys.executable, "-m", "pith", "boot", "--image", str(image),
            "--command", "python /run_lines.py /lines.json"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        on_host = pool.map(dash, LINES)
        booted = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=400,
                                stdin=subprocess.DEVNULL)
        dashes = list(on_host)
    assert booted.returncode == 0, booted.stderr[-3000:]
    pith = [(out, status, err) for out, status, err in json.loads(booted.stdout)]
    return dict(zip(LINES, zip(dashes, pith, strict=True), strict=True))


@pytest.mark.parametrize("line", LINES)
def test_line_in_pith_as_on_host(line: str, results: dict[str, tuple[Result, Result]]) -> None:
    want, got = results[line]
    assert got[0] == want[0], "stdout differs"
    assert got[1] == want[1], "exit status differs"
    assert got[2] == want[2], "stderr: one is empty, the other not"
