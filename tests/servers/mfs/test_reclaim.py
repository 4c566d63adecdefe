"""Leaks a crash in mid write-through leaves are freed when mfs starts; nothing else is."""

from __future__ import annotations

import stat
from pathlib import Path

from pith.servers.mfs.cache import FileDevice
from pith.servers.mfs.check import check, reclaim_leaks
from pith.servers.mfs.fs import MinixFS
from tests.servers.mfs.helpers import assert_minix_clean, blank, fsck_minix, needs_util_linux


def leak(image: Path) -> tuple[int, int]:
    """A file, then its inode and first zone marked in use again after it was removed."""
    with FileDevice(image) as dev:
        fs = MinixFS.format(dev)
        keep = fs.create(1, "keep", stat.S_IFREG | 0o644)
        fs.write(keep.ino, 0, b"k" * 5000)
        gone = fs.create(1, "gone", stat.S_IFREG | 0o644)
        fs.write(gone.ino, 0, b"g" * 3000)
        zone = fs._bmap(fs._iget(gone.ino), 0)
        fs.unlink(1, "gone")
        fs._set_bit(fs.sb.imap_start, gone.ino, True)  # as a crash would leave them
        fs._set_bit(fs.sb.zmap_start, zone - fs.sb.first_data_zone + 1, True)
        fs.sync()
        return gone.ino, zone


@needs_util_linux
def test_leaked_inodes_and_zones_are_freed(tmp_path: Path) -> None:
    image = blank(tmp_path / "leak.img", 2048)
    leak(image)
    assert fsck_minix(image, "-f")[0] != 0
    with FileDevice(image) as dev:
        assert len(check(dev)) == 2
        assert reclaim_leaks(dev) == 2
        assert check(dev) == []
        fs = MinixFS.mount(dev)
        assert fs.read(fs.lookup(1, "keep").ino, 0, 10_000) == b"k" * 5000
    assert_minix_clean(image)


def test_other_damage_is_left_alone(tmp_path: Path) -> None:
    image = blank(tmp_path / "damaged.img", 2048)
    leak(image)
    with FileDevice(image) as dev:
        fs = MinixFS.mount(dev)
        keep = fs._iget(fs.lookup(1, "keep").ino)
        keep.nlinks = 3  # a wrong link count is not a leak: nothing is touched
        fs._iput(fs.lookup(1, "keep").ino, keep)
        fs.sync()
        before = dev.read(0, dev.blocks)
        assert reclaim_leaks(dev) == 0
        assert dev.read(0, dev.blocks) == before


def test_a_clean_image_is_not_written(tmp_path: Path) -> None:
    image = blank(tmp_path / "clean.img", 2048)
    with FileDevice(image) as dev:
        MinixFS.format(dev).sync()
        before = dev.read(0, dev.blocks)
        assert reclaim_leaks(dev) == 0
        assert dev.read(0, dev.blocks) == before
