"""The three isolation modes: manifests named for them, the same servers in each, and the
monolithic one booted with every server collocated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pith.lib.manifest import Manifest
from pith.tools.boot_cli import MANIFESTS, MODES, manifest_path
from pith.tools.mkfs import make_image
from tests.kernel.host.conftest import no_leaks  # noqa: F401  (the leak check)


def parsed(mode: str) -> Manifest:
    return Manifest.parse(manifest_path(mode).read_text())


def test_a_mode_names_its_manifest_and_a_path_is_a_path(tmp_path: Path) -> None:
    assert list(MODES) == ["microkernel", "hybrid", "monolithic"]
    for mode in MODES:
        assert manifest_path(mode) == MANIFESTS / f"{mode}.toml"
        assert manifest_path(mode).is_file()
    assert manifest_path("examples/echo.toml") == Path("examples/echo.toml")
    assert manifest_path(tmp_path / "hybrid") == tmp_path / "hybrid"


def test_the_modes_run_the_same_servers_more_or_less_collocated() -> None:
    modes = {mode: parsed(mode) for mode in MODES}
    servers = {name: s.program for name, s in modes["microkernel"].servers.items()}
    for manifest in modes.values():
        assert {name: s.program for name, s in manifest.servers.items()} == servers
    collocated = {mode: {name for name, s in m.servers.items() if s.mode == "collocated"}
                  for mode, m in modes.items()}
    assert collocated["microkernel"] == set()
    assert collocated["hybrid"] == {"blk", "mfs", "tmpfs", "bootfs", "eth"}
    assert collocated["monolithic"] == set(servers)


def test_the_monolithic_system_boots_and_works(tmp_path: Path) -> None:
    """/proc too: collocated procfs asks rs, its own process (a regression: that was a
    kernel panic)."""
    image = tmp_path / "disk.img"
    make_image(image, 8 << 20).dev.close()  # type: ignore[attr-defined]
    line = ("service list | grep -c collocated; echo data > /f; cat /f | tr a-z A-Z;"
            " ps | wc -l; python -c 'import os; print(os.getppid())';"
            " ls /proc | grep -c services; grep -c collocated /proc/services")
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", "monolithic", "--image",
            str(image), "--command", line]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["10", "DATA", "5", "2", "1", "10"], done.stderr
    assert done.returncode == 0
