"""vfs descriptors on files: open flags, read, write, seek, truncate, dup, stat."""

from __future__ import annotations

import stat

import msgspec
import pytest

from pith.lib.server import Caller, Failure
from pith.protocols import fs
from pith.protocols import vfs as vp
from tests.servers.vfs.harness import Client, World


@pytest.fixture
def w() -> World:
    return World()


@pytest.fixture
def c(w: World) -> Client:
    return w.client()


def test_create_write_read_back(c: Client) -> None:
    fd = c(vp.Open("/f", vp.O_RDWR | vp.O_CREAT, 0o640)).fd
    assert fd == 0
    assert c(vp.Write(fd, b"hello")).count == 5
    assert c(vp.Read(fd, 10)).data == b""
    assert c(vp.Seek(fd, 1)).offset == 1
    assert c(vp.Read(fd, 3)).data == b"ell"
    assert c(vp.Seek(fd, -1, vp.SEEK_CUR)).offset == 3
    assert c(vp.Seek(fd, 2, vp.SEEK_END)).offset == 7
    c(vp.Write(fd, b"!"))
    assert c.read_file("/f") == b"hello\0\0!"
    st = c(vp.Fstat(fd))
    assert st.mode == stat.S_IFREG | 0o640 and st.size == 8 and st.dev == 1
    c(vp.Close(fd))
    assert c.err(vp.Close(fd)) == "EBADF"


def test_lowest_free_fd(c: Client) -> None:
    c.write_file("/f", b"")
    fds = [c(vp.Open("/f")).fd for _ in range(3)]
    assert fds == [0, 1, 2]
    c(vp.Close(1))
    assert c(vp.Open("/f")).fd == 1


def test_open_errors_change_nothing(w: World, c: Client) -> None:
    c.write_file("/f", b"abc")
    c(vp.Mkdir("/d"))
    for request, code in [
        (vp.Open("/nope"), "ENOENT"),
        (vp.Open("/nope/x", vp.O_CREAT | vp.O_WRONLY), "ENOENT"),
        (vp.Open("/f", vp.O_CREAT | vp.O_EXCL | vp.O_WRONLY), "EEXIST"),
        (vp.Open("/d", vp.O_WRONLY), "EISDIR"),
        (vp.Open("/d", vp.O_RDWR), "EISDIR"),
        (vp.Open("/d", vp.O_CREAT | vp.O_RDONLY), "EISDIR"),
        (vp.Open("/new/", vp.O_CREAT | vp.O_WRONLY), "EISDIR"),
        (vp.Open("/f", vp.O_DIRECTORY), "ENOTDIR"),
        (vp.Open("/f/", vp.O_RDONLY), "ENOTDIR"),
        (vp.Open("/f/x", vp.O_RDONLY), "ENOTDIR"),
        (vp.Open("/f", 3), "EINVAL"),
        (vp.Open("/g", vp.O_CREAT | vp.O_DIRECTORY), "EINVAL"),
        (vp.Open(""), "ENOENT"),
        (vp.Open("/" + "x" * 256), "ENAMETOOLONG"),
        (vp.Open("/a" * 2049), "ENAMETOOLONG"),
    ]:
        assert c.err(request) == code, request
    assert c.read_file("/f") == b"abc"
    assert sorted(c(vp.Listdir("/")).names) == ["d", "f", "tmp"]
    assert w.vfs.procs[1000].fds == {}


def test_access_modes_and_ebadf(c: Client) -> None:
    c.write_file("/f", b"abc")
    r = c(vp.Open("/f")).fd
    wr = c(vp.Open("/f", vp.O_WRONLY)).fd
    assert c.err(vp.Write(r, b"x")) == "EBADF"
    assert c.err(vp.Read(wr, 1)) == "EBADF"
    assert c.err(vp.Read(99, 1)) == "EBADF"
    assert c.err(vp.Write(99, b"")) == "EBADF"
    assert c.err(vp.Seek(99, 0)) == "EBADF"
    assert c.err(vp.Fstat(99)) == "EBADF"
    assert c.err(vp.Read(r, -1)) == "EINVAL"
    assert c.err(vp.Seek(r, -1)) == "EINVAL"
    assert c.err(vp.Seek(r, 0, 7)) == "EINVAL"
    d = c(vp.Open("/", vp.O_RDONLY | vp.O_DIRECTORY)).fd
    assert c.err(vp.Read(d, 1)) == "EISDIR"


def test_an_offset_past_off_t_is_einval_and_the_offset_stays(c: Client) -> None:
    c.write_file("/f", b"abc")
    fd = c(vp.Open("/f")).fd
    top = 2**63 - 1
    assert c(vp.Seek(fd, top)).offset == top
    assert c.err(vp.Seek(fd, top, vp.SEEK_CUR)) == "EINVAL"  # (2**64 - 2: no reply encodes
    assert c.err(vp.Seek(fd, 2**64 - 1)) == "EINVAL"          # one past that)
    assert c(vp.Seek(fd, 0, vp.SEEK_CUR)).offset == top
    assert c(vp.Read(fd, 10)).data == b""
    assert c(vp.Seek(fd, -top, vp.SEEK_CUR)).offset == 0 and c(vp.Read(fd, 10)).data == b"abc"


def test_trunc_append_and_truncate(c: Client) -> None:
    c.write_file("/f", b"abcdef")
    fd = c(vp.Open("/f", vp.O_RDONLY | vp.O_TRUNC)).fd  # no write access: no truncation
    assert c(vp.Fstat(fd)).size == 6
    a = c(vp.Open("/f", vp.O_WRONLY | vp.O_APPEND)).fd
    c(vp.Write(a, b"gh"))
    assert c(vp.Seek(a, 0, vp.SEEK_CUR)).offset == 8
    c(vp.Seek(a, 0))
    c(vp.Write(a, b"ij"))  # O_APPEND writes at the end whatever the offset
    assert c.read_file("/f") == b"abcdefghij"
    c(vp.Truncate("/f", 3))
    assert c.read_file("/f") == b"abc"
    c(vp.Truncate(a, 5))
    assert c.read_file("/f") == b"abc\0\0"
    assert c.err(vp.Truncate(fd, 1)) == "EINVAL"  # open read-only
    assert c.err(vp.Truncate("/f", -1)) == "EINVAL"
    assert c.err(vp.Truncate("/", 0)) == "EISDIR"
    assert c.err(vp.Truncate("/x", 0)) == "ENOENT"
    assert c.err(vp.Truncate(77, 0)) == "EBADF"
    t = c(vp.Open("/f", vp.O_WRONLY | vp.O_TRUNC)).fd
    assert c(vp.Fstat(t)).size == 0


def test_large_reads_and_writes_split(w: World, c: Client) -> None:
    data = bytes(range(256)) * 400  # 100 KiB: more than MAX_IO and MAX_READ
    fd = c(vp.Open("/big", vp.O_RDWR | vp.O_CREAT)).fd
    before = w.fs["/"].calls
    assert c(vp.Write(fd, data)).count == len(data)
    assert w.fs["/"].calls - before == 3  # 48 + 48 + 4 KiB
    c(vp.Seek(fd, 0))
    first = c(vp.Read(fd, 200_000)).data
    assert len(first) == vp.MAX_READ  # a short read: one message's worth
    assert first + c.read_file("/big")[len(first):] == data
    assert c.read_file("/big") == data


def test_short_write_on_enospc() -> None:
    w = World("size=64K")
    c = w.client()
    fd = c(vp.Open("/f", vp.O_WRONLY | vp.O_CREAT)).fd
    assert c(vp.Write(fd, bytes(100_000))).count == fs.MAX_IO  # the second chunk did not fit
    assert c(vp.Fstat(fd)).size == fs.MAX_IO
    c(vp.Seek(fd, 0, vp.SEEK_END))
    assert c.err(vp.Write(fd, bytes(fs.MAX_IO))) == "ENOSPC"


def test_dup_shares_the_offset(c: Client) -> None:
    c.write_file("/f", b"0123456789")
    fd = c(vp.Open("/f")).fd
    d = c(vp.Dup(fd)).fd
    assert d == fd + 1
    assert c(vp.Read(fd, 3)).data == b"012"
    assert c(vp.Read(d, 3)).data == b"345"
    c(vp.Close(fd))
    assert c(vp.Read(d, 3)).data == b"678"
    assert c(vp.Dup2(d, 7)).fd == 7
    assert c(vp.Read(7, 1)).data == b"9"
    assert c(vp.Dup2(7, 7)).fd == 7
    other = c(vp.Open("/f")).fd
    assert c(vp.Dup2(other, 7)).fd == 7  # closes what 7 was
    assert c(vp.Read(7, 2)).data == b"01"
    assert c.err(vp.Dup(55)) == "EBADF"
    assert c.err(vp.Dup2(55, 3)) == "EBADF"
    assert c.err(vp.Dup2(7, -1)) == "EBADF"
    assert c.err(vp.Dup2(7, 5000)) == "EBADF"


def test_too_many_fds(w: World, c: Client) -> None:
    c.write_file("/f", b"")
    for _ in range(1023):
        c(vp.Open("/f"))
    assert c.err(vp.Pipe()) == "EMFILE"
    c(vp.Open("/f"))
    assert c.err(vp.Open("/f")) == "EMFILE"
    assert c.err(vp.Open("/g", vp.O_CREAT | vp.O_WRONLY)) == "EMFILE"
    assert c.err(vp.Stat("/g")) == "ENOENT"  # the refused open created nothing
    assert c.err(vp.Dup(0)) == "EMFILE"


def test_stat_statfs_sync(c: Client) -> None:
    c.write_file("/f", b"abc")
    st = c(vp.Stat("/f"))
    assert (st.size, st.nlinks, st.dev, st.mtime) == (3, 1, 1, 1000)
    assert c(vp.Stat("/tmp")).dev == 2 and c(vp.Stat("/tmp")).ino == fs.ROOT
    assert c(vp.Statfs("/tmp")).name_max == 255
    assert isinstance(c(vp.Sync()), vp.Done)


def test_malformed_requests(w: World) -> None:
    for msg in (b"\xc1", msgspec.msgpack.encode({"type": "Open", "path": 3})):
        reply = w.vfs.dispatch(msg, Caller(1000, 1))
        assert reply is not None
        assert msgspec.msgpack.decode(reply, type=Failure).error == "EINVAL"
    assert w.vfs.procs == {}


def fs_names(w: World) -> list[str]:
    """What tmpfs itself holds in "/" (hidden names included)."""
    return [n for n, _ in w.root.do_readdir(fs.Readdir(fs.ROOT, 0), Caller(0, None)).entries]


def test_a_file_unlinked_while_open_lives_until_its_last_close(w: World, c: Client) -> None:
    fd = c(vp.Open("/f", vp.O_RDWR | vp.O_CREAT)).fd
    other = c(vp.Dup(fd)).fd
    c(vp.Write(fd, b"abc"))
    c(vp.Unlink("/f"))
    assert c.err(vp.Stat("/f")) == "ENOENT" and c(vp.Listdir("/")).names == ["tmp"]
    assert c(vp.Write(fd, b"x")).count == 1
    c(vp.Seek(fd, 0, 0))
    assert c(vp.Read(fd, 10)).data == b"abcx" and c(vp.Fstat(fd)).size == 4
    c(vp.Close(fd))
    assert any(n.startswith(".pith-unlinked-") for n in fs_names(w))  # (still open: other)
    c(vp.Close(other))
    assert not any(n.startswith(".pith-unlinked-") for n in fs_names(w))


def test_a_file_replaced_while_open_keeps_its_data_and_a_failed_rename_changes_nothing(
        w: World, c: Client) -> None:
    c.write_file("/g", b"old")
    reader = c(vp.Open("/g")).fd
    c(vp.Mkdir("/d"))
    assert c.err(vp.Rename("/d", "/g")) == "ENOTDIR"
    assert c.read_file("/g") == b"old"  # (put back under its name)
    c.write_file("/h", b"new")
    c(vp.Rename("/h", "/g"))
    assert c.read_file("/g") == b"new" and c(vp.Read(reader, 10)).data == b"old"
    c(vp.Close(reader))
    assert sorted(fs_names(w)) == [".", "..", "d", "g", "tmp"]


def test_chmod_utime_and_the_umask(w: World, c: Client) -> None:
    assert c(vp.Umask(0o027)) == vp.Masked(0o022)  # (a login's default to begin with)
    c.write_file("/f", b"x")
    c(vp.Mkdir("/d"))
    assert stat.S_IMODE(c(vp.Stat("/f")).mode) == 0o640  # (0o666 asked, the mask's bits off)
    assert stat.S_IMODE(c(vp.Stat("/d")).mode) == 0o750
    c(vp.SetAttr("/f", mode=0o4755))
    fd = c(vp.Open("/d")).fd
    c(vp.SetAttr(fd, atime=5, mtime=7))
    assert stat.S_IMODE(c(vp.Stat("/f")).mode) == 0o4755
    assert (c(vp.Stat("/d")).atime, c(vp.Stat("/d")).mtime) == (5, 7)
    assert c.err(vp.SetAttr("/f", mode=0o10000)) == "EINVAL"
    assert c.err(vp.SetAttr("/f", mtime=-1)) == "EINVAL"
    assert c.err(vp.SetAttr("/nope", mode=0o644)) == "ENOENT"
    w.vfs.do_inherit(vp.Inherit(1000, 1007), Caller(1, None))
    assert w.client(1007)(vp.Umask(0)) == vp.Masked(0o027)  # (a child has its parent's)
