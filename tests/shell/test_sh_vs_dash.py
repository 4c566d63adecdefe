"""sh against dash: every line of tests/shell/lines.py gives the same stdout and exit status
under `python pith/bin/sh.py -c LINE` as under `dash -c LINE` (stderr: both empty or both
not), each in a fresh temporary directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.shell.lines import LINES

ROOT = Path(__file__).resolve().parents[2]
SH = [sys.executable, str(ROOT / "pith" / "bin" / "sh.py")]
Result = tuple[str, int, bool]

pytestmark = pytest.mark.skipif(shutil.which("dash") is None, reason="needs dash")


def run(argv: list[str], line: str) -> Result:
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run([*argv, "-c", line], cwd=d, capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL,
                           env={**os.environ, "HOME": d, "LC_ALL": "C"})
    return p.stdout, p.returncode, bool(p.stderr)


@pytest.fixture(scope="module")
def results() -> dict[str, tuple[Result, Result]]:
    def both(line: str) -> tuple[Result, Result]:
        return run(["dash"], line), run(SH, line)

    with ThreadPoolExecutor(max_workers=min(16, (os.cpu_count() or 2) * 2)) as pool:
        return dict(zip(LINES, pool.map(both, LINES), strict=True))


def test_the_table_is_big_and_has_no_duplicates() -> None:
    assert len(LINES) >= 120
    assert len(set(LINES)) == len(LINES)


@pytest.mark.parametrize("line", LINES)
def test_line_behaves_as_in_dash(line: str, results: dict[str, tuple[Result, Result]]) -> None:
    want, got = results[line]
    assert got[0] == want[0], "stdout differs"
    assert got[1] == want[1], "exit status differs"
    assert got[2] == want[2], "stderr: one is empty, the other not"
