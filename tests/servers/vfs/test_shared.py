"""vfs's shared data buffers: Share, ReadShared and WriteShared against the bytes expected.

Random reads and writes of random sizes at random offsets (holes, the end of file and
past it included) through a process's shared buffer, on tmpfs and on mfs, must give the
bytes and offsets a model file gives; pipes answer as Read and Write do; the buffer and
every cap a request carried are let go of (Forget, a newer Share, a request that keeps
none)."""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pith.protocols import vfs as vp
from pith.servers.mfs.cache import FileDevice
from pith.servers.mfs.fs import MinixFS
from pith.servers.tmpfs.server import TmpfsServer
from tests.servers.mfs.helpers import blank
from tests.servers.vfs.harness import Client, World
from tests.servers.vfs.test_model_mfs import FileMfsServer

BUFFER = 256 * 1024  # the process's buffer in these tests (vfs takes up to MAX_SHARED)


@pytest.fixture(params=["tmpfs", "mfs"])
def w(request: pytest.FixtureRequest) -> Iterator[World]:
    if request.param == "tmpfs":
        yield World()
        return
    d = Path(tempfile.mkdtemp(prefix="vfs-shared-"))
    try:
        image = blank(d / "fs.img", 16384)
        with FileDevice(image) as dev:
            MinixFS.format(dev, now=lambda: 1000)
        root = FileMfsServer({}, (str(image),))
        yield World(servers={"/": root, "/tmp": TmpfsServer({}, clock=lambda: 1000)})
        root.close()
    finally:
        shutil.rmtree(d)


def shared(w: World, c: Client, size: int = BUFFER) -> memoryview:
    slot, mine = w.memory(size)
    assert c(vp.Share(), caps=(slot,)) == vp.Done()
    return memoryview(mine)


@pytest.mark.parametrize("seed", range(4))
def test_random_reads_and_writes_give_the_model_bytes(w: World, seed: int) -> None:
    rng, c = random.Random(seed), w.client()
    buf = shared(w, c)
    fd = c(vp.Open("/f", vp.O_RDWR | vp.O_CREAT)).fd
    model = bytearray()
    for _ in range(40):
        offset = rng.randrange(len(model) + 20_000)
        size = rng.choice([rng.randrange(1, 3000), rng.randrange(3000, BUFFER + 1)])
        assert c(vp.Seek(fd, offset)).offset == offset
        if rng.random() < 0.5:
            data = rng.randbytes(size)
            buf[:size] = data
            assert c(vp.WriteShared(fd, size)) == vp.Written(size)
            model[len(model):] = bytes(max(0, offset - len(model)))
            model[offset:offset + size] = data
        else:
            count = c(vp.ReadShared(fd, size)).count
            assert count == len(model[offset:offset + size])
            assert bytes(buf[:count]) == model[offset:offset + size]
        assert c(vp.Seek(fd, 0, vp.SEEK_CUR)).offset == offset + (
            size if offset + size <= len(model) else max(0, len(model) - offset))
    assert c(vp.Fstat(fd)).size == len(model)
    assert c.read_file("/f") == model


def test_a_read_is_at_most_the_buffer_and_eof_is_zero(w: World) -> None:
    c = w.client()
    buf = shared(w, c, 4096)
    c.write_file("/f", bytes(range(256)) * 40)  # 10,240 bytes
    fd = c(vp.Open("/f")).fd
    assert c(vp.ReadShared(fd, 100_000)) == vp.Moved(4096)
    assert bytes(buf[:4096]) == (bytes(range(256)) * 16)
    assert c(vp.ReadShared(fd, 100_000)) == vp.Moved(4096)
    assert c(vp.ReadShared(fd, 100_000)) == vp.Moved(2048)
    assert c(vp.ReadShared(fd, 100_000)) == vp.Moved(0)
    assert c(vp.Seek(fd, 0, vp.SEEK_CUR)).offset == 10_240


def test_errors_as_read_and_write(w: World) -> None:
    c = w.client()
    assert c.err(vp.ReadShared(0, 10)) == "EBADF"
    c.write_file("/f", b"abc")
    fd = c(vp.Open("/f")).fd
    assert c.err(vp.ReadShared(fd, 10)) == "ESTALE"  # (no buffer shared yet)
    shared(w, c)
    assert c.err(vp.WriteShared(fd, 3)) == "EBADF"  # open to read only
    assert c.err(vp.ReadShared(fd, -1)) == "EINVAL"
    c(vp.Mkdir("/d"))
    assert c.err(vp.ReadShared(c(vp.Open("/d")).fd, 10)) == "EISDIR"
    assert c.err(vp.Share()) == "EINVAL"  # no Memory cap along


def test_append_and_pipes(w: World) -> None:
    c = w.client()
    buf = shared(w, c)
    c.write_file("/f", b"start:")
    fd = c(vp.Open("/f", vp.O_WRONLY | vp.O_APPEND)).fd
    buf[:70_000] = b"x" * 70_000
    assert c(vp.WriteShared(fd, 70_000)).count == 70_000
    assert c.read_file("/f") == b"start:" + b"x" * 70_000
    p = c(vp.Pipe())
    buf[:5] = b"hello"
    assert c(vp.WriteShared(p.write, 5)) == vp.Written(5)
    assert c(vp.ReadShared(p.read, 100_000)) == vp.Data(b"hello")  # (a pipe: as Read)
    waiting, reply = c.send(vp.ReadShared(p.read, 100_000))
    assert reply is None  # an empty pipe's read waits, as Read's
    c(vp.Write(p.write, b"later"))
    assert c.answer(waiting) == vp.Data(b"later")


def test_the_buffer_and_stray_caps_are_let_go(w: World) -> None:
    c, pm = w.client(), w.client(badge=1)
    first, _ = w.memory(4096)
    c(vp.Share(), caps=(first,))
    second, _ = w.memory(4096)
    c(vp.Share(), caps=(second,))
    assert w.replies.deleted == [first]  # a newer buffer replaces the older
    stray, _ = w.memory(4096)
    c(vp.Stat("/"), caps=(stray,))
    assert w.replies.deleted == [first, stray]  # a request that keeps no cap
    pm(vp.Forget(1000))
    assert w.replies.deleted == [first, stray, second]  # the process is gone
    c(vp.Open("/f", vp.O_CREAT | vp.O_RDWR))
    assert c.err(vp.ReadShared(0, 10)) == "ESTALE"
    huge, _ = w.memory(vp.MAX_SHARED + 4096)
    assert c.err(vp.Share()) == "EINVAL"
    _, reply = c.send(vp.Share(), caps=(huge,))
    assert reply.error == "EINVAL" and w.replies.deleted[-1] == huge
