"""The block driver, booted on a real image file, driven through BlkDevice by a client."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from tests.kernel.host.conftest import ROOT, no_leaks  # noqa: F401  (the leak check)

MANIFEST = """
[servers.blk]
program = "pith.drivers.blk.server:BlkServer"
mode = "{mode}"
provides = ["blk"]
devices = ["disk"]
"""

CLIENT = """
from pith.protocols.blk import BlkDevice, Flush, ReadBlocks
from pith.lib.server import ServiceError
disk = BlkDevice(CAPS["blk"], buffer_blocks=4)
print(disk.block_size, disk.blocks)
disk.write(3, bytes(range(256)) * 4 * 6)           # 6 blocks through a 4-block buffer
assert disk.read(3, 6) == bytes(range(256)) * 4 * 6
assert disk.read(0, 1) == bytes(1024)
bads = ReadBlocks(disk.blocks, 1), ReadBlocks(-1, 1), ReadBlocks(0, 5), ReadBlocks(0, 1, 4096)
for bad in bads:
    try:
        disk.blk.call(bad)
        print("ALLOWED", bad)
    except ServiceError as e:
        print("refused", e.error)
disk.flush()
"""


def run(tmp_path: Path, mode: str, image: Path,
        code: str = CLIENT) -> subprocess.CompletedProcess[str]:
    manifest = tmp_path / "blk.toml"
    manifest.write_text(MANIFEST.format(mode=mode))
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", str(manifest), "--image",
            str(image), "--command", f"python -c {shlex.quote(code)}"]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_blocks_round_trip_through_shared_memory(tmp_path: Path) -> None:
    for mode in ("isolated", "collocated"):
        image = tmp_path / f"{mode}.img"
        image.write_bytes(bytes(64 * 1024))
        done = run(tmp_path, mode, image)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == ["1024 64"] + ["refused EINVAL"] * 4
        data = image.read_bytes()
        assert data[3 * 1024: 9 * 1024] == bytes(range(256)) * 4 * 6  # really on the disk
        assert data[:3 * 1024] == bytes(3 * 1024) and data[9 * 1024:] == bytes(55 * 1024)


def test_a_server_needing_a_device_the_host_lacks_is_a_clear_error(tmp_path: Path) -> None:
    manifest = tmp_path / "blk.toml"
    manifest.write_text(MANIFEST.format(mode="isolated").replace('"disk"', '"tape"'))
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", str(manifest), "--command", "echo"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "needs device tape" in done.stderr


def test_an_image_that_cannot_be_opened_is_a_clear_error(tmp_path: Path) -> None:
    manifest = tmp_path / "blk.toml"
    manifest.write_text(MANIFEST.format(mode="isolated"))
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", str(manifest), "--image",
            str(tmp_path), "--command", "echo"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"{tmp_path}: Is a directory" in done.stderr
