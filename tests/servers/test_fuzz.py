"""Fuzzing the servers' front doors: what a client sends never breaks a server.

For tmpfs, bootfs, mfs (on an image file) and vfs (over tmpfs), run in process: random
bytes, random MessagePack values and random requests of the server's own protocol (fields
of the right types with extreme values: huge and negative numbers, NULs and slashes in
names, 70 KB of data) go through `dispatch`, the framework's entry for one message. It
must never raise; each answer must decode as one of the server's replies or a `Failure`;
and a message that is not a request (garbage) changes nothing a good request then sees.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pith.kernel.core.actions import CapDescription
from pith.kernel.core.rights import GRANT, WRITE
from pith.lib.server import Caller, Failure, Server
from pith.protocols import ds as dp
from pith.protocols import fs as fp
from pith.protocols import vfs as vp
from pith.servers.bootfs.server import BootfsServer
from pith.servers.ds.server import DsServer
from pith.servers.mfs.cache import FileDevice
from pith.servers.mfs.fs import MinixFS
from pith.servers.mfs.server import MfsServer
from pith.servers.tmpfs.server import TmpfsServer
from tests.servers.vfs.harness import World

SMALL = st.integers(0, 4)  # (inodes and fds that exist: the root, the seeds, fds 0-2)
INTS = st.one_of(SMALL, SMALL, SMALL, st.integers(-3, 70_000),
                 st.sampled_from([2**31, 2**63 - 1, -(2**63)]))
NAMES = st.sampled_from(["d", "f", "", ".", "..", "/", "a/b", "x\0y", "/tmp/../..", "a" * 300])
TEXT = st.one_of(NAMES, NAMES, NAMES, st.text(max_size=20))


def strategy(kind: Any) -> st.SearchStrategy[Any]:
    """Values of a field's type, biased to the edges."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([strategy(a) for a in args])
    if origin is list:
        return st.lists(strategy(args[0]), max_size=4)
    if origin is tuple:
        return st.tuples(*[strategy(a) for a in args]) if ... not in args else \
            st.lists(strategy(args[0]), max_size=4).map(tuple)
    if origin is dict:
        return st.dictionaries(strategy(args[0]), strategy(args[1]), max_size=3)
    table: dict[Any, st.SearchStrategy[Any]] = {
        int: INTS, str: TEXT, bool: st.booleans(), float: st.floats(allow_nan=False),
        bytes: st.one_of(st.binary(max_size=64), st.just(b"z" * 70_000)),
        type(None): st.none()}
    if kind in table:
        return table[kind]
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return request(kind)
    return st.from_type(kind)


def request(kind: type[msgspec.Struct]) -> st.SearchStrategy[msgspec.Struct]:
    hints = typing.get_type_hints(kind)
    fields = {f.name: strategy(hints[f.name]) for f in msgspec.structs.fields(kind)}
    return st.builds(kind, **fields)


def kinds(union: Any) -> list[type[msgspec.Struct]]:
    return list(typing.get_args(union) or (union,))


def encoded(kind: type[msgspec.Struct]) -> st.SearchStrategy[bytes]:
    return request(kind).map(msgspec.msgpack.encode)


GARBAGE = st.one_of(
    st.binary(max_size=200),
    st.integers(-(2**63), 2**64 - 1).map(msgspec.msgpack.encode),
    st.dictionaries(st.text(max_size=8), st.integers(0, 9), max_size=3).map(
        lambda d: msgspec.msgpack.encode({"type": "Read", **d})),
    st.lists(st.integers(0, 9), max_size=4).map(msgspec.msgpack.encode))


class Stand:
    """The gate a server in process answers deferred requests on (no kernel here): every
    slot holds an endpoint cap."""

    def reply(self, slot: int, msg: bytes, caps: tuple[int, ...] = ()) -> None:
        pass

    def cap_info(self, slot: int) -> CapDescription:
        return CapDescription("endpoint", slot, WRITE | GRANT, 0)

    def cap_delete(self, slot: int) -> None:
        pass


class FileMfs(MfsServer):
    def setup(self) -> None:
        self.dev = FileDevice(self.args[0])
        self.fs = MinixFS.mount(self.dev, now=lambda: 1000)


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from pith.tools.mkfs import make_image

    path = tmp_path_factory.mktemp("fuzz") / "disk.img"
    made = make_image(path, 4 << 20)
    if isinstance(made.dev, FileDevice):
        made.dev.close()
    yield path


def fs_servers(image: Path) -> dict[str, Callable[[], Server]]:
    return {"tmpfs": lambda: TmpfsServer({}, (), Stand, clock=lambda: 1000),
            "bootfs": lambda: BootfsServer({}, (), Stand),
            "mfs": lambda: FileMfs({}, (str(image),), Stand)}


FS_REPLY = msgspec.msgpack.Decoder(fp.FsReply | Failure)
VFS_REPLY = msgspec.msgpack.Decoder(vp.VfsReply | Failure)
SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def answered(server: Server, msg: bytes, decoder: msgspec.msgpack.Decoder[Any]) -> Any:
    out = server.dispatch(msg, Caller(1000, 7))
    return None if out is None else decoder.decode(out)


def root_listing(server: Server) -> Any:
    return answered(server, msgspec.msgpack.encode(fp.Readdir(fp.ROOT, 0)), FS_REPLY)


@pytest.mark.parametrize("kind", kinds(fp.FsRequest), ids=lambda k: k.__name__)
@pytest.mark.parametrize("name", ["tmpfs", "bootfs", "mfs"])
def test_file_system_servers_take_any_request(name: str, kind: type[msgspec.Struct],
                                              image: Path) -> None:
    server = fs_servers(image)[name]()
    seed = [fp.Mkdir(fp.ROOT, "d", 0o755), fp.Create(fp.ROOT, "f", 0o644)]
    for made in seed:  # (something to work on; bootfs refuses, being read-only)
        answered(server, msgspec.msgpack.encode(made), FS_REPLY)

    @SETTINGS
    @given(encoded(kind))
    def one(msg: bytes) -> None:
        answered(server, msg, FS_REPLY)  # (never raises; decodes as a reply or Failure)

    one()
    assert isinstance(root_listing(server), fp.Entries)


@pytest.mark.parametrize("name", ["tmpfs", "bootfs", "mfs"])
def test_garbage_changes_nothing(name: str, image: Path) -> None:
    server = fs_servers(image)[name]()
    before = root_listing(server)

    @SETTINGS
    @given(GARBAGE)
    def one(msg: bytes) -> None:
        reply = answered(server, msg, FS_REPLY)
        assert isinstance(reply, Failure) and reply.error == "EINVAL", reply

    one()
    assert root_listing(server) == before


@pytest.mark.parametrize("kind", kinds(vp.VfsRequest), ids=lambda k: k.__name__)
def test_vfs_takes_any_request(kind: type[msgspec.Struct]) -> None:
    world = World(vfs_args=("dev=/dev",))
    client = world.client()
    client.write_file("/kept", b"still here")

    @SETTINGS
    @given(encoded(kind))
    def one(msg: bytes) -> None:
        out = world.vfs.dispatch(msg, Caller(1001, 9))  # (another process: /kept is safe
        if out is not None:  # unless it is removed, which a random path rarely names)
            VFS_REPLY.decode(out)

    one()
    assert client.read_file("/kept") == b"still here"


DS_REPLY = msgspec.msgpack.Decoder(dp.DsReply | Failure)


@pytest.mark.parametrize("kind", kinds(dp.DsRequest), ids=lambda k: k.__name__)
def test_ds_takes_any_request(kind: type[msgspec.Struct]) -> None:
    server = DsServer({}, (), Stand)
    kept = msgspec.msgpack.encode(dp.Stash("kept", b"still here"))
    assert server.dispatch(kept, Caller(5, 7)) is not None  # (a service's badge)

    @SETTINGS
    @given(encoded(kind), st.sampled_from([0, 5, 6, 1000]), st.sampled_from([(), (40,)]))
    def one(msg: bytes, badge: int, caps: tuple[int, ...]) -> None:
        out = server.dispatch(msg, Caller(badge, 9, caps))
        if out is not None:
            DS_REPLY.decode(out)

    one()
    fetched = server.dispatch(msgspec.msgpack.encode(dp.Fetch("kept")), Caller(5, 7))
    assert fetched is not None and DS_REPLY.decode(fetched) == dp.Data(b"still here")
