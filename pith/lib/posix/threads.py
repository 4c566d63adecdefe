"""Kernel threads for a user process: one per Python thread that makes a syscall, made lazily.

A spare kernel thread, made at start-up and used only under a lock, makes the
others: a new Python thread gets its gate on its first syscall (the gate factory
of pith.lib.syscall), and a gate left owing a result (a signal handler raised
while it waited) is swapped for a fresh one instead of waiting for that result.
"""

from __future__ import annotations

import socket
import threading

from pith.lib.syscall import Gate, SocketGate, gate, set_gate_factory

__all__ = ["fresh_gate", "start"]

_lock = threading.Lock()
_spare: list[Gate] = []  # the thread-maker's gate, used under _lock only


def fresh_gate() -> SocketGate:
    """A new kernel thread's gate (itself renewable)."""
    with _lock:
        made = _spare[0].thread_create()
    assert isinstance(made, SocketGate)
    made.renew = _fresh_socket
    return made


def _fresh_socket() -> socket.socket:
    return fresh_gate().sock


def start() -> None:
    """Make the spare kernel thread; let this thread's gate, and new threads', be renewed."""
    main = gate()
    _spare[:] = [main.thread_create()]
    if isinstance(main, SocketGate):
        main.renew = _fresh_socket
    set_gate_factory(fresh_gate)
