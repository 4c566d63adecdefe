"""The console's input inside vfs: chunks the tty driver pushed, and readers waiting for them.

Like pipes.py, nothing here talks to the kernel: each operation returns the
answers it settled, as (caller, reply) pairs. The tty driver pushes cooked input
(`push`): a line, what ^D ended, or b"" — an end of file, which answers exactly
one read with b"" and is then gone. A read takes from the first chunk only, up
to its size and at most one line (a canonical terminal's read), or waits;
readers are served in arrival order. A reader that is no longer waiting (`waiting`,
which vfs answers from the kernel: a signal interrupted its read, and its thread was
ended) is skipped and takes no input with it. `flush` (^C) drops the typed-ahead input
and answers every waiting reader EINTR. Typed-ahead bytes are bounded by
TYPEAHEAD: a push beyond it is refused with EAGAIN (the driver tries again later).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from pith.lib.server import Caller, Failure, ServiceError
from pith.protocols.vfs import Data
from pith.servers.vfs.pipes import Answers

__all__ = ["TYPEAHEAD", "Console"]

TYPEAHEAD = 64 * 1024


@dataclass(eq=False)
class Console:
    chunks: deque[bytes] = field(default_factory=deque)
    size: int = 0  # bytes in `chunks`
    reads: deque[tuple[Caller, int]] = field(default_factory=deque)
    waiting: Callable[[Caller], bool] = lambda caller: True  # does the reader still wait?

    def push(self, data: bytes) -> Answers:
        if self.size and self.size + len(data) > TYPEAHEAD:
            raise ServiceError("EAGAIN", "the console's typed-ahead input is full")
        self.chunks.append(data)
        self.size += len(data)
        return self.pump()

    def read(self, caller: Caller, size: int) -> Answers:
        self.reads.append((caller, size))
        return self.pump()

    def flush(self) -> Answers:
        answers: Answers = [(c, Failure("EINTR", "interrupted")) for c, _ in self.reads]
        self.chunks.clear()
        self.reads.clear()
        self.size = 0
        return answers

    def cancel(self, badge: int) -> None:
        """Drop the waits of callers with `badge` (they are gone)."""
        self.reads = deque(r for r in self.reads if r[0].badge != badge)

    def badges(self) -> set[int]:
        """The badges of the callers waiting to read."""
        return {c.badge for c, _ in self.reads}

    def pump(self) -> Answers:
        answers: Answers = []
        while self.reads and (self.chunks or not self.reads[0][1]):
            caller, size = self.reads.popleft()
            if self.waiting(caller):
                answers.append((caller, Data(self._take(size))))
        return answers

    def _take(self, size: int) -> bytes:
        if not size:
            return b""
        chunk = self.chunks.popleft()
        end = min(size, chunk.find(b"\n") + 1 or len(chunk))
        if end < len(chunk):
            self.chunks.appendleft(chunk[end:])
        self.size -= end
        return chunk[:end]
