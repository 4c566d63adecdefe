"""vfs's name and attribute cache (pith/servers/vfs/names.py).

A cached stat reaches no file system; every change vfs makes is seen by the next stat,
lookup or listing, exactly as without the cache: test_model's whole state machine runs
with caching file systems, and after every step a second vfs with no cache, over the
same servers, must report the same metadata for every path."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import settings
from hypothesis.stateful import invariant

from pith.lib.server import Caller, ServiceError
from pith.protocols import fs
from pith.protocols import vfs as vp
from pith.servers.tmpfs.server import TmpfsServer
from pith.servers.vfs.local import Local
from pith.servers.vfs.names import MAX_NAMES, NameCache
from pith.servers.vfs.server import VfsServer
from tests.servers.vfs.harness import Replies, World
from tests.servers.vfs.test_model import MDir, VfsMachine


class CachingTmpfs(TmpfsServer):
    """tmpfs that lets vfs cache it (as mfs does), and counts the requests it gets."""

    requests_seen: list[type]

    def dispatch(self, msg: bytes, caller: Caller) -> bytes | None:
        self.requests_seen = getattr(self, "requests_seen", [])
        self.requests_seen.append(type(msgspec.msgpack.decode(msg, type=fs.FsRequest)))
        return super().dispatch(msg, caller)

    def do_statfs(self, request: fs.Statfs, caller: Caller) -> fs.FsInfo:
        return msgspec.structs.replace(super().do_statfs(request, caller), cacheable=True)


def caching_world() -> World:
    servers = {m: CachingTmpfs({}, (), clock=lambda: 1000) for m in ("/", "/tmp")}
    return World(servers=servers)  # type: ignore[arg-type]


def seen(world: World, mount: str = "/") -> list[type]:
    server = world.servers[mount]
    assert isinstance(server, CachingTmpfs)
    return server.requests_seen


@pytest.fixture
def world() -> World:
    w = caching_world()
    c = w.client()
    c(vp.Mkdir("/a", 0o755))
    fd = c(vp.Open("/a/f", vp.O_CREAT | vp.O_WRONLY, 0o644)).fd
    c(vp.Write(fd, b"hello"))
    c(vp.Close(fd))
    return w


def test_a_cached_stat_reaches_no_file_system(world: World) -> None:
    c = world.client()
    first = c(vp.Stat("/a/f"))
    before = len(seen(world))
    assert c(vp.Stat("/a/f")) == first
    assert len(seen(world)) == before


def test_an_absent_name_is_remembered_and_forgotten_when_made(world: World) -> None:
    c = world.client()
    assert c.err(vp.Stat("/a/g")) == "ENOENT"
    before = len(seen(world))
    assert c.err(vp.Stat("/a/g")) == "ENOENT"
    assert len(seen(world)) == before  # (the negative entry answered)
    c(vp.Close(c(vp.Open("/a/g", vp.O_CREAT | vp.O_WRONLY, 0o600)).fd))
    assert c(vp.Stat("/a/g")).mode & 0o777 == 0o600


def test_every_change_is_seen_by_the_next_stat(world: World) -> None:
    c = world.client()
    c(vp.Stat("/a/f"))
    fd = c(vp.Open("/a/f", vp.O_WRONLY | vp.O_APPEND, 0)).fd
    c(vp.Write(fd, b" world"))
    assert c(vp.Stat("/a/f")).size == 11
    c(vp.Close(fd))
    c(vp.Link("/a/f", "/a/h"))
    assert c(vp.Stat("/a/f")).nlinks == 2
    c(vp.Rename("/a/h", "/a/i"))
    assert c.err(vp.Stat("/a/h")) == "ENOENT"
    assert c(vp.Stat("/a/i")).ino == c(vp.Stat("/a/f")).ino
    c(vp.Unlink("/a/f"))
    assert c.err(vp.Stat("/a/f")) == "ENOENT"
    assert c(vp.Stat("/a/i")).nlinks == 1


def test_a_file_system_that_does_not_allow_it_is_not_cached() -> None:
    w = World()  # plain tmpfs: cacheable=False, as procfs
    c = w.client()
    assert all(m.cache is None for m in [w.vfs.mounts.root, *w.vfs.mounts.on.values()])
    c(vp.Mkdir("/a", 0o755))
    assert c(vp.Stat("/a")).nlinks == 2


def test_the_cache_is_bounded() -> None:
    cache = NameCache()
    for n in range(MAX_NAMES + 10):
        cache.learn(fs.Lookup(1, f"n{n}"), fs.Attr(n + 2, 0o100644, 1, 0, 0, 0, 0, 0, 0))
    assert len(cache.names) <= MAX_NAMES and len(cache.attrs) <= MAX_NAMES


def test_a_failed_change_empties_the_cache() -> None:
    cache = NameCache()
    cache.learn(fs.Stat(2), fs.Attr(2, 0o100644, 1, 0, 0, 0, 0, 0, 0))
    cache.refused(fs.Rename(1, "a", 1, "b"), ServiceError("EIO", "died half-way"))
    assert not cache.attrs


class CachedVfsMachine(VfsMachine):
    """test_model's rules with caching file systems, checked against an uncached vfs."""

    def make_world(self) -> World:
        world = caching_world()
        self.plain = VfsServer({}, (), gate_of=lambda: Replies(),  # type: ignore[arg-type, return-value]
                               filesystems={m: Uncached(s) for m, s in world.servers.items()})
        return world

    def plain_stat(self, path: str) -> Any:
        out = self.plain.dispatch(msgspec.msgpack.encode(vp.Stat(path, follow=False)),
                                  Caller(1000, 1))
        assert out is not None
        return msgspec.msgpack.decode(out)

    @invariant()
    def same_metadata_as_without_the_cache(self) -> None:
        def walk(path: str, d: MDir) -> None:
            assert self.plain_stat(path) == msgspec.to_builtins(self.c(vp.Stat(path, follow=False)))
            for name, n in d.children.items():
                sub = path.rstrip("/") + "/" + name
                if isinstance(n, MDir):
                    walk(sub, n)
                else:
                    got = msgspec.to_builtins(self.c(vp.Stat(sub, follow=False)))
                    assert self.plain_stat(sub) == got
        walk("/", self.m.root)


class Uncached(Local):
    """The same server, but its Statfs says not cacheable (a second, plain vfs's view)."""

    def __init__(self, server: Any) -> None:
        super().__init__(server, fs.FsReply)

    def call(self, request: Any, timeout: float | None = None) -> Any:
        reply = super().call(request, timeout)
        if isinstance(reply, fs.FsInfo):
            return msgspec.structs.replace(reply, cacheable=False)
        return reply


CachedVfsMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30,
                                              deadline=None)
TestCachedVfs = CachedVfsMachine.TestCase
