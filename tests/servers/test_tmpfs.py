"""tmpfs through the fs protocol: every request, its POSIX errors, refusals change nothing."""

from __future__ import annotations

import stat

import msgspec
import pytest

from pith.lib.server import Caller, Failure, ServiceError
from pith.protocols import fs
from pith.servers.tmpfs.inode import parse_size
from pith.servers.tmpfs.server import TmpfsServer
from pith.servers.vfs.local import Local

R = fs.ROOT


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def t(clock: Clock) -> Local:
    return Local(TmpfsServer({}, ("size=1M", "inodes=64"), clock=clock), fs.FsReply)


def err(t: Local, request: msgspec.Struct) -> str:
    with pytest.raises(ServiceError) as e:
        t.call(request)
    return e.value.error


def snapshot(t: Local) -> object:
    server = t.server
    assert isinstance(server, TmpfsServer)
    return msgspec.msgpack.encode([(i, n.attr(), bytes(n.data), sorted(n.entries.items()),
                                    n.target, n.parent) for i, n in server.inodes.items()])


def test_root_and_lookup(t: Local) -> None:
    root = t.call(fs.Stat(R))
    assert root.ino == R and stat.S_ISDIR(root.mode) and root.nlinks == 2
    assert t.call(fs.Lookup(R, ".")).ino == R and t.call(fs.Lookup(R, "..")).ino == R
    assert err(t, fs.Lookup(R, "nope")) == "ENOENT"
    f = t.call(fs.Create(R, "f", 0o644))
    assert err(t, fs.Lookup(f.ino, "x")) == "ENOTDIR"
    assert err(t, fs.Lookup(R, "x" * 256)) == "ENAMETOOLONG"
    assert err(t, fs.Stat(999)) == "ESTALE"


def test_create_write_read_truncate(t: Local, clock: Clock) -> None:
    f = t.call(fs.Create(R, "f", 0o640))
    assert f.mode == stat.S_IFREG | 0o640 and f.nlinks == 1 and f.size == 0 and f.ctime == 1000
    clock.t = 2000
    w = t.call(fs.Write(f.ino, 3, b"abc"))
    assert w.count == 3 and w.attr.size == 6 and w.attr.mtime == 2000
    assert t.call(fs.Read(f.ino, 0, 100)).data == b"\0\0\0abc"
    assert t.call(fs.Read(f.ino, 10, 5)).data == b""
    assert t.call(fs.Truncate(f.ino, 2)).size == 2
    assert t.call(fs.Truncate(f.ino, 4)).size == 4
    assert t.call(fs.Read(f.ino, 0, 10)).data == b"\0\0\0\0"
    assert t.call(fs.Write(f.ino, 100, b"")).attr.size == 4  # an empty write extends nothing
    for bad in (fs.Read(f.ino, -1, 1), fs.Read(f.ino, 0, fs.MAX_IO + 1),
                fs.Write(f.ino, -1, b"x"), fs.Truncate(f.ino, -1)):
        assert err(t, bad) == "EINVAL"
    assert err(t, fs.Read(R, 0, 1)) == "EISDIR"
    assert err(t, fs.Write(R, 0, b"x")) == "EISDIR"
    assert err(t, fs.Truncate(R, 0)) == "EISDIR"
    assert err(t, fs.Create(R, "f", 0o644)) == "EEXIST"
    assert err(t, fs.Create(R, "d", stat.S_IFDIR | 0o755)) == "EINVAL"
    assert err(t, fs.Create(R, "a/b", 0o644)) == "EINVAL"
    assert err(t, fs.Create(R, "", 0o644)) == "EINVAL"
    assert err(t, fs.Create(R, "é" * 128, 0o644)) == "ENAMETOOLONG"
    assert t.call(fs.Create(R, "é" * 127, 0o644)).nlinks == 1  # 254 bytes


def test_mkdir_rmdir_and_link_counts(t: Local) -> None:
    d = t.call(fs.Mkdir(R, "d", 0o755))
    assert d.nlinks == 2 and t.call(fs.Stat(R)).nlinks == 3
    assert t.call(fs.Lookup(d.ino, "..")).ino == R
    t.call(fs.Mkdir(d.ino, "e", 0o700))
    assert err(t, fs.Mkdir(R, "d", 0o755)) == "EEXIST"
    assert err(t, fs.Mkdir(R, ".", 0o755)) == "EEXIST"
    assert err(t, fs.Rmdir(R, "d")) == "ENOTEMPTY"
    assert err(t, fs.Rmdir(d.ino, ".")) == "EINVAL"
    assert err(t, fs.Rmdir(d.ino, "..")) == "ENOTEMPTY"
    t.call(fs.Create(R, "f", 0))
    assert err(t, fs.Rmdir(R, "f")) == "ENOTDIR"
    assert err(t, fs.Rmdir(R, "zz")) == "ENOENT"
    t.call(fs.Rmdir(d.ino, "e"))
    assert t.call(fs.Stat(d.ino)).nlinks == 2
    t.call(fs.Rmdir(R, "d"))
    assert t.call(fs.Stat(R)).nlinks == 2
    assert err(t, fs.Stat(d.ino)) == "ESTALE"


def test_links_and_unlink(t: Local) -> None:
    f = t.call(fs.Create(R, "f", 0o644))
    t.call(fs.Write(f.ino, 0, b"data"))
    assert t.call(fs.Link(R, "g", f.ino)).nlinks == 2
    assert err(t, fs.Link(R, "g", f.ino)) == "EEXIST"
    assert err(t, fs.Link(R, "d", R)) == "EPERM"
    t.call(fs.Unlink(R, "f"))
    assert t.call(fs.Stat(f.ino)).nlinks == 1
    assert t.call(fs.Read(f.ino, 0, 10)).data == b"data"
    t.call(fs.Mkdir(R, "d", 0o755))
    assert err(t, fs.Unlink(R, "d")) == "EISDIR"
    assert err(t, fs.Unlink(R, ".")) == "EISDIR"
    assert err(t, fs.Unlink(R, "f")) == "ENOENT"
    t.call(fs.Unlink(R, "g"))
    assert err(t, fs.Stat(f.ino)) == "ESTALE"
    assert t.server.used == 0  # type: ignore[attr-defined]


def test_symlinks(t: Local) -> None:
    s = t.call(fs.Symlink(R, "s", "some/where"))
    assert stat.S_ISLNK(s.mode) and s.size == 10
    assert t.call(fs.Readlink(s.ino)).target == "some/where"
    assert err(t, fs.Readlink(R)) == "EINVAL"
    assert err(t, fs.Symlink(R, "s", "x")) == "EEXIST"
    assert err(t, fs.Symlink(R, "e", "")) == "ENOENT"
    assert err(t, fs.Symlink(R, "l", "x" * 4096)) == "ENAMETOOLONG"
    assert err(t, fs.Read(s.ino, 0, 1)) == "EINVAL"


def test_readdir_pages_and_dots(t: Local) -> None:
    d = t.call(fs.Mkdir(R, "d", 0o755))
    names = [f"{i:03d}" + "x" * 200 for i in range(60)]
    big = TmpfsServer({}, ("inodes=100",))
    b = Local(big, fs.FsReply)
    for n in names:
        b.call(fs.Create(R, n, 0o644))
    seen: list[tuple[str, int]] = []
    start, more = 0, True
    while more:
        page = b.call(fs.Readdir(R, start))
        seen += page.entries
        start, more = start + len(page.entries), page.more
    assert [n for n, _ in seen] == [".", "..", *names]
    assert t.call(fs.Readdir(d.ino)).entries == [(".", d.ino), ("..", R)]
    assert err(t, fs.Readdir(R, -1)) == "EINVAL"


def test_rename_rules(t: Local) -> None:
    a = t.call(fs.Mkdir(R, "a", 0o755))
    b = t.call(fs.Mkdir(R, "b", 0o755))
    f = t.call(fs.Create(a.ino, "f", 0o644))
    t.call(fs.Rename(a.ino, "f", b.ino, "g"))
    assert t.call(fs.Lookup(b.ino, "g")).ino == f.ino
    assert err(t, fs.Lookup(a.ino, "f")) == "ENOENT"
    before = snapshot(t)
    for bad, code in [
        (fs.Rename(R, "a", a.ino, "x"), "EINVAL"),  # into itself
        (fs.Rename(R, "b", R, "b2/x"), "EINVAL"),  # a bad name
        (fs.Rename(R, "a", b.ino, "g"), "ENOTDIR"),  # a directory over a file
        (fs.Rename(b.ino, "g", R, "a"), "EISDIR"),  # a file over a directory
        (fs.Rename(R, "a", R, "b"), "ENOTEMPTY"),  # over a non-empty directory
        (fs.Rename(R, "zz", R, "y"), "ENOENT"),
        (fs.Rename(R, ".", R, "y"), "EBUSY"),
        (fs.Rename(b.ino, "g", f.ino, "y"), "ENOTDIR"),
    ]:
        assert err(t, bad) == code, bad
        assert snapshot(t) == before
    t.call(fs.Rename(b.ino, "g", b.ino, "g"))  # the same file: nothing happens
    t.call(fs.Rename(R, "b", R, "a"))  # a directory over an empty one
    assert t.call(fs.Stat(R)).nlinks == 3
    assert t.call(fs.Lookup(R, "a")).ino == b.ino
    assert err(t, fs.Stat(a.ino)) == "ESTALE"
    assert t.call(fs.Lookup(b.ino, "..")).ino == R
    c = t.call(fs.Mkdir(b.ino, "c", 0o755))
    t.call(fs.Rename(b.ino, "c", R, "c"))
    assert t.call(fs.Lookup(c.ino, "..")).ino == R
    assert t.call(fs.Stat(b.ino)).nlinks == 2 and t.call(fs.Stat(R)).nlinks == 4


def test_hard_link_rename_onto_itself_keeps_both(t: Local) -> None:
    f = t.call(fs.Create(R, "f", 0o644))
    t.call(fs.Link(R, "g", f.ino))
    t.call(fs.Rename(R, "f", R, "g"))
    assert t.call(fs.Stat(f.ino)).nlinks == 2
    assert t.call(fs.Lookup(R, "f")).ino == t.call(fs.Lookup(R, "g")).ino


def test_size_and_inode_limits(t: Local) -> None:
    f = t.call(fs.Create(R, "f", 0o644))
    assert err(t, fs.Truncate(f.ino, 2 * 1024 * 1024)) == "ENOSPC"
    assert err(t, fs.Write(f.ino, 1024 * 1024, b"x")) == "ENOSPC"
    assert t.call(fs.Stat(f.ino)).size == 0
    t.call(fs.Truncate(f.ino, 1024 * 1024))
    info = t.call(fs.Statfs())
    assert (info.blocks, info.free_blocks, info.name_max) == (256, 0, 255)
    t.call(fs.Truncate(f.ino, 0))
    for i in range(62):
        t.call(fs.Create(R, f"n{i}", 0o644))
    assert err(t, fs.Create(R, "last", 0o644)) == "ENOSPC"
    assert err(t, fs.Symlink(R, "last", "x")) == "ENOSPC"
    assert t.call(fs.Statfs()).free_inodes == 0
    assert t.server.used == 0  # type: ignore[attr-defined]


def test_set_attr_and_sync(t: Local, clock: Clock) -> None:
    f = t.call(fs.Create(R, "f", 0o644))
    clock.t = 5000
    a = t.call(fs.SetAttr(f.ino, mode=stat.S_IFDIR | 0o600, uid=7, mtime=1))
    assert a.mode == stat.S_IFREG | 0o600 and a.uid == 7 and a.gid == 0
    assert (a.mtime, a.ctime) == (1, 5000)
    assert isinstance(t.call(fs.Sync()), fs.Ok)


def test_malformed_requests_get_failures() -> None:
    server = TmpfsServer({})
    for msg in (b"", b"\x91", msgspec.msgpack.encode({"type": "Lookup", "dir": "x"})):
        reply = server.dispatch(msg, Caller(1, 1))
        assert reply is not None
        assert msgspec.msgpack.decode(reply, type=Failure).error == "EINVAL"


def test_parse_size() -> None:
    assert parse_size("64M") == 64 << 20 and parse_size("10") == 10 and parse_size("2k") == 2048
    with pytest.raises(ValueError):
        parse_size("3Q")
