"""The shell inside Pith against dash on the host: every line of tests/shell/lines.py,
run by Pith's own sh (on a booted system: pm, vfs, mfs, Pith's commands), gives the
same stdout and exit status as `dash -c LINE` on the host (stderr: both empty or both
not). One boot runs them all (tests/system/run_lines.py, an ordinary Python script)."""

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
from tests.shell.lines import LINES

ROOT = Path(__file__).resolve().parents[2]
Result = tuple[str, int, bool]
# Lines that depend on the host machine, not the shell: a command Pith does not have
# (sed), a directory only the host has (/usr), the host user table (~root), and
# /dev/tty (the host test has no controlling terminal; Pith's console always is one).
HOST_ONLY = ("sed ", "/usr", "~root", "/dev/tty")
PITH_LINES = [line for line in LINES if not any(mark in line for mark in HOST_ONLY)]

pytestmark = pytest.mark.skipif(shutil.which("dash") is None, reason="needs dash")


def dash(line: str) -> Result:
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run(["dash", "-c", line], cwd=d, capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL,
                           env={"PATH": os.environ["PATH"], "HOME": d, "LC_ALL": "C"})
    return p.stdout, p.returncode, bool(p.stderr)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Result, Result]]:
    tmp = tmp_path_factory.mktemp("lines")
    src = tmp / "src"
    src.mkdir()
    shutil.copy(ROOT / "tests" / "system" / "run_lines.py", src / "run_lines.py")
    (src / "lines.json").write_text(json.dumps(PITH_LINES))
    image = tmp / "disk.img"
    make_image(image, 64 << 20, src).dev.close()  # type: ignore[attr-defined]
    argv = [sys.executable, "-m", "pith", "boot", "--image", str(image),
            "--command", "python /run_lines.py /lines.json"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        on_host = pool.map(dash, PITH_LINES)
        booted = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=400,
                                stdin=subprocess.DEVNULL)
        dashes = list(on_host)
    assert booted.returncode == 0, booted.stderr[-3000:]
    pith = [(out, status, err) for out, status, err in json.loads(booted.stdout)]
    return dict(zip(PITH_LINES, zip(dashes, pith, strict=True), strict=True))


def test_nearly_every_line_runs_in_pith() -> None:
    assert len(PITH_LINES) >= len(LINES) - 10


@pytest.mark.parametrize("line", PITH_LINES)
def test_line_behaves_in_pith_as_in_dash(line: str,
                                         results: dict[str, tuple[Result, Result]]) -> None:
    want, got = results[line]
    assert got[0] == want[0], "stdout differs"
    assert got[1] == want[1], "exit status differs"
    assert got[2] == want[2], "stderr: one is empty, the other not"
