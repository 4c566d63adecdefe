"""Memory objects: shared memory, mapped by whoever holds a capability to it.

The core only tracks the object and who may map it how; the host backs each
Memory with a memfd (CreateMemory / FreeMemory) and hands out a read-only or
writable fd when MemoryMap succeeds (the `Handle` result). Invariant: `k.memories`
and `k.memory_bytes` count the Memory objects alive and their sizes; a create past
MAX_MEMORIES or MAX_MEMORY_TOTAL fails with OUT_OF_MEMORY (the host's fds and shared
memory are finite, and a process's RLIMIT_AS does not count them). A read-only grant
is enforced by the host: it passes an fd opened O_RDONLY, which mmap cannot
map writable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pith.kernel.core.actions import Created, CreateMemory, FreeMemory, Handle
from pith.kernel.core.errors import InvalidArgument, OutOfMemory
from pith.kernel.core.kobject import KernelObject
from pith.kernel.core.rights import MAX_MEMORIES, MAX_MEMORY, MAX_MEMORY_TOTAL, READ, WRITE
from pith.kernel.core.syscalls import MemoryCreate, MemoryMap

if TYPE_CHECKING:
    from pith.kernel.core.kernel import Kernel
    from pith.kernel.core.thread import Thread

__all__ = ["Memory", "do_memory_create", "do_memory_map"]


class Memory(KernelObject):
    __slots__ = ("size",)
    kind = "memory"

    def __init__(self, oid: int, size: int) -> None:
        super().__init__(oid)
        self.size = size

    def destroy(self, k: Kernel) -> None:
        k.memories, k.memory_bytes = k.memories - 1, k.memory_bytes - self.size
        k.out.append(FreeMemory(self.oid))

    def describe(self) -> tuple[object, ...]:
        return (self.oid, self.kind, self.ncaps, self.size)


def do_memory_create(k: Kernel, t: Thread, c: MemoryCreate) -> None:
    size = c.size
    if not 0 < size <= MAX_MEMORY:
        raise InvalidArgument(f"memory size must be 1..{MAX_MEMORY} bytes, not {size}")
    if k.memories >= MAX_MEMORIES or k.memory_bytes + size > MAX_MEMORY_TOTAL:
        raise OutOfMemory(f"Memory objects alive: {k.memories} of {MAX_MEMORIES}, "
                          f"{k.memory_bytes} + {size} bytes of {MAX_MEMORY_TOTAL}")
    mem, slot = k.create(t, lambda oid: Memory(oid, size))
    k.memories, k.memory_bytes = k.memories + 1, k.memory_bytes + size
    k.out.append(CreateMemory(mem.oid, size))
    k.resume(t, Created(slot, mem.oid))


def do_memory_map(k: Kernel, t: Thread, c: MemoryMap) -> None:
    cap = k.lookup(t, c.slot, Memory, READ | (WRITE if c.writable else 0))
    mem = cap.obj
    assert isinstance(mem, Memory)
    k.resume(t, Handle("memory", mem.oid, c.writable, mem.size))
