"""mfs reads a run of blocks at once: the bytes are the file's (holes, every zone-tree level,
the end of file), and a cold read asks the device for runs of blocks, not one block a call
(and for no block it was not asked for)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pith.servers.mfs.cache import FileDevice
from pith.servers.mfs.fs import MinixFS
from pith.servers.mfs.layout import BLOCK_SIZE, NR_DIRECT, ZONES_PER_BLOCK
from tests.servers.mfs.helpers import blank

DOUBLE = (NR_DIRECT + ZONES_PER_BLOCK) * BLOCK_SIZE  # the first byte the double-indirect maps


class CountingDevice(FileDevice):
    """A FileDevice that counts the reads it is asked for."""

    reads = 0

    def read(self, block: int, count: int = 1) -> bytes:
        self.reads += 1
        return super().read(block, count)


def made(tmp_path: Path, writes: list[tuple[int, bytes]]) -> tuple[Path, int, bytearray]:
    """An image with one file written as `writes` says: its path, inode and bytes."""
    image = blank(tmp_path / "fs.img", 8192)
    model = bytearray()
    with FileDevice(image) as dev:
        fs = MinixFS.format(dev, now=lambda: 1000)
        ino = fs.create(1, "f", 0o100644).ino
        for offset, data in writes:
            assert fs.write(ino, offset, data) == len(data)
            model[len(model):] = bytes(max(0, offset - len(model)))
            model[offset:offset + len(data)] = data
        fs.cache.sync()
    return image, ino, model


@pytest.mark.parametrize("seed", range(3))
def test_reads_give_the_files_bytes(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    writes = [(rng.randrange(DOUBLE + 300_000), rng.randbytes(rng.randrange(1, 40_000)))
              for _ in range(25)]  # sparse: holes between, across the zone-tree levels
    image, ino, model = made(tmp_path, writes)
    with FileDevice(image) as dev:
        fs = MinixFS.mount(dev, cache_blocks=rng.choice([64, 4096]))
        for _ in range(60):
            offset = rng.randrange(len(model) + 5000)
            size = rng.randrange(1, 600_000)
            want = bytes(model[offset:offset + size])
            assert fs.read(ino, offset, size) == want
            out = memoryview(bytearray(size))
            assert fs.read_into(ino, offset, size, out) == len(want)
            assert out[:len(want)] == want


def test_a_cold_read_asks_for_runs(tmp_path: Path) -> None:
    data = random.Random(1).randbytes(600 * BLOCK_SIZE)
    image, ino, _ = made(tmp_path, [(0, data)])
    with CountingDevice(image) as dev:
        fs = MinixFS.mount(dev)
        before = dev.reads
        assert fs.read(ino, 0, 300 * BLOCK_SIZE) == data[:300 * BLOCK_SIZE]
        cold = dev.reads - before
        assert cold <= 6, f"{cold} device reads for 300 contiguous blocks"
        zones = fs._bmap_many(fs._live(ino), 300, 8)
        assert not any(z in fs.cache._lru for z in zones)  # (nothing read past the request)
