"""pith bench system's guest script: the pipeline it times really counts the 1 MiB file,
with the host's tools and with Pith's own shell and commands run by Linux."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pith.tools.bench_system import GUEST, ROOT


@pytest.mark.parametrize("where", ["host", "host-python"])
def test_the_guest_times_a_pipeline_that_counts_right(where: str, tmp_path: Path) -> None:
    argv = [sys.executable, str(GUEST), where, str(ROOT / "pith" / "bin" / "true.py"),
            str(tmp_path), "1", "1"]
    result = json.loads(subprocess.run(argv, capture_output=True, text=True, check=True,
                                       timeout=60).stdout)
    assert result["pipeline_lines"] == 2**20 // 55 + 1  # 55-byte lines; sort ends the cut one
    assert result["spawn"] > 0 and result["pipeline"] > 0
    assert list(tmp_path.iterdir()) == []  # it cleans up after itself
