"""MinixFS file and directory operations: sizes through every zone level, holes, truncate,
names, deep trees, full disks and the POSIX errors."""

from __future__ import annotations

import os
import random
import stat
import time
from pathlib import Path

import pytest

from pith.servers.mfs.cache import FileDevice
from pith.servers.mfs.fs import FsError, MinixFS
from pith.servers.mfs.layout import LINK_MAX, MAX_FILE_SIZE
from tests.servers.mfs.helpers import (
    Clock,
    assert_clean,
    assert_pith_clean,
    fsck_minix,
    needs_util_linux,
    new_fs,
)


def err(exc: pytest.ExceptionInfo[FsError]) -> str:
    return exc.value.error


@needs_util_linux
@pytest.mark.parametrize("blocks", [0, 1, 7, 8, 263, 264, 300])
def test_file_sizes_through_zone_levels(tmp_path: Path, blocks: int) -> None:
    path, fs = new_fs(tmp_path, 4096)
    f = fs.create(1, "f", 0o644)
    rng = random.Random(blocks)
    data = rng.randbytes(blocks * 1024)
    assert fs.write(f.ino, 0, data) == len(data)
    assert fs.stat(f.ino).size == len(data)
    assert fs.read(f.ino, 0, len(data) + 10) == data
    g = fs.create(1, "odd", 0o644)  # not a whole number of blocks
    fs.write(g.ino, 0, data + b"tail")
    fs.sync()
    assert_clean(path)
    again = MinixFS.mount(FileDevice(path))
    assert again.read(f.ino, 0, len(data)) == data
    assert again.read(g.ino, 0, len(data) + 100) == data + b"tail"
    fs.truncate(f.ino, 0)
    fs.truncate(g.ino, 0)
    fs.sync()
    assert fs.statfs().free_blocks == MinixFS.mount(FileDevice(path)).statfs().free_blocks
    assert_clean(path)


@needs_util_linux
def test_64_mib_file(tmp_path: Path) -> None:
    path, fs = new_fs(tmp_path, 70_000)
    f = fs.create(1, "big", 0o644)
    chunk = 1 << 20
    start = time.monotonic()
    pieces = [random.Random(i).randbytes(4096) * (chunk // 4096) for i in range(4)]
    for i in range(64):
        assert fs.write(f.ino, i * chunk, pieces[i % 4]) == chunk
    assert fs.stat(f.ino).size == 64 << 20
    for i in (0, 7, 63):
        assert fs.read(f.ino, i * chunk, chunk) == pieces[i % 4]
    assert fs.read(f.ino, (64 << 20) - 5, 100) == pieces[3][-5:]
    fs.sync()
    assert_clean(path)
    fs.truncate(f.ino, 5000)
    assert fs.read(f.ino, 0, 1 << 20) == pieces[0][:5000]
    fs.sync()
    assert_clean(path)
    assert time.monotonic() - start < 30


def test_largest_file_and_efbig(tmp_path: Path) -> None:
    _, fs = new_fs(tmp_path, 2048)
    f = fs.create(1, "f", 0o644)
    assert fs.write(f.ino, MAX_FILE_SIZE - 3, b"abcdef") == 3  # short, up to the limit
    assert fs.stat(f.ino).size == MAX_FILE_SIZE
    assert fs.read(f.ino, MAX_FILE_SIZE - 4, 10) == b"\0abc"
    with pytest.raises(FsError) as e:
        fs.write(f.ino, MAX_FILE_SIZE, b"x")
    assert err(e) == "EFBIG"
    with pytest.raises(FsError) as e:
        fs.truncate(f.ino, MAX_FILE_SIZE + 1)
    assert err(e) == "EFBIG"
    fs.truncate(f.ino, 0)
    fs.sync()
    assert_pith_clean(tmp_path / "fs.img")


@needs_util_linux
def test_holes_and_truncate(tmp_path: Path) -> None:
    path, fs = new_fs(tmp_path, 4096)
    f = fs.create(1, "sparse", 0o644)
    free0 = fs.statfs().free_blocks
    fs.write(f.ino, 300 * 1024 + 10, b"end")  # double-indirect, nothing before
    assert fs.stat(f.ino).size == 300 * 1024 + 13
    assert fs.read(f.ino, 0, 4096) == bytes(4096)
    assert fs.read(f.ino, 300 * 1024, 13) == bytes(10) + b"end"
    assert free0 - fs.statfs().free_blocks == 3  # dind, ind, data
    fs.write(f.ino, 100, b"x" * 2000)
    fs.truncate(f.ino, 1000)
    assert fs.read(f.ino, 0, 5000) == bytes(100) + b"x" * 900
    assert free0 - fs.statfs().free_blocks == 1
    fs.truncate(f.ino, 8000)  # up: the old tail reads as zeros
    assert fs.read(f.ino, 0, 9000) == bytes(100) + b"x" * 900 + bytes(7000)
    fs.write(f.ino, 9000, b"y")
    assert fs.read(f.ino, 7990, 1011) == bytes(1010) + b"y"
    fs.truncate(f.ino, 500)
    fs.write(f.ino, 600, b"z")  # writing past the end leaves zeros in the gap
    assert fs.read(f.ino, 0, 700) == bytes(100) + b"x" * 400 + bytes(100) + b"z"
    fs.sync()
    assert_clean(path)


@needs_util_linux
def test_names(tmp_path: Path) -> None:
    path, fs = new_fs(tmp_path, 2048)
    long = "n" * 60
    a = fs.create(1, long, 0o644)
    assert fs.lookup(1, long).ino == a.ino
    assert fs.readdir(1)[0][2] == (long, a.ino)
    uni = "é" * 30  # 60 bytes in UTF-8
    fs.mkdir(1, uni, 0o755)
    for bad in ("m" * 61, "é" * 31):
        with pytest.raises(FsError) as e:
            fs.create(1, bad, 0o644)
        assert err(e) == "ENAMETOOLONG"
        with pytest.raises(FsError) as e:
            fs.lookup(1, bad)
        assert err(e) == "ENAMETOOLONG"
    for bad in ("", "a/b", "a\0b"):
        with pytest.raises(FsError) as e:
            fs.create(1, bad, 0o644)
        assert err(e) == "EINVAL"
    for name in (".", "..", long):
        with pytest.raises(FsError) as e:
            fs.create(1, name, 0o644)
        assert err(e) == "EEXIST"
    fs.sync()
    assert_clean(path)


@needs_util_linux
def test_deep_trees(tmp_path: Path) -> None:
    path, fs = new_fs(tmp_path, 4096)
    ino = 1
    chain = []
    for depth in range(48):  # fsck.minix walks at most 50 levels (MAX_DEPTH)
        ino = fs.mkdir(ino, f"d{depth}", 0o755).ino
        chain.append(ino)
    fs.write(fs.create(ino, "leaf", 0o644).ino, 0, b"deep")
    fs.sync()
    assert_clean(path)
    # moving the top of the chain under its own bottom is refused
    with pytest.raises(FsError) as e:
        fs.rename(1, "d0", chain[-1], "loop")
    assert err(e) == "EINVAL"
    with pytest.raises(FsError) as e:
        fs.rename(1, "d0", chain[0], "loop")
    assert err(e) == "EINVAL"
    # deeper than fsck.minix can follow: Pith's own checker still checks it all
    for depth in range(48, 200):
        ino = fs.mkdir(ino, f"d{depth}", 0o755).ino
    fs.sync()
    assert_pith_clean(path)
    rc, _ = fsck_minix(path)
    assert rc != 0  # fsck.minix's MAX_DEPTH limit, not damage: see docs/minix.md


@needs_util_linux
def test_full_disk_enospc_keeps_image_clean(tmp_path: Path) -> None:
    path, fs = new_fs(tmp_path, 200, inodes=32)
    big = fs.create(1, "big", 0o644)
    data = os.urandom(400 * 1024)
    written = fs.write(big.ino, 0, data)
    assert 0 < written < len(data)  # short write: the disk filled up
    assert fs.statfs().free_blocks == 0
    assert fs.read(big.ino, 0, len(data)) == data[:written]
    with pytest.raises(FsError) as e:
        fs.write(big.ino, written, b"more")
    assert err(e) == "ENOSPC"
    for op in (lambda: fs.mkdir(1, "d", 0o755), lambda: fs.symlink(1, "s", "t")):
        with pytest.raises(FsError) as e:
            op()
        assert err(e) == "ENOSPC"
    # fill the root directory's first block, then the next entry needs a new block
    made = 0
    while True:
        try:
            fs.create(1, f"f{made}", 0o644)
        except FsError as exc:
            assert exc.error == "ENOSPC"
            break
        made += 1
    assert made == 13  # the root block has 16 slots: ".", "..", "big" and 13 more
    fs.sync()
    assert_clean(path)
    # free space and things work again
    fs.truncate(big.ino, 0)
    fs.mkdir(1, "d", 0o755)
    fs.sync()
    assert_clean(path)


@needs_util_linux
def test_out_of_inodes(tmp_path: Path) -> None:
    path, fs = new_fs(tmp_path, 2000, inodes=16)
    for i in range(15):
        fs.create(1, f"f{i}", 0o644)
    with pytest.raises(FsError) as e:
        fs.create(1, "one-more", 0o644)
    assert err(e) == "ENOSPC"
    assert fs.statfs().free_inodes == 0
    fs.sync()
    assert_clean(path)


@needs_util_linux
def test_directory_operations_and_errors(tmp_path: Path) -> None:
    clock = Clock(1000)
    path, fs = new_fs(tmp_path, 4096, clock=clock)
    d = fs.mkdir(1, "d", 0o750)
    assert stat.S_IMODE(d.mode) == 0o750 and d.nlinks == 2
    assert fs.stat(1).nlinks == 3
    f = fs.create(d.ino, "f", 0o600)
    clock.t = 2000
    fs.write(f.ino, 0, b"hello")
    assert fs.stat(f.ino).mtime == 2000 and fs.stat(f.ino).ctime == 2000
    assert fs.stat(d.ino).mtime == 1000
    cases: list[tuple[object, str]] = [
        (lambda: fs.lookup(d.ino, "nope"), "ENOENT"),
        (lambda: fs.lookup(f.ino, "x"), "ENOTDIR"),
        (lambda: fs.read(d.ino, 0, 10), "EISDIR"),
        (lambda: fs.write(d.ino, 0, b"x"), "EISDIR"),
        (lambda: fs.readlink(f.ino), "EINVAL"),
        (lambda: fs.rmdir(1, "d"), "ENOTEMPTY"),
        (lambda: fs.rmdir(d.ino, "f"), "ENOTDIR"),
        (lambda: fs.unlink(1, "d"), "EISDIR"),
        (lambda: fs.link(1, "dd", d.ino), "EPERM"),
        (lambda: fs.rename(1, "d", d.ino, "x"), "EINVAL"),
        (lambda: fs.rename(d.ino, "f", 1, "d"), "EISDIR"),
        (lambda: fs.stat(0), "EINVAL"),
        (lambda: fs.stat(10**6), "EINVAL"),
        (lambda: fs.stat(50), "ENOENT"),
        (lambda: fs.create(1, "x", 0o040755), "EINVAL"),
        (lambda: fs.symlink(1, "s", "x" * 1024), "ENAMETOOLONG"),
        (lambda: fs.rmdir(1, "."), "EINVAL"),
        (lambda: fs.rmdir(1, ".."), "ENOTEMPTY"),
        (lambda: fs.readdir(f.ino), "ENOTDIR"),
        (lambda: fs.read(f.ino, -1, 3), "EINVAL"),
    ]
    for op, code in cases:
        with pytest.raises(FsError) as e:
            op()  # type: ignore[operator]
        assert err(e) == code, (op, e.value)
    # rename: replacing files and empty directories, moving directories
    e1 = fs.mkdir(1, "e", 0o755)
    fs.mkdir(e1.ino, "sub", 0o755)
    fs.rename(1, "e", d.ino, "e2")  # move a directory: '..' and link counts follow
    assert fs.lookup(e1.ino, "..").ino == d.ino
    assert fs.stat(1).nlinks == 3 and fs.stat(d.ino).nlinks == 3
    empty = fs.mkdir(1, "empty", 0o755)
    fs.rename(d.ino, "e2", 1, "empty")  # replaces the empty directory
    assert fs.lookup(1, "empty").ino == e1.ino
    with pytest.raises(FsError):
        fs.stat(empty.ino)
    assert fs.stat(1).nlinks == 4 and fs.stat(d.ino).nlinks == 2
    g = fs.create(1, "g", 0o644)
    fs.link(1, "g2", g.ino)
    fs.rename(1, "g", 1, "g2")  # same file: nothing happens
    assert fs.stat(g.ino).nlinks == 2
    fs.rename(d.ino, "f", 1, "g")  # replaces one link of g
    assert fs.stat(g.ino).nlinks == 1 and fs.lookup(1, "g").ino == f.ino
    fs.set_attr(f.ino, mode=0o4711, uid=7, gid=8, atime=5, mtime=6)
    a = fs.stat(f.ino)
    assert (a.mode, a.uid, a.gid, a.atime, a.mtime) == (stat.S_IFREG | 0o4711, 7, 8, 5, 6)
    s = fs.symlink(1, "s", "a/b/c")
    assert fs.readlink(s.ino) == "a/b/c" and fs.stat(s.ino).size == 5
    fs.unlink(1, "s")
    fs.rmdir(e1.ino, "sub")
    fs.rmdir(1, "empty")
    assert fs.stat(1).nlinks == 3
    fs.sync()
    assert_clean(path)


@needs_util_linux
def test_link_max(tmp_path: Path) -> None:
    path, fs = new_fs(tmp_path, 4096)
    f = fs.create(1, "f", 0o644)
    for i in range(LINK_MAX - 1):
        fs.link(1, f"l{i}", f.ino)
    with pytest.raises(FsError) as e:
        fs.link(1, "one-more", f.ino)
    assert err(e) == "EMLINK"
    fs.sync()
    assert_clean(path)


def test_readdir_pages(tmp_path: Path) -> None:
    _, fs = new_fs(tmp_path, 4096)
    names = {f"entry{i}" for i in range(1200)}
    for i in range(1200):
        fs.create(1, f"entry{i}", 0o644)
    seen: list[str] = []
    start = 0
    while True:
        entries, more = fs.readdir(1, start)
        seen += [n for n, _ in entries]
        start += len(entries)
        if not more:
            break
    assert seen[:2] == [".", ".."] and set(seen[2:]) == names and len(seen) == 1202
    for i in range(0, 1200, 2):
        fs.unlink(1, f"entry{i}")
    fs.create(1, "reuses-a-slot", 0o644)
    assert fs.stat(1).size == 1202 * 64  # the directory did not grow
    assert fs.readdir(1)[0][2][0] == "reuses-a-slot"
