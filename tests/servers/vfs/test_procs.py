"""Per-client state: separate fd tables and cwds; Inherit, Exec and Forget for pm only."""

from __future__ import annotations

import pytest

from pith.protocols import vfs as vp
from tests.servers.vfs.harness import World


@pytest.fixture
def w() -> World:
    return World()


def test_clients_are_separate(w: World) -> None:
    a, b = w.client(1000), w.client(1001)
    a.write_file("/f", b"x")
    fd = a(vp.Open("/f")).fd
    assert b.err(vp.Read(fd, 1)) == "EBADF"
    a(vp.Chdir("/tmp"))
    assert b(vp.Getcwd()).path == "/" and a(vp.Getcwd()).path == "/tmp"


def test_only_system_badges_manage_processes(w: World) -> None:
    user, unbadged = w.client(1000), w.client(0)
    for c in (user, unbadged):
        for request in (vp.Inherit(1000, 2000), vp.Exec(1001), vp.Forget(1001)):
            assert c.err(request) == "EPERM"
    assert set(w.vfs.procs) <= {0, 1000}


def test_inherit_copies_the_table_and_shares_offsets(w: World) -> None:
    parent, child, pm = w.client(1000), w.client(1001), w.client(7)
    parent.write_file("/f", b"abcdef")
    parent(vp.Chdir("/tmp"))
    fd = parent(vp.Open("/f")).fd
    pm(vp.Inherit(1000, 1001))
    assert child(vp.Getcwd()).path == "/tmp"
    assert child(vp.Read(fd, 2)).data == b"ab"
    assert parent(vp.Read(fd, 2)).data == b"cd"  # one description, one offset
    child(vp.Close(fd))
    assert parent(vp.Read(fd, 2)).data == b"ef"
    child(vp.Chdir("/"))
    assert parent(vp.Getcwd()).path == "/tmp"
    assert pm.err(vp.Inherit(1000, 1001)) == "EEXIST"


def test_exec_closes_cloexec_only(w: World) -> None:
    c, pm = w.client(1000), w.client(7)
    c.write_file("/f", b"x")
    keep = c(vp.Open("/f")).fd
    drop = c(vp.Open("/f", vp.O_RDONLY | vp.O_CLOEXEC)).fd
    p = c(vp.Pipe(cloexec=True))
    dup = c(vp.Dup(drop)).fd  # dup clears close-on-exec
    pm(vp.Exec(1000))
    assert sorted(w.vfs.procs[1000].fds) == [keep, dup]
    assert c.err(vp.Read(p.read, 1)) == "EBADF"
    assert w.vfs.pipes == {}


def test_forget_closes_everything(w: World) -> None:
    c, pm = w.client(1000), w.client(7)
    c.write_file("/f", b"x")
    c(vp.Open("/f"))
    c(vp.Pipe())
    pm(vp.Forget(1000))
    assert 1000 not in w.vfs.procs and w.vfs.pipes == {}
    pm(vp.Forget(4242))  # nothing to forget is fine
    assert c(vp.Getcwd()).path == "/"  # a new client starts afresh
