"""The zygote: a pre-warmed process that forks every new isolated Pith process.

The kernel forks the zygote once at boot, after Pith's user-space library is
imported, so a new process costs a fork, not a Python start-up. For each spawn
the kernel sends (name, program, args, uid) and the new thread's gate fd; the
zygote double-forks so the new process is re-parented to the kernel (a child
subreaper), which then owns its pidfd and its exit status; once it is, the
process asks to be killed when the kernel dies (PR_SET_PDEATHSIG), so killing
the kernel, even with SIGKILL, leaves no Pith process behind. The new process
names itself `pith:NAME`, enters the sandbox and only then loads its program.
The zygote runs no program code; it touches only its control socket.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import importlib
import os
import signal
import socket
import sys
import traceback

import msgspec
import setproctitle

from pith.kernel.host import sandbox

__all__ = ["Zygote"]

_encode = msgspec.msgpack.encode
PR_SET_PDEATHSIG = 1
Request = tuple[str, str, tuple[str, ...], int | None]
# Imported once in the zygote, before any fork: the library every process runs, the
# posix runtime and shell of user processes, and the stdlib modules commands use.
PREWARM = ("pith.lib.start", "pith.lib.posix.run", "pith.shell.main", "pith.lib.gnu", "_pyio",
           "getopt", "re", "stat", "argparse", "json")
SPAWN_TIMEOUT = 10.0  # seconds for the zygote to answer a spawn before it is replaced


class Zygote:
    """The kernel's handle on the zygote process. It holds nothing but its imports, so one
    that died or stopped answering (killed or stopped from the host, say) is replaced."""

    def __init__(self, prewarm: tuple[str, ...] = ()) -> None:
        self.prewarm = prewarm
        self.sock, self.pid = self._fork()

    def _fork(self) -> tuple[socket.socket, int]:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            try:
                ours.close()
                _serve(theirs, self.prewarm)
            finally:
                os._exit(0)
        theirs.close()
        ours.settimeout(SPAWN_TIMEOUT)
        return ours, pid

    def spawn(self, gate: socket.socket, name: str, program: str, args: tuple[str, ...],
              uid: int | None) -> int:
        """Start a process on `gate`; its host pid."""
        request = _encode((name, program, args, uid))
        for _ in range(2):
            try:
                socket.send_fds(self.sock, [request], [gate.fileno()])
                reply = self.sock.recv(64)
                if reply:
                    return int(msgspec.msgpack.decode(reply))
            except OSError:  # (a timeout is one)
                pass
            self.close()  # (dead or stuck: a new one, with the same imports)
            self.sock, self.pid = self._fork()
        raise ConnectionError("the zygote failed twice in one spawn")

    def close(self) -> None:
        self.sock.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def _die_with(parent: int) -> None:
    """Be killed when `parent` (the kernel) dies, even by SIGKILL: nothing outlives it."""
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)  # it died already


def _serve(ctl: socket.socket, prewarm: tuple[str, ...]) -> None:
    kernel = os.getppid()
    _die_with(kernel)
    setproctitle.setproctitle("pith:zygote")
    os.closerange(3, ctl.fileno())
    os.closerange(ctl.fileno() + 1, 65536)
    for module in PREWARM:  # (so a new process costs a fork, not these imports)
        importlib.import_module(module)
    for module in prewarm:  # (one that fails to import fails later, in its own process)
        with contextlib.suppress(Exception):
            importlib.import_module(module)

    policy = sandbox.default_policy()  # computed once: the paths are the same for all

    while True:
        msg, fds, _, _ = socket.recv_fds(ctl, 1 << 17, 1)
        if not msg:
            return
        name, program, args, uid = msgspec.msgpack.decode(msg, type=Request)
        pid_r, pid_w = os.pipe()
        go_r, go_w = os.pipe()
        middle = os.fork()
        if middle == 0:
            child = os.fork()
            if child == 0:  # (a ^C before it runs Pith's code ends it, as one before exec)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                ctl.close()
                for fd in (pid_r, pid_w, go_w):
                    os.close(fd)
                if os.read(go_r, 1) != b"!":  # (until it is the kernel's child, then it can
                    os._exit(1)  # die with it; nothing: the zygote died, the spawn is off)
                os.close(go_r)
                own = (program.rpartition(":")[0],) if ".py:" in program else ()  # its file
                mine = dataclasses.replace(policy, uid=uid, read_only=policy.read_only + own)
                _child(fds[0], name, program, args, mine, kernel)
            os.write(pid_w, _encode(child))
            os._exit(0)
        for fd in (fds[0], pid_w, go_r):
            os.close(fd)
        child = msgspec.msgpack.decode(os.read(pid_r, 64))
        os.close(pid_r)
        os.waitpid(middle, 0)  # once it is reaped, the new process is the kernel's child
        os.write(go_w, b"!")
        os.close(go_w)
        ctl.send(_encode(child))


def _child(gate: int, name: str, program: str, args: tuple[str, ...],
           policy: sandbox.Policy, kernel: int) -> None:
    """The new process: name it, sandbox it, run its program; never returns."""
    status = 1
    try:
        setproctitle.setproctitle(f"pith:{name}")
        sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115  (its own fds,
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115  not a parent's)
        sandbox.enter(policy)
        _die_with(kernel)  # (after the uid change, which clears the parent-death signal)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # (Python's, as it starts)
        from pith.lib.start import main

        status = main(gate, program, args)
    except KeyboardInterrupt:  # (^C before its program could take it: die of it, as a
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # host process does, no traceback)
        signal.raise_signal(signal.SIGINT)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):  # (a flush that fails must not keep it alive)
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(status)
