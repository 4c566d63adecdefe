"""`pith bench`: one command runs every operation on the host and in every isolation mode and
writes the table, the JSON and the chart. A benchmark, not a timed test: one round of tiny
sizes, and nothing is asserted about speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from pith.cli import app
from pith.tools.bench import OPERATIONS, SYSTEMS, make_tarball
from tests.kernel.host.conftest import ROOT, no_leaks  # noqa: F401  (the leak check)


def test_one_command_measures_every_operation_in_every_mode(tmp_path: Path) -> None:
    out, png = tmp_path / "bench.json", tmp_path / "bench.png"
    argv = [sys.executable, "-m", "pith", "bench", "--rounds", "1", "--repeat", "2",
            "--files", "10", "--json", str(out), "--chart", str(png), "--no-progress"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for name in (*SYSTEMS, *(op.label for op in OPERATIONS), "textbook", "micro/mono"):
        assert name in done.stdout
    doc = json.loads(out.read_text())
    assert doc["systems"] == ["host", "monolithic", "hybrid", "microkernel"]
    assert [op["key"] for op in doc["operations"]] == [op.key for op in OPERATIONS]
    assert len(doc["macro_output"]) == 3 and doc["macro_output"][2] == "400"  # (10 × 40 lines)
    for op in doc["operations"]:
        assert op["measured"], op
        assert set(op["seconds"]) == set(SYSTEMS)
        assert all(s > 0 for s in op["seconds"].values())
        assert set(op["vs_host"]) == {"monolithic", "hybrid", "microkernel"}
        assert set(op["vs_monolithic"]) == {"hybrid", "microkernel"}
        assert all(len(samples) == 1 for samples in op["samples"].values())
    books = {op["key"]: op["textbook_microkernel_vs_monolithic"] for op in doc["operations"]}
    assert (books["getpid"], books["stat"], books["read_4k"], books["spawn"]) == (5, 3, 3, 2)
    assert (books["read_1m"], books["tcp_echo"], books["null_ipc"]) == (1.15, 2.5, None)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_tarball_is_a_few_files_of_words(tmp_path: Path) -> None:
    import tarfile

    make_tarball(tmp_path / "t.tar", 25)
    with tarfile.open(tmp_path / "t.tar") as tar:
        names = tar.getnames()
    assert len(names) == 25 and len({n.split("/")[0] for n in names}) == 10


def test_the_full_benchmark_s_options_are_refused_for_a_part() -> None:
    result = CliRunner().invoke(app, ["bench", "core", "--chart", "x.png"])
    assert result.exit_code == 2
    assert "pith bench all" in result.stderr


def test_bad_counts_are_refused() -> None:
    result = CliRunner().invoke(app, ["bench", "--rounds", "0"])
    assert result.exit_code == 2
    assert "at least 1" in result.stderr


def test_a_file_that_cannot_be_written_is_found_out_before_the_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["bench", "--json", str(tmp_path / "no" / "b.json")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"pith bench: {tmp_path}/no/b.json: No such file or directory"
