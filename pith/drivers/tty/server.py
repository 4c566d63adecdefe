"""tty: the console driver. The host terminal is Pith's console; the editing is Pith's own.

It holds three Devices: `console_in`, `console_out`, `console_err` (the host's fds
0, 1, 2). When console_in is a terminal it is put in raw mode (no host echo, no
host line editing, no host signals; output processing kept, so "\\n" prints as
CR LF) and `Discipline` (discipline.py) does what a canonical terminal does: echo, backspace,
^U, ^W, ^D, ^C, ^\\. Each finished line goes to vfs (`ConsoleInput`), which
keeps the typed-ahead input and the waiting readers (pith/protocols/tty.py). When
console_in is a pipe, a file or /dev/null, each chunk read goes to vfs as it is,
with no echo, and its end is pushed once as b"".

Two threads, because vfs calls tty (`Output`) while tty calls vfs:
- the server thread serves the "tty" endpoint: `Output` (written fully to host
  fd 1, or 2 when `err`), `SetForeground`/`GetForeground`, `WindowSize`;
- the input thread waits for console_in's interrupt, reads, runs the
  discipline, and calls vfs (`ConsoleInput`, `ConsoleFlush`) and pm (`Kill` of
  the foreground group; without a "pm" cap, no signal).
`lock` guards what both touch: writes to the output fds and `foreground`.

The saved terminal settings are restored by `stop()` and when an exception
leaves either thread. A tty restarted by rs sets raw mode again; the foreground
group is lost (0: no signals until a shell sets it again).
"""

from __future__ import annotations

import contextlib
import os
import select
import termios
import threading
from typing import Any

from pith.drivers.tty.discipline import Discipline
from pith.kernel.core.errors import KernelError, Timeout
from pith.kernel.core.rights import WRITE
from pith.lib.server import USER_BADGES, Caller, Client, Server, ServiceError
from pith.lib.syscall import gate, with_gate
from pith.protocols.pm import Kill
from pith.protocols.tty import (
    ConsoleFlush,
    ConsoleInput,
    ConsoleKinds,
    Done,
    Foreground,
    GetForeground,
    Kinds,
    Lend,
    Output,
    SetForeground,
    Size,
    TtyRequest,
    WindowSize,
    Written,
)

__all__ = ["TTY_BADGE", "TtyServer"]

TTY_BADGE = 2  # tty's badge at vfs (a system badge: ConsoleInput, ConsoleFlush; pm has 1)
CHUNK = 4096  # bytes read from console_in at a time
RETRY = 0.02  # seconds before pushing again input vfs refused as too much (EAGAIN)


# --- the driver ---------------------------------------------------------------------


class TtyServer(Server):
    requests = TtyRequest
    endpoint = "tty"

    def setup(self) -> None:
        g = self.gate_of()
        self.fd_in, self.fd_out, self.fd_err = (
            g.device_open(self.caps[name], writable=True)
            for name in ("console_in", "console_out", "console_err"))
        vfs = self.caps["vfs"]  # (unbadged from rs: tty mints its system badge, as pm does)
        self.vfs = vfs if g.cap_info(vfs).badge else g.cap_mint(vfs, WRITE, TTY_BADGE)
        self.lock = threading.Lock()
        self.foreground = 0  # guarded by lock
        self.stopping = False
        self.lent = False  # the terminal is lent (to a debugger): input is not ours to read
        self.taken_back = g.notification_create()  # signalled when the lending ends
        self.saved = raw_mode(self.fd_in)
        try:
            worker = g.thread_create()
            threading.Thread(target=with_gate(worker, self.input_loop), daemon=True).start()
        except BaseException:
            self.restore_terminal()
            raise

    def restore_terminal(self) -> None:
        """Put the terminal back as it was (once)."""
        saved, self.saved = self.saved, None
        if saved is not None:
            with contextlib.suppress(termios.error):
                termios.tcsetattr(self.fd_in, termios.TCSADRAIN, saved)

    def stop(self) -> None:
        self.stopping = True
        self.restore_terminal()

    def dispatch(self, msg: bytes, caller: Caller) -> bytes | None:
        try:
            return super().dispatch(msg, caller)
        except BaseException:
            self.restore_terminal()
            raise

    # -- the endpoint -------------------------------------------------------------

    def do_output(self, request: Output, caller: Caller) -> Written:
        try:
            self.write(self.fd_err if request.err else self.fd_out, request.data)
        except OSError as e:
            raise ServiceError("EIO", f"console output: {e.strerror}") from e
        return Written(len(request.data))

    def do_set_foreground(self, request: SetForeground, caller: Caller) -> Done:
        if request.pgid < 0:
            raise ServiceError("EINVAL", f"bad process group {request.pgid}")
        with self.lock:
            self.foreground = request.pgid
        return Done()

    def do_get_foreground(self, request: GetForeground, caller: Caller) -> Foreground:
        with self.lock:
            return Foreground(self.foreground)

    def do_lend(self, request: Lend, caller: Caller) -> Done:
        if caller.badge >= USER_BADGES:
            raise ServiceError("EPERM", "only system servers borrow the terminal")
        if request.lent and not self.lent:
            self.lent = True
            if self.saved is not None:
                with contextlib.suppress(termios.error):
                    termios.tcsetattr(self.fd_in, termios.TCSADRAIN, self.saved)
        elif not request.lent and self.lent:
            if self.saved is not None:
                raw_mode(self.fd_in)
            self.lent = False
            self.gate_of().signal(self.taken_back, 1)
        return Done()

    def do_kinds(self, request: Kinds, caller: Caller) -> ConsoleKinds:
        return ConsoleKinds(*(os.isatty(fd) for fd in (self.fd_in, self.fd_out, self.fd_err)))

    def do_window_size(self, request: WindowSize, caller: Caller) -> Size:
        """The terminal's size; 80x24 when it is not a terminal or does not know (0)."""
        for fd in (self.fd_out, self.fd_in):
            with contextlib.suppress(OSError):
                size = os.get_terminal_size(fd)
                return Size(size.columns or 80, size.lines or 24)
        return Size(80, 24)

    def write(self, fd: int, data: bytes) -> None:
        """All of `data` to host `fd` (waiting out a full, non-blocking terminal)."""
        view = memoryview(data)
        with self.lock:
            while view:
                try:
                    view = view[os.write(fd, view):]
                except BlockingIOError:
                    select.select([], [fd], [])

    # -- the input thread -----------------------------------------------------------

    def input_loop(self) -> None:
        """Wait for input, cook it, hand it on; until console_in ends (not a terminal)."""
        g = gate()
        irq = g.notification_create()
        self.idle = g.notification_create()  # signalled by nobody: a wait on it is a pause
        vfs = Client(self.vfs, Done)
        pm = Client(self.caps["pm"], Done) if "pm" in self.caps else None
        line = Discipline() if self.saved is not None else None
        try:
            while not self.stopping:
                g.device_irq(self.caps["console_in"], irq)
                g.wait(irq)
                if self.lent:  # (the input is a debugger's now: wait for it to end)
                    g.wait(self.taken_back)
                    continue
                try:
                    data = os.read(self.fd_in, CHUNK)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""  # (a terminal hung up: EIO)
                if line is None:
                    self.push(vfs, data, retry=True)
                    if not data:
                        return  # end of input, pushed once
                    continue
                cooked = line.feed(data)
                if cooked.echo:
                    self.write(self.fd_out, cooked.echo)
                for event in cooked.events:
                    if isinstance(event, bytes):
                        self.push(vfs, event, retry=False)
                    else:
                        self.interrupt(vfs, pm, event)
        except ConnectionError:
            self.restore_terminal()  # the kernel closed the gate: this process is being stopped
        except BaseException:
            self.restore_terminal()
            raise

    def push(self, vfs: Client, data: bytes, retry: bool) -> None:
        """ConsoleInput to vfs. Too much typed ahead (EAGAIN): piped input waits and tries
        again; typed input is dropped, as a full terminal queue drops it."""
        while not self.stopping:
            try:
                vfs.call(ConsoleInput(data))
                return
            except ServiceError as e:
                if e.error != "EAGAIN" or not retry:
                    return
            except KernelError:
                return  # vfs died: what it held is lost anyway
            with contextlib.suppress(Timeout):
                gate().wait(self.idle, timeout=RETRY)

    def interrupt(self, vfs: Client, pm: Client | None, signo: int) -> None:
        """^C or ^\\: drop the typed-ahead input (waiting readers get EINTR) and signal
        the foreground group."""
        with contextlib.suppress(ServiceError, KernelError):
            vfs.call(ConsoleFlush())
        with self.lock:
            group = self.foreground
        if pm is not None and group > 0:
            with contextlib.suppress(ServiceError, KernelError):
                pm.call(Kill(-group, signo))


def raw_mode(fd: int) -> Any:
    """Put terminal `fd` in raw-ish mode; its settings to restore (None: not a terminal).

    Settings found already raw (a tty that died without restoring them) are saved as
    cooked, so what is restored is a usable terminal."""
    try:
        saved = termios.tcgetattr(fd)
    except termios.error:
        return None
    iflag_off, lflag_off = termios.IXON | termios.ICRNL, (
        termios.ICANON | termios.ECHO | termios.ISIG | termios.IEXTEN)
    if not saved[3] & termios.ICANON:
        saved[0] |= iflag_off
        saved[3] |= lflag_off | termios.ECHOE | termios.ECHOK
    raw = [*saved[:6], list(saved[6])]
    raw[0] &= ~iflag_off
    raw[3] &= ~lflag_off
    raw[6][termios.VMIN], raw[6][termios.VTIME] = 1, 0
    termios.tcsetattr(fd, termios.TCSADRAIN, raw)
    return saved
