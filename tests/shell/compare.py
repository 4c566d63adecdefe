"""Run LINES through dash and through our sh on the host; print the differences.

Usage: python tests/shell/compare.py [SUBSTRING]  (a development aid; the pytest test is
test_sh_vs_dash.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SH = [sys.executable, str(ROOT / "pith" / "bin" / "sh.py")]


def run(argv: list[str], line: str) -> tuple[str, int, str]:
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run([*argv, "-c", line], cwd=d, capture_output=True, text=True,
                           timeout=30, stdin=subprocess.DEVNULL,
                           env={**os.environ, "HOME": d, "LC_ALL": "C"})
    return p.stdout, p.returncode, p.stderr


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from tests.shell.lines import LINES

    pattern = sys.argv[1] if len(sys.argv) > 1 else ""
    bad = 0
    for line in LINES:
        if pattern not in line:
            continue
        want = run(["dash"], line)
        got = run(SH, line)
        if want[:2] != got[:2] or bool(want[2]) != bool(got[2]):
            bad += 1
            print(f"--- {line!r}\n  dash: {want!r}\n  ours: {got!r}")
    print(f"{bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
