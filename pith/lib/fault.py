"""Faults a server can be told to commit on itself: the in-server half of `pith inject`.

rs forwards `Inject(kind)` (pith/lib/server.py) on a service's endpoint with a cap
badged `INJECT_BADGE`, which only rs mints; the framework then arms a `Fault`:

    exception      the next request's handler raises: the server dies (rs restarts it)
    deadlock       the next request's handler waits on a lock nobody releases: the
                   server is alive but answers nothing more (rs's heartbeat finds it)
    leak           every request from now on keeps LEAK_CHUNK bytes of address space,
                   until the allocation fails (isolated servers have a 1 GiB RLIMIT_AS;
                   in the kernel process, with no limit, it fails at LEAK_MAX as the
                   rlimit would): MemoryError, and the server dies
    corrupt-reply  the next reply is garbage bytes: the client's `Client.call` raises
                   `BadReply` (EBADMSG) instead of decoding it
    corrupt-state  at once: one bit of the server's in-memory data flips (a cached block,
                   a file's bytes), or, if it holds no bytes, one entry of its tables is
                   dropped; what notices is whoever reads it next (a client's checksum)
"""

from __future__ import annotations

import random
import threading
from typing import Any

__all__ = ["HOOK_KINDS", "LEAK_CHUNK", "LEAK_MAX", "Fault", "InjectedFault", "corrupt_state"]

HOOK_KINDS = ("exception", "deadlock", "leak", "corrupt-reply", "corrupt-state")
LEAK_CHUNK = 128 << 20  # address space kept per request (calloc'd, never touched: cheap)
LEAK_MAX = 1 << 30  # a leak in a process without RLIMIT_AS fails here, as the rlimit would
GARBAGE = b"\xc1"  # a byte msgpack never uses: no decoder accepts a reply starting with it


class InjectedFault(RuntimeError):
    """The exception an `exception` fault raises in a handler."""


class Fault:
    """An armed fault: `before` runs ahead of each request's handler, `after` on its reply."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.leaked: list[bytes] = []

    def before(self) -> None:
        if self.kind == "exception":
            raise InjectedFault("injected fault: exception in a handler")
        if self.kind == "deadlock":
            lock = threading.Lock()
            lock.acquire()
            lock.acquire()  # (nobody releases it: this thread waits for ever)
        if self.kind == "leak":
            if (len(self.leaked) + 1) * LEAK_CHUNK > LEAK_MAX:
                raise MemoryError(f"injected leak: {len(self.leaked) * LEAK_CHUNK >> 20} MiB")
            self.leaked.append(bytes(LEAK_CHUNK))  # (calloc: pages never touched)

    def after(self, reply: bytes) -> tuple[bytes, bool]:
        """The reply to send, and whether the fault is spent."""
        if self.kind == "corrupt-reply":
            return GARBAGE + random.randbytes(max(1, len(reply) - 1)), True
        return reply, False


def corrupt_state(root: object, rng: random.Random, depth: int = 5) -> str:
    """Flip one bit of the bytes `root` holds (searched through its attributes, dicts and
    lists, `depth` levels down); with none, drop one entry of a dict. What it did."""
    data: list[tuple[Any, Any, str]] = []  # (container, key, path) of a bytes value
    tables: list[tuple[dict[Any, Any], str]] = []
    seen: set[int] = set()

    def walk(obj: Any, path: str, level: int) -> None:
        if id(obj) in seen or level > depth:
            return
        seen.add(id(obj))
        if isinstance(obj, dict):
            if obj and path:
                tables.append((obj, path))
            items: Any = list(obj.items())
        elif isinstance(obj, list):
            items = list(enumerate(obj))
        elif type(obj).__module__.startswith("pith.") and hasattr(obj, "__dict__"):
            items = [(k, v) for k, v in vars(obj).items() if k not in ("caps", "args")]
        else:
            return
        for key, value in items:
            where = f"{path}.{key}" if isinstance(key, str) else f"{path}[{key!r}]"
            if isinstance(value, (bytes, bytearray)) and value:
                data.append((obj, key, where))
            else:
                walk(value, where, level + 1)

    walk(root, "", 0)
    if data:
        holder, key, where = rng.choice(data)
        old = holder[key] if isinstance(holder, (dict, list)) else getattr(holder, key)
        at, bit = rng.randrange(len(old)), 1 << rng.randrange(8)
        new = bytearray(old)
        new[at] ^= bit
        if isinstance(old, bytearray):
            old[at] ^= bit
        elif isinstance(holder, (dict, list)):
            holder[key] = bytes(new)
        else:
            setattr(holder, key, bytes(new))
        return f"flipped bit {bit.bit_length() - 1} of byte {at} of {where.lstrip('.')}"
    if tables:
        table, where = rng.choice(tables)
        key = rng.choice(list(table))
        del table[key]
        return f"dropped {where.lstrip('.')}[{key!r}]"
    return "nothing to corrupt"

