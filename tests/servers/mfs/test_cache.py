"""The buffer cache keeps what it caches honest: a block changed in memory behind its back
(a stray write, a flipped bit: `pith inject`'s corrupt-state) is never served and never
reaches the device."""

from __future__ import annotations

from pathlib import Path

import pytest

from pith.servers.mfs.cache import BufferCache, FileDevice
from pith.servers.mfs.layout import FsError


@pytest.fixture
def dev(tmp_path: Path) -> FileDevice:
    path = tmp_path / "blocks"
    path.write_bytes(b"".join(bytes([n]) * 1024 for n in range(8)))
    return FileDevice(path)


def flip(cache: BufferCache, block: int) -> None:
    data = bytearray(cache._lru[block])
    data[100] ^= 0x10
    cache._lru[block] = bytes(data)


def test_a_clean_block_changed_in_memory_is_read_again(dev: FileDevice) -> None:
    cache = BufferCache(dev)
    assert cache.read(3) == bytes([3]) * 1024
    flip(cache, 3)
    assert cache.read(3) == bytes([3]) * 1024 and cache.corrupted == 1
    flip(cache, 3)
    cache.write(3, bytes([9]) * 1024)  # (a write over it, then taken back)
    cache.begin()
    cache.write(3, bytes([7]) * 1024)
    cache.rollback()
    assert cache.read(3) == bytes([9]) * 1024


def test_a_dirty_block_changed_in_memory_never_reaches_the_device(dev: FileDevice) -> None:
    cache = BufferCache(dev)
    cache.write(5, bytes([1]) * 1024)
    flip(cache, 5)
    with pytest.raises(FsError) as e:
        cache.sync()
    assert e.value.error == "EIO"
    assert dev.read(5) == bytes([5]) * 1024
    dev.close()
