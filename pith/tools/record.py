"""Recording the kernel: every event the host feeds the core, and the actions it got back.

The core is a pure state machine (pith/kernel/core/kernel.py), so the stream of its
inputs is the whole run: `Recording` is a `Kernel` that appends each input to one file
as it goes (`pith boot --record FILE`, `pith trace --record FILE`), and `pith replay`
feeds the file to a fresh core and compares the actions. Nothing else is read by the
core: time comes in Ticks, ids from its own counter, and it has no randomness.

The file: the 8 bytes `PITHREC1`, then frames of a 4-byte big-endian length and a
MessagePack `Entry`, appended with one write(2) each (a run killed midway leaves every
entry before the kill).
An entry is the event number, the host's monotonic clock in ns (for traces only:
replay ignores it), the input (`Boot`, `Syscall` or another core event, as a
`kind` and its MessagePack) and the actions the core returned, each as its type's
name and its MessagePack.

The recording core is installed by a host hook before boot (`hook`); with no
recording the host runs the plain `Kernel`, so recording costs nothing when off.
"""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from pith.kernel.core import Kernel
from pith.kernel.core.actions import Action
from pith.kernel.core.events import DeviceReady, Event, ProcessExited, Syscall, ThreadExited, Tick
from pith.kernel.core.kernel import BootInfo
from pith.kernel.core.syscalls import SyscallRequest

if TYPE_CHECKING:
    from pith.kernel.host.loop import Host

__all__ = ["Boot", "Entry", "RecordError", "Recording", "apply", "decode_event", "entries",
           "hook", "out_of"]

MAGIC = b"PITHREC1"
_HEADER = struct.Struct(">I")
_encode = msgspec.msgpack.Encoder().encode
_entry_decoder = msgspec.msgpack.Decoder()


class RecordError(Exception):
    """A recording that cannot be read (not one, or cut in the middle of an entry)."""


class Boot(msgspec.Struct, frozen=True):
    """The core's boot call: its arguments."""

    name: str
    devices: tuple[str, ...]
    program: str
    args: tuple[str, ...]


Input = Boot | Syscall | ProcessExited | ThreadExited | Tick | DeviceReady
KINDS: dict[str, type[Input]] = {
    "boot": Boot, "syscall": Syscall, "exited": ProcessExited, "thread-exited": ThreadExited,
    "tick": Tick, "device": DeviceReady,
}
_KIND_OF = {cls: kind for kind, cls in KINDS.items()}
_DECODERS = {kind: msgspec.msgpack.Decoder(cls) for kind, cls in KINDS.items()}


class Entry(msgspec.Struct, frozen=True, array_like=True):
    """One input to the core and what came out."""

    n: int
    ns: int
    kind: str
    event: bytes
    out: list[tuple[str, bytes]]


def out_of(actions: Sequence[Action]) -> list[tuple[str, bytes]]:
    """Actions as they are recorded and compared: type name and MessagePack."""
    return [(type(a).__name__, _encode(a)) for a in actions]


def decode_event(entry: Entry) -> Input:
    """The input an entry records."""
    try:
        return _DECODERS[entry.kind].decode(entry.event)
    except (KeyError, msgspec.DecodeError) as e:
        raise RecordError(f"entry {entry.n}: cannot decode a {entry.kind!r} event: {e}") from None


def apply(k: Kernel, event: Input) -> list[Action]:
    """Feed `event` to core `k` the way the host did; the actions it returns."""
    if isinstance(event, Boot):
        return k.boot(event.name, event.devices, event.program, event.args)[1]
    if isinstance(event, Syscall):
        return k.syscall(event.tid, event.call)
    return k.handle(event)


class Recording(Kernel):
    """A core that appends every input and its actions to the file `path` (made 0600)."""

    def __init__(self, path: Path, clock: Callable[[], int] = time.monotonic_ns) -> None:
        super().__init__()
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND
                          | os.O_CLOEXEC, 0o600)
        self.n = 0
        self.clock = clock
        os.write(self.fd, MAGIC)

    def _log(self, event: Input, actions: Sequence[Action]) -> None:
        self.n += 1
        entry = Entry(self.n, self.clock(), _KIND_OF[type(event)], _encode(event), out_of(actions))
        frame = _encode(entry)
        os.write(self.fd, _HEADER.pack(len(frame)) + frame)

    def boot(self, name: str = "root", devices: Sequence[str] = (), program: str = "",
             args: tuple[str, ...] = ()) -> tuple[BootInfo, list[Action]]:
        info, actions = super().boot(name, devices, program, args)
        self._log(Boot(name, tuple(devices), program, tuple(args)), actions)
        return info, actions

    def handle(self, event: Event) -> list[Action]:
        if isinstance(event, Syscall):  # (recorded by syscall)
            return super().handle(event)
        actions = super().handle(event)
        self._log(event, actions)
        return actions

    def syscall(self, tid: int, call: SyscallRequest) -> list[Action]:
        actions = super().syscall(tid, call)
        self._log(Syscall(tid, call), actions)
        return actions

    def close(self) -> None:
        os.close(self.fd)


def hook(path: Path) -> Callable[[Host], None]:
    """A host hook that makes the host run a `Recording` core writing to `path`."""

    def install(host: Host) -> None:
        host.k = core = Recording(path)
        shutdown = host.shutdown

        def close() -> None:
            shutdown()
            core.close()

        host.shutdown = close  # type: ignore[method-assign]

    return install


def entries(path: Path) -> Iterator[Entry]:
    """The entries of the recording at `path`, in order."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise RecordError(f"{path}: {e.strerror}") from None
    if not data.startswith(MAGIC):
        raise RecordError(f"{path}: not a Pith recording (no {MAGIC.decode()} header)")
    at, n = len(MAGIC), 0
    while at < len(data):
        n += 1
        if at + 4 > len(data):
            raise RecordError(f"{path}: cut short in entry {n}, at byte {at}")
        (size,) = _HEADER.unpack_from(data, at)
        frame = data[at + 4:at + 4 + size]
        if len(frame) < size:
            raise RecordError(f"{path}: cut short in entry {n}, at byte {at}")
        try:
            entry = msgspec.msgpack.decode(frame, type=Entry)
        except msgspec.DecodeError as e:
            raise RecordError(f"{path}: entry {n}, at byte {at}: corrupt: {e}") from None
        if entry.n != n:
            raise RecordError(f"{path}: entry {n}, at byte {at}: corrupt: numbered {entry.n}")
        yield entry
        at += 4 + size


def describe_out(out: Sequence[tuple[str, bytes]]) -> list[Any]:
    """Recorded actions, readable: [type name, fields]."""
    return [[name, _entry_decoder.decode(raw)] for name, raw in out]
