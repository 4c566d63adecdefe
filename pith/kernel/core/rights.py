"""Capability rights and the kernel's fixed limits.

Rights are a small bit set carried by every capability. Inside the core they are
plain ints (IntFlag arithmetic is slow on the IPC path); `Rights` names the bits.

    READ   receive on an endpoint; wait/poll a notification; map a Memory or
           open a Device for reading; query or watch a process; read the trace.
    WRITE  send/call on an endpoint; signal a notification; map or open
           writable; kill a process; use a spawn/scheduling/trace control cap.
    GRANT  pass capabilities in messages through this endpoint, and accept
           capabilities in the replies to calls made through it.

Rights never grow: copy and mint take a subset, transfer keeps them.
"""

from __future__ import annotations

import enum

__all__ = [
    "ALL", "GRANT", "MAX_ARGS", "MAX_BADGE", "MAX_BITS", "MAX_CAPS_PER_MESSAGE",
    "MAX_CAPS_PER_SPAWN", "MAX_MEMORIES", "MAX_MEMORY", "MAX_MEMORY_TOTAL", "MAX_MESSAGE",
    "MAX_NAME", "MAX_THREADS", "MAX_TIMEOUT", "MAX_WATCHERS",
    "READ", "TRACE_BUFFER", "WRITE", "Rights"
]


class Rights(enum.IntFlag):
    """The rights a capability carries (for display and for callers' arguments)."""

    NONE = 0
    READ = 1
    WRITE = 2
    GRANT = 4
    ALL = 7


READ = 1
WRITE = 2
GRANT = 4
ALL = READ | WRITE | GRANT

MAX_MESSAGE = 64 * 1024  # bytes of payload in one message
MAX_CAPS_PER_MESSAGE = 4  # capabilities carried by one message or reply
MAX_CAPS_PER_SPAWN = 64  # capabilities handed to a new process
MAX_BADGE = 2**63 - 1  # badges are 1..MAX_BADGE; 0 means "unbadged"
MAX_BITS = 2**64 - 1  # a notification word is 64 bits
MAX_MEMORY = 1 << 30  # the largest Memory object, in bytes
MAX_MEMORY_TOTAL = 4 << 30  # bytes of all Memory objects alive at once (host shared memory)
MAX_MEMORIES = 4096  # Memory objects alive at once (each is a memfd in the kernel process)
MAX_TIMEOUT = 1e9  # seconds (31 years): a longer timeout is refused, use None
MAX_NAME = 64  # characters in a process name
MAX_ARGS = 64  # arguments handed to a new program
MAX_THREADS = 64  # threads in one process
MAX_WATCHERS = 16  # death watchers on one process
TRACE_BUFFER = 4096  # trace records kept before the oldest are dropped
