"""/dev in vfs: null, zero, the console's input (buffered lines, EOF, ^C flush) and output."""

from __future__ import annotations

import stat
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pith.kernel.core.errors import ServerDied, Timeout
from pith.lib.server import Caller, Failure
from pith.protocols import tty as tp
from pith.protocols import vfs as vp
from pith.servers.vfs.console import TYPEAHEAD, Console
from tests.servers.vfs.harness import Client, World

ALL_TERMINALS = tp.ConsoleKinds(True, True, True)


class FakeTty:
    """The tty driver's endpoint: records Output; can die on the next calls."""

    def __init__(self, kinds: tp.ConsoleKinds = ALL_TERMINALS) -> None:
        self.out: list[tuple[bytes, bool]] = []
        self.failures: list[Exception] = []
        self.kinds = kinds

    def call(self, request: Any, timeout: float | None = None) -> Any:
        if self.failures:
            raise self.failures.pop(0)
        if isinstance(request, tp.Kinds):
            return self.kinds
        assert isinstance(request, tp.Output)
        self.out.append((request.data, request.err))
        return tp.Written(len(request.data))


@pytest.fixture
def w() -> World:
    world = World(vfs_args=("dev=/dev",))
    world.vfs.tty = FakeTty()  # type: ignore[assignment]
    return world


@pytest.fixture
def c(w: World) -> Client:
    return w.client()


@pytest.fixture
def tty(w: World) -> Client:
    return w.client(3)  # the tty driver: a system badge


def test_dev_is_listed_with_its_devices(c: Client) -> None:
    assert "dev" in c(vp.Listdir("/")).names
    assert sorted(c(vp.Listdir("/dev")).names) == ["console", "null", "tty", "zero"]
    for name in ("null", "zero", "tty", "console"):
        mode = c(vp.Stat(f"/dev/{name}")).mode
        assert stat.S_ISCHR(mode) and mode & 0o777 == 0o666
    assert stat.S_ISDIR(c(vp.Stat("/dev")).mode)
    assert c.err(vp.Open("/dev/nothing")) == "ENOENT"
    assert c.err(vp.Open("/dev/new", vp.O_CREAT | vp.O_WRONLY)) == "EROFS"
    assert c.err(vp.Unlink("/dev/null")) == "EROFS"


def test_null_and_zero(c: Client) -> None:
    null = c(vp.Open("/dev/null", vp.O_RDWR)).fd
    assert c(vp.Write(null, b"gone")).count == 4
    assert c(vp.Read(null, 100)).data == b""
    zero = c(vp.Open("/dev/zero", vp.O_RDWR | vp.O_TRUNC)).fd
    assert c(vp.Read(zero, 5)).data == bytes(5)
    assert c(vp.Write(zero, b"x" * 10)).count == 10
    assert c(vp.Read(zero, 100_000)).data == bytes(vp.MAX_READ)
    assert stat.S_ISCHR(c(vp.Fstat(null)).mode)


def test_without_the_dev_arg_there_is_no_dev() -> None:
    c = World().client()
    assert "dev" not in c(vp.Listdir("/")).names
    assert c.err(vp.Open("/dev/null")) == "ENOENT"


def test_a_console_read_waits_for_a_line(w: World, c: Client, tty: Client) -> None:
    fd = c(vp.Open("/dev/tty", vp.O_RDWR)).fd
    assert stat.S_ISCHR(c(vp.Fstat(fd)).mode)  # (isatty)
    waiting, reply = c.send(vp.Read(fd, 100))
    assert reply is None
    assert tty(tp.ConsoleInput(b"hello\n")) == vp.Done()
    assert c.answer(waiting) == vp.Data(b"hello\n")
    assert c.err(vp.Seek(fd, 0)) == "ESPIPE"
    assert c.err(vp.Truncate(fd, 0)) == "EINVAL"


def test_console_reads_take_one_line_and_at_most_size(c: Client, tty: Client) -> None:
    tty(tp.ConsoleInput(b"one\ntwo\n"))
    tty(tp.ConsoleInput(b"partial"))  # what ^D ended: no newline
    fd = c(vp.Open("/dev/console")).fd
    assert c(vp.Read(fd, 100)).data == b"one\n"
    assert c(vp.Read(fd, 2)).data == b"tw"
    assert c(vp.Read(fd, 100)).data == b"o\n"
    assert c(vp.Read(fd, 100)).data == b"partial"
    assert c(vp.Read(fd, 0)).data == b""


def test_end_of_file_answers_one_read(c: Client, tty: Client) -> None:
    fd = c(vp.Open("/dev/tty")).fd
    tty(tp.ConsoleInput(b"last\n"))
    tty(tp.ConsoleInput(b""))
    tty(tp.ConsoleInput(b"more\n"))
    assert [c(vp.Read(fd, 100)).data for _ in range(3)] == [b"last\n", b"", b"more\n"]
    waiting, reply = c.send(vp.Read(fd, 100))
    assert reply is None  # the end of file was consumed: the next read waits again
    tty(tp.ConsoleInput(b""))
    assert c.answer(waiting) == vp.Data(b"")


def test_a_reader_that_stopped_waiting_takes_no_input(w: World, c: Client,
                                                       tty: Client) -> None:
    """A signal interrupted a read (the kernel ended the reader's thread): the line typed
    next goes to the next reader whole, not a byte short."""
    fd = c(vp.Open("/dev/tty")).fd
    interrupted, _ = c.send(vp.Read(fd, 1))
    assert interrupted.reply is not None
    w.replies.gone.add(interrupted.reply)
    again, _ = c.send(vp.Read(fd, 1))
    tty(tp.ConsoleInput(b"echo\n"))
    assert c.answer(again) == vp.Data(b"e")
    assert c(vp.Read(fd, 100)) == vp.Data(b"cho\n")
    assert c.answer(interrupted) is None


def test_flush_drops_input_and_interrupts_readers(w: World, c: Client, tty: Client) -> None:
    fd = c(vp.Open("/dev/tty")).fd
    first, _ = c.send(vp.Read(fd, 10))
    other = w.client(1001)
    second, _ = other.send(vp.Read(other(vp.Open("/dev/console")).fd, 10))
    assert tty(tp.ConsoleFlush()) == vp.Done()
    assert c.answer(first) == Failure("EINTR", "interrupted")
    assert other.answer(second) == Failure("EINTR", "interrupted")
    tty(tp.ConsoleInput(b"typed ahead\n"))
    tty(tp.ConsoleFlush())
    later, reply = c.send(vp.Read(fd, 100))
    assert reply is None  # the typed-ahead line is gone
    tty(tp.ConsoleInput(b"new\n"))
    assert c.answer(later) == vp.Data(b"new\n")


def test_only_system_badges_push_console_input(w: World, c: Client) -> None:
    for badge in (0, 1000, 5000):
        for request in (tp.ConsoleInput(b"rm -rf /\n"), tp.ConsoleFlush()):
            assert w.client(badge).err(request) == "EPERM"
    assert w.vfs.console.chunks == type(w.vfs.console.chunks)()


def test_too_much_typeahead_is_refused(tty: Client) -> None:
    tty(tp.ConsoleInput(b"x" * TYPEAHEAD))
    assert tty.err(tp.ConsoleInput(b"y")) == "EAGAIN"


def test_a_dead_readers_wait_is_dropped(w: World, c: Client, tty: Client) -> None:
    fd = c(vp.Open("/dev/tty")).fd
    gone, _ = c.send(vp.Read(fd, 10))
    w.client(7)(vp.Forget(c.badge))
    other = w.client(1001)
    waiting, _ = other.send(vp.Read(other(vp.Open("/dev/tty")).fd, 10))
    tty(tp.ConsoleInput(b"hi\n"))
    assert c.answer(gone) is None and other.answer(waiting) == vp.Data(b"hi\n")


def test_writes_go_to_the_tty_driver(w: World, c: Client) -> None:
    fake = w.vfs.tty
    assert isinstance(fake, FakeTty)
    out = c(vp.Open("/dev/tty", vp.O_WRONLY)).fd
    err = c(vp.Open("/dev/console", vp.O_WRONLY)).fd
    assert c(vp.Write(out, b"hello\n")).count == 6
    assert c(vp.Write(err, b"oops\n")).count == 5
    big = bytes(range(256)) * 200  # 51200 bytes: two Output requests
    assert c(vp.Write(out, big)).count == len(big)
    assert fake.out[:2] == [(b"hello\n", False), (b"oops\n", True)]
    assert b"".join(d for d, _ in fake.out[2:]) == big and len(fake.out) == 4
    assert c.err(vp.Read(out, 1)) == "EBADF"


def test_a_write_survives_one_tty_restart(w: World, c: Client) -> None:
    fake = w.vfs.tty
    assert isinstance(fake, FakeTty)
    out = c(vp.Open("/dev/tty", vp.O_WRONLY)).fd
    fake.failures = [ServerDied("tty died")]
    assert c(vp.Write(out, b"again\n")).count == 6 and fake.out == [(b"again\n", False)]
    fake.failures = [ServerDied("tty died"), Timeout("no tty came back")]
    assert c.err(vp.Write(out, b"lost\n")) == "EIO"


def test_without_a_tty_console_writes_fail(c: Client, w: World) -> None:
    w.vfs.tty = None
    assert c.err(vp.Write(c(vp.Open("/dev/tty", vp.O_WRONLY)).fd, b"x")) == "ENXIO"


def test_a_process_may_exec_its_own_badge(w: World, c: Client) -> None:
    drop = c(vp.Open("/dev/null", vp.O_RDONLY | vp.O_CLOEXEC)).fd
    keep = c(vp.Open("/dev/null")).fd
    assert w.client(1001).err(vp.Exec(c.badge)) == "EPERM"
    c(vp.Exec(c.badge))
    assert sorted(w.vfs.procs[c.badge].fds) == [keep] and drop != keep


@given(st.lists(st.binary(max_size=30), max_size=8), st.lists(st.integers(1, 12), max_size=40))
def test_console_reads_give_back_the_pushed_bytes_line_by_line(
        chunks: list[bytes], sizes: list[int]) -> None:
    console, got = Console(), []
    for chunk in chunks:
        console.push(chunk)
    for i, size in enumerate(sizes):
        for _, reply in console.read(Caller(1000, i), size):
            assert isinstance(reply, vp.Data)
            data = reply.data
            assert len(data) <= size and b"\n" not in data[:-1]
            got.append(data)
    # every read is served while input lasts; EOF chunks come back as b""
    expected = b"".join(chunks)
    assert b"".join(got) == expected[:len(b"".join(got))]
    assert got.count(b"") <= chunks.count(b"")


@pytest.mark.parametrize(("kinds", "expected"), [
    (tp.ConsoleKinds(True, True, True), (True, True, True)),
    (tp.ConsoleKinds(False, True, True), (False, True, True)),
    (tp.ConsoleKinds(True, False, True), (True, False, True)),
    (tp.ConsoleKinds(False, False, False), (False, False, False)),
])
def test_a_console_fd_is_a_terminal_exactly_when_its_host_side_is(
        w: World, c: Client, kinds: tp.ConsoleKinds, expected: tuple[bool, ...]) -> None:
    w.vfs.tty = FakeTty(kinds)  # type: ignore[assignment]
    fds = (c(vp.Open("/dev/tty", vp.O_RDONLY)).fd, c(vp.Open("/dev/tty", vp.O_WRONLY)).fd,
           c(vp.Open("/dev/console", vp.O_WRONLY)).fd)
    modes = [c(vp.Fstat(fd)).mode for fd in fds]
    assert tuple(stat.S_ISCHR(m) for m in modes) == expected
    assert all(stat.S_ISCHR(m) or stat.S_ISFIFO(m) for m in modes)
