"""The zygote: a pre-warmed process that forks every new isolated Pith process.

The kernel forks the zygote once at boot, after Pith's user-space library is
imported, so a new process costs a fork, not a Python start-up. For each spawn
the kernel sends (name, program, args, uid) and the new thread's gate fd; the
zygote double-forks so the new process is re-parented to the kernel (a child
subreaper), which then owns its pidfd and its exit status. The new process
names itself `pith:NAME`, enters the sandbox and only then loads its program.
The zygote runs no program code; it touches only its control socket.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import sys
import traceback

import msgspec
import setproctitle

from pith.kernel.host import sandbox

__all__ = ["Zygote"]

_encode = msgspec.msgpack.encode
Request = tuple[str, str, tuple[str, ...], int | None]


class Zygote:
    """The kernel's handle on the zygote process."""

    def __init__(self) -> None:
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.pid = os.fork()
        if self.pid == 0:
            try:
                self.sock.close()
                _serve(theirs)
            finally:
                os._exit(0)
        theirs.close()

    def spawn(self, gate: socket.socket, name: str, program: str, args: tuple[str, ...],
              uid: int | None) -> int:
        """Start a process on `gate`; its host pid."""
        socket.send_fds(self.sock, [_encode((name, program, args, uid))], [gate.fileno()])
        return int(msgspec.msgpack.decode(self.sock.recv(64)))

    def close(self) -> None:
        self.sock.close()
        os.waitpid(self.pid, 0)


def _serve(ctl: socket.socket) -> None:
    setproctitle.setproctitle("pith:zygote")
    os.closerange(3, ctl.fileno())
    os.closerange(ctl.fileno() + 1, 65536)
    import pith.lib.start  # noqa: F401  (pre-warm: the library every process runs)

    policy = sandbox.default_policy()  # computed once: the paths are the same for all

    while True:
        msg, fds, _, _ = socket.recv_fds(ctl, 1 << 17, 1)
        if not msg:
            return
        name, program, args, uid = msgspec.msgpack.decode(msg, type=Request)
        pid_r, pid_w = os.pipe()
        middle = os.fork()
        if middle == 0:
            child = os.fork()
            if child == 0:
                ctl.close()
                os.close(pid_r)
                os.close(pid_w)
                own = (program.rpartition(":")[0],) if ".py:" in program else ()  # its file
                mine = dataclasses.replace(policy, uid=uid, read_only=policy.read_only + own)
                _child(fds[0], name, program, args, mine)
            os.write(pid_w, _encode(child))
            os._exit(0)
        os.close(fds[0])
        os.close(pid_w)
        child = msgspec.msgpack.decode(os.read(pid_r, 64))
        os.close(pid_r)
        os.waitpid(middle, 0)  # once it is reaped, the new process is the kernel's child
        ctl.send(_encode(child))


def _child(gate: int, name: str, program: str, args: tuple[str, ...],
           policy: sandbox.Policy) -> None:
    """The new process: name it, sandbox it, run its program; never returns."""
    status = 1
    try:
        setproctitle.setproctitle(f"pith:{name}")
        sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115  (its own fds,
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115  not a parent's)
        sandbox.enter(policy)
        from pith.lib.start import main

        status = main(gate, program, args)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
