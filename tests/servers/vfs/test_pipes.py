"""Pipes in vfs: deferred reads and writes answered later, EOF, EPIPE, sharing by Inherit."""

from __future__ import annotations

import stat

import pytest

from pith.lib.server import Failure
from pith.protocols import vfs as vp
from pith.servers.vfs.pipes import CAPACITY, PIPE_BUF
from tests.servers.vfs.harness import Client, World


@pytest.fixture
def w() -> World:
    return World()


@pytest.fixture
def c(w: World) -> Client:
    return w.client()


def test_write_then_read(c: Client) -> None:
    p = c(vp.Pipe())
    assert (p.read, p.write) == (0, 1)
    assert c(vp.Write(p.write, b"hello")).count == 5
    assert c(vp.Fstat(p.read)).size == 5 and stat.S_ISFIFO(c(vp.Fstat(p.read)).mode)
    assert c(vp.Read(p.read, 3)).data == b"hel"
    assert c(vp.Read(p.read, 10)).data == b"lo"
    assert c.err(vp.Read(p.write, 1)) == "EBADF"
    assert c.err(vp.Write(p.read, b"x")) == "EBADF"
    assert c.err(vp.Seek(p.read, 0)) == "ESPIPE"
    assert c.err(vp.Truncate(p.write, 0)) == "EINVAL"
    assert c(vp.Read(p.read, 0)).data == b""


def test_a_read_waits_for_data(w: World, c: Client) -> None:
    p = c(vp.Pipe())
    waiting, reply = c.send(vp.Read(p.read, 100))
    assert reply is None and c.answer(waiting) is None
    writer = w.client(1000)
    assert writer(vp.Write(p.write, b"data")).count == 4
    assert c.answer(waiting) == vp.Data(b"data")


def test_a_reader_that_stopped_waiting_takes_no_bytes(w: World, c: Client) -> None:
    p = c(vp.Pipe())
    interrupted, _ = c.send(vp.Read(p.read, 100))
    assert interrupted.reply is not None
    w.replies.gone.add(interrupted.reply)  # (a signal: the kernel ended its thread)
    assert c(vp.Write(p.write, b"data")).count == 4
    assert c(vp.Read(p.read, 100)).data == b"data"


def test_readers_are_served_in_order(c: Client) -> None:
    p = c(vp.Pipe())
    first, _ = c.send(vp.Read(p.read, 2))
    second, _ = c.send(vp.Read(p.read, 10))
    c(vp.Write(p.write, b"abcdef"))
    assert c.answer(first) == vp.Data(b"ab") and c.answer(second) == vp.Data(b"cdef")


def test_eof_when_the_last_writer_closes(c: Client) -> None:
    p = c(vp.Pipe())
    extra = c(vp.Dup(p.write)).fd
    waiting, _ = c.send(vp.Read(p.read, 10))
    c(vp.Close(p.write))
    assert c.answer(waiting) is None  # a writer remains
    c(vp.Close(extra))
    assert c.answer(waiting) == vp.Data(b"")
    assert c(vp.Read(p.read, 10)).data == b""


def test_buffered_data_outlives_the_writer(c: Client) -> None:
    p = c(vp.Pipe())
    c(vp.Write(p.write, b"last words"))
    c(vp.Close(p.write))
    assert c(vp.Read(p.read, 100)).data == b"last words"
    assert c(vp.Read(p.read, 100)).data == b""


def test_epipe_without_readers(c: Client) -> None:
    p = c(vp.Pipe())
    c(vp.Close(p.read))
    assert c.err(vp.Write(p.write, b"x")) == "EPIPE"


def test_a_write_to_a_full_pipe_waits(c: Client) -> None:
    p = c(vp.Pipe())
    assert c(vp.Write(p.write, bytes(CAPACITY - 10))).count == CAPACITY - 10
    waiting, reply = c.send(vp.Write(p.write, b"y" * 30))  # small: atomic, waits whole
    assert reply is None
    assert c(vp.Fstat(p.read)).size == CAPACITY - 10
    assert len(c(vp.Read(p.read, 20)).data) == 20
    assert c.answer(waiting) == vp.Written(30)
    assert c(vp.Fstat(p.read)).size == CAPACITY


def test_a_big_write_goes_in_pieces(c: Client) -> None:
    p = c(vp.Pipe())
    data = bytes(range(256)) * 1024  # 256 KiB: four buffers' worth
    waiting, reply = c.send(vp.Write(p.write, data))
    assert reply is None
    out = b""
    while len(out) < len(data):
        out += c(vp.Read(p.read, vp.MAX_READ)).data
    assert out == data and c.answer(waiting) == vp.Written(len(data))


def test_waiting_writer_gets_epipe_or_a_count(c: Client) -> None:
    p = c(vp.Pipe())
    c(vp.Write(p.write, bytes(CAPACITY)))
    blocked, _ = c.send(vp.Write(p.write, b"z" * PIPE_BUF))
    big, _ = c.send(vp.Write(p.write, b"z" * (PIPE_BUF + 1)))
    c(vp.Close(p.read))
    sent = c.answer(blocked)
    assert isinstance(sent, Failure) and sent.error == "EPIPE"
    assert c.answer(big) == Failure("EPIPE", "no reader on the pipe")


def test_partial_big_write_then_reader_gone(c: Client) -> None:
    p = c(vp.Pipe())
    c(vp.Write(p.write, bytes(CAPACITY - 100)))
    big, _ = c.send(vp.Write(p.write, bytes(PIPE_BUF * 2)))  # 100 bytes go in, the rest waits
    c(vp.Close(p.read))
    assert c.answer(big) == vp.Written(100)


def test_inherited_pipe_and_forget(w: World) -> None:
    parent, child = w.client(1000), w.client(1001)
    pm = w.client(5)
    p = parent(vp.Pipe())
    pm(vp.Inherit(1000, 1001))
    parent(vp.Close(p.write))
    waiting, _ = parent.send(vp.Read(p.read, 10))
    child(vp.Write(p.write, b"from child"))
    assert parent.answer(waiting) == vp.Data(b"from child")
    waiting, _ = parent.send(vp.Read(p.read, 10))
    pm(vp.Forget(1001))  # the child exits: its write end closes
    assert parent.answer(waiting) == vp.Data(b"")


def test_forget_drops_the_waits_of_the_gone(w: World) -> None:
    a, pm = w.client(1000), w.client(5)
    p = a(vp.Pipe())
    waiting, _ = a.send(vp.Read(p.read, 10))
    pm(vp.Forget(1000))
    assert a.answer(waiting) is None  # no answer to a process that is gone
    assert w.vfs.pipes == {}


def test_pipes_share_a_memory_limit_and_a_write_past_it_is_enomem(w: World, c: Client) -> None:
    w.vfs.pipe_memory.limit = 2 * CAPACITY
    full = [c(vp.Pipe()) for _ in range(3)]
    for p in full[:2]:
        assert c(vp.Write(p.write, b"x" * CAPACITY)).count == CAPACITY
    assert c.err(vp.Write(full[2].write, b"y")) == "ENOMEM"  # nothing changed, vfs goes on
    assert w.vfs.pipe_memory.used == 2 * CAPACITY
    assert c(vp.Read(full[0].read, 100)).data == b"x" * 100  # reading makes room
    assert c(vp.Write(full[2].write, b"y")).count == 1
    waiting, reply = c.send(vp.Write(full[1].write, b"z" * 50))  # a full pipe: it waits
    assert reply is None and w.vfs.pipe_memory.used == 2 * CAPACITY - 100 + 1 + 50
    c(vp.Close(full[1].read))  # no reader: the waiting write fails, the buffer goes
    assert c.answer(waiting) == Failure("EPIPE", "no reader on the pipe")
    for p in full:
        for fd in (p.read, p.write):
            if fd != full[1].read:
                c(vp.Close(fd))
    assert w.vfs.pipe_memory.used == 0 and w.vfs.pipes == {}


def test_a_gone_process_frees_what_its_pipes_held(w: World) -> None:
    pm, c = w.client(1), w.client(1005)
    p = c(vp.Pipe())
    c(vp.Write(p.write, b"x" * 1000))
    c.send(vp.Write(p.write, b"y" * CAPACITY))  # part in, the rest waits
    assert w.vfs.pipe_memory.used == CAPACITY + CAPACITY  # a full buffer, the write's data
    pm(vp.Forget(1005))
    assert w.vfs.pipe_memory.used == 0 and w.vfs.pipes == {}
