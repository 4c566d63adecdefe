"""Pipes inside vfs: a bounded buffer with queues of callers waiting to read or write.

Nothing here talks to the kernel: each operation returns the answers it
settled, as (caller, reply) pairs, and the server sends them (a reply to the
caller of the operation itself is among them when it need not wait). Reads
and writes are served in arrival order. A read takes what is buffered (up to
its size) or waits; with no writers left it gets b"" (end of file). A write
waits until all its bytes are in the buffer; one of at most PIPE_BUF bytes
goes in whole or not at all. With no readers left a write fails with EPIPE,
or, if some of its bytes went in, answers with that count. A reader no longer
waiting (`waiting`: a signal interrupted its read) is skipped and takes no bytes.

All pipes share one `PipeMemory`: the bytes they buffer and the bytes waiting writes
carry. A write that would take it past its limit (PIPE_MEMORY, well within vfs's
1 GiB address space) is refused with ENOMEM rather than held, so processes filling
thousands of pipes nobody reads get an error instead of making vfs run out of memory
(and die, with every process's descriptors). A pipe with no reader left drops its
buffer at once (nobody can read it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import msgspec

from pith.lib.server import Caller, Failure
from pith.protocols.vfs import Data, Written

__all__ = ["CAPACITY", "PIPE_BUF", "PIPE_MEMORY", "Answers", "Pipe", "PipeMemory"]

CAPACITY = 64 * 1024
PIPE_BUF = 4096
PIPE_MEMORY = 256 * 1024 * 1024  # bytes all pipes together may hold

Answers = list[tuple[Caller, msgspec.Struct]]


@dataclass(eq=False)
class _Writing:
    caller: Caller
    data: bytes
    done: int = 0


@dataclass
class PipeMemory:
    """The bytes all pipes hold: buffered, and carried by writes waiting for room."""

    limit: int = PIPE_MEMORY
    used: int = 0


@dataclass(eq=False)
class Pipe:
    id: int
    readers: int = 1  # open read descriptions
    writers: int = 1  # open write descriptions
    buf: bytearray = field(default_factory=bytearray)
    reads: deque[tuple[Caller, int]] = field(default_factory=deque)
    writes: deque[_Writing] = field(default_factory=deque)
    waiting: Callable[[Caller], bool] = lambda caller: True  # does a reader still wait?
    memory: PipeMemory = field(default_factory=PipeMemory)  # shared by all of vfs's pipes

    def read(self, caller: Caller, size: int) -> Answers:
        held = self.held()
        self.reads.append((caller, size))
        return self._counted(held, self.pump())

    def write(self, caller: Caller, data: bytes) -> Answers:
        if self.readers == 0:
            return [(caller, Failure("EPIPE", "no reader on the pipe"))]
        if self.memory.used + len(data) > self.memory.limit:
            return [(caller, Failure("ENOMEM", f"vfs's pipes hold {self.memory.used} bytes "
                                     "nobody has read; no room for more"))]
        held = self.held()
        self.writes.append(_Writing(caller, data))
        return self._counted(held, self.pump())

    def close(self, writing: bool) -> Answers:
        held = self.held()
        if writing:
            self.writers -= 1
        else:
            self.readers -= 1
        return self._counted(held, self.pump())

    def cancel(self, badge: int) -> None:
        """Drop the waits of callers with `badge` (they are gone)."""
        held = self.held()
        self.reads = deque(r for r in self.reads if r[0].badge != badge)
        self.writes = deque(w for w in self.writes if w.caller.badge != badge)
        self._counted(held, [])

    def held(self) -> int:
        """The bytes this pipe holds: its buffer and its waiting writes' data."""
        return len(self.buf) + sum(len(w.data) for w in self.writes)

    def _counted(self, before: int, answers: Answers) -> Answers:
        self.memory.used += self.held() - before
        return answers

    def pump(self) -> Answers:
        answers: Answers = []
        while self._fill(answers) + self._drain(answers):
            pass
        if self.writers == 0:
            answers += [(c, Data(b"")) for c, _ in self.reads]
            self.reads.clear()
        if self.readers == 0:
            answers += [(w.caller, Written(w.done) if w.done else
                         Failure("EPIPE", "no reader on the pipe")) for w in self.writes]
            self.writes.clear()
            self.buf.clear()  # (nobody can read it any more)
        return answers

    def _fill(self, answers: Answers) -> int:
        """Move waiting writers' bytes into the buffer; how many moved."""
        moved = 0
        while self.writes and self.readers:
            w, room = self.writes[0], CAPACITY - len(self.buf)
            left = len(w.data) - w.done
            if room < left and (len(w.data) <= PIPE_BUF or room == 0):
                break  # an atomic write waits for room for all of it
            n = min(room, left)
            self.buf += w.data[w.done : w.done + n]
            w.done, moved = w.done + n, moved + n
            if w.done < len(w.data):
                break
            answers.append((w.caller, Written(w.done)))
            self.writes.popleft()
        return moved

    def _drain(self, answers: Answers) -> int:
        """Hand buffered bytes to waiting readers; how many readers were served."""
        served = 0
        while self.reads and (self.buf or not self.reads[0][1]):
            caller, size = self.reads.popleft()
            if not self.waiting(caller):
                continue  # (a signal interrupted its read: the bytes stay for the next)
            answers.append((caller, Data(bytes(self.buf[:size]))))
            del self.buf[:size]
            served += 1
        return served
