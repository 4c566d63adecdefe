"""Boot manifests: decoding, checking, dependency order, program files."""

from __future__ import annotations

from pathlib import Path

import pytest

from pith.lib.manifest import Manifest, ManifestError, program_path

GOOD = """
[servers.vfs]
program = "pith.servers.vfs:Vfs"
provides = ["vfs"]
uses = ["disk"]
depends = ["blk"]

[servers.blk]
program = "pith.drivers.blk:Blk"
mode = "collocated"
provides = ["disk"]
"""


def test_dependencies_start_first() -> None:
    manifest = Manifest.parse(GOOD)
    assert manifest.order() == ["blk", "vfs"]
    assert manifest.endpoints() == ["vfs", "disk"]
    assert manifest.servers["blk"].mode == "collocated"


def test_round_trip_through_json_for_rs() -> None:
    manifest = Manifest.parse(GOOD + 'kernel = ["spawn"]\n')
    assert manifest.servers["blk"].kernel == ["spawn"]
    assert Manifest.from_json(manifest.to_json()) == manifest


@pytest.mark.parametrize(("text", "error"), [
    ('[servers.a]\nprogram = "x:y"\ncolour = "red"\n', "colour"),
    ('[servers.a]\nprogram = 3\n', "program"),
    ('[servers.a]\nprogram = "x:y"\nmode = "sometimes"\n', "mode"),
    ('[servers.a]\nprogram = "x:y"\nuses = ["nope"]\n', "nobody provides"),
    ('[servers.a]\nprogram = "x:y"\ndepends = ["b"]\n', "unknown server b"),
    ('[servers.a]\nprogram = "x:y"\ndepends = ["b"]\n[servers.b]\nprogram = "x:y"\n'
     'depends = ["a"]\n', "cycle"),
    ("this is not toml", "bad manifest"),
    ('[servers.a]\nprogram = "x:y"\ndevices = ["disk"]\n[servers.b]\nprogram = "x:y"\n'
     'devices = ["disk"]\n', "more than one server"),
    ('[servers.a]\nprogram = "x:y"\nprovides = ["e"]\n[servers.b]\nprogram = "x:y"\n'
     'provides = ["e"]\n', "more than one server"),
    ('strategy = "all_for_none"\n', "strategy"),
    ('[servers.a]\nprogram = "x:y"\nkernel = ["root"]\n', "kernel"),
])
def test_bad_manifests_are_refused_clearly(text: str, error: str) -> None:
    with pytest.raises(ManifestError, match=error):
        Manifest.parse(text)


def test_program_files_are_made_absolute_from_the_manifest(tmp_path: Path) -> None:
    manifest = Manifest.parse('[servers.a]\nprogram = "mine.py:Server"\n', base=tmp_path)
    assert manifest.servers["a"].program == f"{tmp_path.resolve()}/mine.py:Server"
    echo = "pith.servers.echo.server:EchoServer"
    assert program_path(echo, tmp_path) == echo
    assert program_path("tool.py", tmp_path) == f"{tmp_path.resolve()}/tool.py"
