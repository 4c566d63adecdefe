"""pith.lib.start.load: a live update reads a server's code again, not the zygote's copy."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pith.lib.start import load


@pytest.fixture
def package(tmp_path: Path) -> Iterator[Path]:
    """A module `pith_load_probe` on sys.path, forgotten afterwards."""
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path / "pith_load_probe.py"
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("pith_load_probe", None)


def test_load_reuses_an_imported_module(package: Path) -> None:
    package.write_text("VERSION = 1\n")
    assert load("pith_load_probe:VERSION") == 1
    package.write_text("VERSION = 2\n")
    assert load("pith_load_probe:VERSION") == 1  # (a fork of a warm zygote: no import)


def test_load_afresh_reads_the_new_code(package: Path) -> None:
    import pith.servers.rs.main  # noqa: F401  (as the zygote has it)

    package.write_text("VERSION = 1\n")
    assert load("pith_load_probe:VERSION") == 1
    package.write_text("VERSION = 22\n")  # (another size: no stale .pyc can match)
    before = dict(sys.modules)
    try:
        assert load("pith_load_probe:VERSION", afresh=True) == 22
        assert "pith.servers.rs.main" not in sys.modules  # (servers' code is read again too)
    finally:
        sys.modules.update(before)  # (this test process's classes stay the ones it has)
