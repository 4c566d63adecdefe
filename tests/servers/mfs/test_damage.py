"""Damaged images: MinixFS refuses them with FsError (never another exception) and writes
nothing; Pith's checker finds the damage that fsck.minix finds."""

from __future__ import annotations

import random
import stat
import struct
from pathlib import Path

import pytest

from pith.servers.mfs.cache import BufferCache, FileDevice
from pith.servers.mfs.check import check
from pith.servers.mfs.fs import FsError, MinixFS
from pith.servers.mfs.layout import Inode, Superblock
from tests.servers.mfs.helpers import assert_clean, fsck_minix, needs_util_linux, new_fs


def populated(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    path, fs = new_fs(tmp_path, 2048)
    d = fs.mkdir(1, "dir", 0o755)
    inos = {"dir": d.ino}
    for i in range(20):
        f = fs.create(d.ino, f"file{i}", 0o644)
        fs.write(f.ino, 0, bytes([i]) * (i * 700))
        inos[f"file{i}"] = f.ino
    big = fs.create(1, "big", 0o644)
    fs.write(big.ino, 0, b"B" * 300 * 1024)
    inos["big"] = big.ino
    inos["link"] = fs.symlink(1, "link", "dir/file3").ino
    fs.sync()
    return path, inos


def walk(fs: MinixFS, ino: int = 1, depth: int = 0) -> int:
    """Visit everything; the number of FsErrors met (any other exception fails the test)."""
    errors = 0
    try:
        entries, _ = fs.readdir(ino, 0, 10_000)
    except FsError:
        return 1
    for name, child in entries:
        if name in (".", "..") or depth > 10:
            continue
        try:
            attr = fs.lookup(ino, name)
            if stat.S_ISDIR(attr.mode):
                errors += walk(fs, child, depth + 1)
            elif stat.S_ISLNK(attr.mode):
                fs.readlink(child)
            else:
                fs.read(child, 0, 1 << 20)
        except FsError:
            errors += 1
    return errors


def inode_offset(sb: Superblock, ino: int) -> int:
    return sb.itable_start * 1024 + (ino - 1) * 64


def zone_of(path: Path, ino: int, slot: int = 0) -> int:
    raw = path.read_bytes()
    sb = Superblock.unpack(raw[1024:2048])
    return Inode.unpack(raw, inode_offset(sb, ino)).zones[slot]


def poke(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("where", ["superblock", "inode", "dirblock", "indirect"])
def test_random_damage_gives_fserror_and_writes_nothing(tmp_path: Path, seed: int,
                                                        where: str) -> None:
    path, inos = populated(tmp_path)
    raw = path.read_bytes()
    sb = Superblock.unpack(raw[1024:2048])
    rng = random.Random(seed)
    if where == "superblock":
        offset, size = 1024, 32
    elif where == "inode":
        offset, size = inode_offset(sb, rng.choice(list(inos.values()))), 64
    elif where == "dirblock":
        offset, size = zone_of(path, inos["dir"]) * 1024, 1024
    else:
        offset, size = zone_of(path, inos["big"], 7) * 1024, 1024
    poke(path, offset, rng.randbytes(size))
    before = path.read_bytes()
    try:
        fs = MinixFS.mount(FileDevice(path))
    except FsError as exc:
        assert exc.error == "EINVAL" and exc.message
    else:
        errors = walk(fs)
        fs.sync()
        assert path.read_bytes() == before, "reading wrote to the image"
        if where != "superblock":
            assert errors > 0 or where == "inode"  # a random inode may still be sane
        for op in (lambda: fs.create(inos["dir"], "new", 0o644),
                   lambda: fs.unlink(inos["dir"], "file5"),
                   lambda: fs.truncate(inos["big"], 1000)):
            fs.sync()
            before = path.read_bytes()
            try:
                op()
            except FsError:
                fs.sync()
                assert path.read_bytes() == before, "a refused operation wrote to the image"
        assert check(FileDevice(path, readonly=True)) or where == "inode"
    if where == "superblock":
        assert check(FileDevice(path, readonly=True))


def test_superblock_validation_messages(tmp_path: Path) -> None:
    path, _ = populated(tmp_path)
    good = path.read_bytes()[1024:2048]
    sb = Superblock.unpack(good)
    cases = {
        "bad magic": {"magic": 0x137F},
        "zone size": {"log_zone_size": 1},
        "block size": {"block_size": 4096},
        "bad inode count": {"ninodes": 0},
        "inode bitmap": {"ninodes": sb.imap_blocks * 8192 + 5},
        "first data zone": {"first_data_zone": sb.first_data_zone + 1},
        "larger than the device": {"zones": 10**6},
        "zone bitmap": {"zmap_blocks": 0},
    }
    for words, change in cases.items():
        bad = Superblock(**{**sb.__dict__, **change})
        poke(path, 1024, bad.pack())
        with pytest.raises(FsError) as e:
            MinixFS.mount(FileDevice(path))
        assert e.value.error == "EINVAL" and words in e.value.message, e.value.message
    poke(path, 1024, good)
    MinixFS.mount(FileDevice(path))
    with open(path, "r+b") as f:
        f.truncate(5 * 1024)
    with pytest.raises(FsError):
        MinixFS.mount(FileDevice(path))


@needs_util_linux
@pytest.mark.parametrize("damage", ["imap", "zmap", "nlinks", "shared", "range", "dot",
                                    "size", "root"])
def test_pith_check_finds_what_fsck_minix_finds(tmp_path: Path, damage: str) -> None:
    path, inos = populated(tmp_path)
    assert_clean(path)
    raw = path.read_bytes()
    sb = Superblock.unpack(raw[1024:2048])
    f5 = inode_offset(sb, inos["file5"])
    expect = {"imap": "marked free", "zmap": "no file uses it", "nlinks": "links, counted",
              "shared": "also used by", "range": "out of range", "dot": "first entry",
              "size": "past the size", "root": "root inode"}[damage]
    if damage == "imap":
        byte = 2048 + inos["file5"] // 8
        poke(path, byte, bytes([raw[byte] & ~(1 << inos["file5"] % 8) & 0xFF]))
    elif damage == "zmap":
        bit = sb.data_zones  # the last zone: free on this half-empty disk
        byte = sb.zmap_start * 1024 + bit // 8
        poke(path, byte, bytes([raw[byte] | 1 << bit % 8]))
    elif damage == "nlinks":
        poke(path, f5 + 2, struct.pack("<H", 3))
    elif damage == "shared":
        poke(path, f5 + 24, struct.pack("<I", zone_of(path, inos["file6"])))
    elif damage == "range":
        poke(path, f5 + 24, struct.pack("<I", sb.zones + 5))
    elif damage == "dot":
        poke(path, zone_of(path, inos["dir"]) * 1024, struct.pack("<I", inos["file1"]))
    elif damage == "size":
        poke(path, f5 + 8, struct.pack("<I", 10))
    else:
        poke(path, inode_offset(sb, 1), struct.pack("<H", stat.S_IFREG | 0o644))
    problems = check(FileDevice(path, readonly=True))
    assert any(expect in p for p in problems), problems
    rc, _ = fsck_minix(path)
    if damage != "size":  # fsck.minix does not compare sizes with zones
        assert rc != 0


def test_cache_lru_write_back_and_rollback(tmp_path: Path) -> None:
    path = tmp_path / "c.img"
    path.write_bytes(bytes(64 * 1024))
    dev = FileDevice(path)
    cache = BufferCache(dev, capacity=4)
    for b in range(8):
        cache.write(b, bytes([b]) * 1024)
    assert len(cache) == 4 and dev.writes == 4  # the oldest four were written back
    cache.begin()
    cache.write(7, b"x" * 1024)
    cache.write(20, b"y" * 1024)
    for b in range(30, 40):
        cache.read(b)  # pinned blocks survive the pressure
    cache.rollback()
    assert cache.read(7) == bytes([7]) * 1024 and cache.read(20) == bytes(1024)
    cache.begin()
    cache.write(21, b"z" * 1024)
    cache.begin()
    cache.write(22, b"w" * 1024)
    cache.commit()
    cache.commit()
    cache.sync()
    data = path.read_bytes()
    assert data[7 * 1024:8 * 1024] == bytes([7]) * 1024
    assert data[21 * 1024:23 * 1024] == b"z" * 1024 + b"w" * 1024
    assert cache.dirty_count() == 0
    with pytest.raises(FsError):
        cache.read(64)
