"""A vfs over two real tmpfs servers ("/" and "/tmp"), in process, and clients of it.

The stand-in gate also plays the kernel's Memory objects for vfs's data buffers: a test
puts an anonymous shared mapping in a slot (`World.memory`) and sends that slot along."""

from __future__ import annotations

import mmap
import os
from itertools import count
from typing import Any

import msgspec
import pytest

from pith.kernel.core.actions import CapDescription
from pith.kernel.core.errors import InvalidSlot
from pith.lib.server import Caller, Failure, Server, ServiceError
from pith.protocols import fs
from pith.protocols import vfs as vp
from pith.servers.tmpfs.server import TmpfsServer
from pith.servers.vfs.local import Local
from pith.servers.vfs.server import VfsServer

_decoder = msgspec.msgpack.Decoder(vp.VfsReply | Failure)
_slots = count(100)


class Replies:
    """A stand-in gate: records deferred answers by reply slot."""

    def __init__(self) -> None:
        self.sent: dict[int, Any] = {}
        self.gone: set[int] = set()  # reply slots whose caller stopped waiting
        self.memory: dict[int, mmap.mmap] = {}  # slot -> the Memory object's pages
        self.deleted: list[int] = []  # slots vfs deleted, in order

    def reply(self, slot: int, msg: bytes) -> None:
        assert slot not in self.sent, "answered twice"
        if slot in self.gone:
            raise InvalidSlot(f"slot {slot} is empty")
        self.sent[slot] = _decoder.decode(msg)

    def cap_info(self, slot: int) -> CapDescription:
        if slot in self.gone:
            raise InvalidSlot(f"slot {slot} is empty")
        return CapDescription("memory" if slot in self.memory else "reply", slot, 3, 0)

    def cap_delete_if(self, slot: int, obj: int) -> None:
        if obj == slot:  # (an object's id is its first slot here)
            self.cap_delete(slot)

    def memory_map(self, slot: int, writable: bool = False) -> mmap.mmap:
        if slot not in self.memory:
            raise InvalidSlot(f"slot {slot} is empty")
        return self.memory.pop(slot)

    def cap_delete(self, slot: int) -> None:
        self.deleted.append(slot)


class World:
    def __init__(self, *args: str, mounts: tuple[str, ...] = ("/", "/tmp"),
                 servers: dict[str, Server] | None = None,
                 vfs_args: tuple[str, ...] = ()) -> None:
        """Tmpfs servers on `mounts` (with `args`), or else the given `servers` (mount
        path -> a file-system server speaking the fs protocol); vfs gets `vfs_args`."""
        self.servers = servers if servers is not None else {
            m: TmpfsServer({}, args, clock=lambda: 1000) for m in mounts}
        self.root = self.servers["/"]
        self.tmp = self.servers.get("/tmp", self.root)
        self.fs = {m: Local(s, fs.FsReply) for m, s in self.servers.items()}
        self.replies = Replies()
        self.vfs = VfsServer({}, vfs_args,
                             gate_of=lambda: self.replies,  # type: ignore[arg-type, return-value]
                             filesystems=self.fs)

    def client(self, badge: int = 1000) -> Client:
        return Client(self, badge)

    def memory(self, size: int) -> tuple[int, mmap.mmap]:
        """A Memory object of `size` bytes: the slot to send, and the sender's mapping (vfs
        maps the same bytes when it maps the slot, once)."""
        fd = os.memfd_create("harness-memory")
        try:
            os.ftruncate(fd, size)
            mine, theirs = mmap.mmap(fd, size), mmap.mmap(fd, size)
        finally:
            os.close(fd)
        slot = next(_slots)
        self.replies.memory[slot] = theirs
        return slot, mine


class Client:
    def __init__(self, world: World, badge: int) -> None:
        self.world, self.badge = world, badge

    def send(self, request: msgspec.Struct, caps: tuple[int, ...] = ()) -> tuple[Caller, Any]:
        """Dispatch (with `caps`); (the caller, its decoded reply or None when deferred)."""
        caller = Caller(self.badge, next(_slots), caps)
        out = self.world.vfs.dispatch(msgspec.msgpack.encode(request), caller)
        return caller, None if out is None else _decoder.decode(out)

    def __call__(self, request: msgspec.Struct, caps: tuple[int, ...] = ()) -> Any:
        _, reply = self.send(request, caps)
        assert reply is not None, f"{request} was deferred"
        if isinstance(reply, Failure):
            raise ServiceError(reply.error, reply.message)
        return reply

    def err(self, request: msgspec.Struct) -> str:
        with pytest.raises(ServiceError) as e:
            self(request)
        return e.value.error

    def answer(self, caller: Caller) -> Any:
        return self.world.replies.sent.get(caller.reply or -1)

    # shorthands
    def write_file(self, path: str, data: bytes) -> None:
        fd = self(vp.Open(path, vp.O_WRONLY | vp.O_CREAT | vp.O_TRUNC)).fd
        assert self(vp.Write(fd, data)).count == len(data)
        self(vp.Close(fd))

    def read_file(self, path: str) -> bytes:
        fd, out = self(vp.Open(path)).fd, b""
        while chunk := self(vp.Read(fd, vp.MAX_READ)).data:
            out += chunk
        self(vp.Close(fd))
        return out
