"""Sockets for a user process: Python's `socket.socket` on Pith's inet server.

`Socket` stands in for socket.socket (install puts it there, with socket.SocketType and
socket.socketpair): AF_INET, SOCK_STREAM and SOCK_DGRAM, each method one call to inet
(pith/protocols/inet.py) on this process's "inet" cap. A socket's fd is a number of this
process's own, from FIRST_FD up (vfs's fds are below it), so selectors and `os.close`,
`os.read`, `os.write` on `fileno()` work (readiness.py, `on_fd`). Sockets are not inherited
by spawned programs: inet knows them by this process's badge.

Timeouts as CPython's: None blocks, 0 is non-blocking (BlockingIOError; connect raises
EINPROGRESS), t > 0 raises TimeoutError("timed out") — inet bounds the wait itself.
The buffer options (SO_RCVBUF …) are remembered and reported back, not acted on.
Touches: the inet cap, through `Inet`; nothing of the host's network.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket as host
import struct
from collections.abc import Callable
from typing import Any

from pith.kernel.core.errors import KernelError
from pith.lib.posix.errors import oserror
from pith.lib.posix.services import services
from pith.lib.server import ServiceError
from pith.protocols import inet as ip

__all__ = ["FIRST_FD", "Socket", "inet", "is_socket", "on_fd", "socketpair"]

FIRST_FD = 1024  # socket fds start here (vfs's MAX_FDS)
_KINDS: dict[int, str] = {host.SOCK_STREAM: ip.STREAM, host.SOCK_DGRAM: ip.DGRAM}
_PROTOS: dict[int, int] = {host.SOCK_STREAM: host.IPPROTO_TCP, host.SOCK_DGRAM: host.IPPROTO_UDP}
_FLAGS = host.SOCK_NONBLOCK | host.SOCK_CLOEXEC
# (level, option) → inet's name for it; the rest of the options programs set are kept here
_ACTED = {(host.SOL_SOCKET, host.SO_REUSEADDR): "reuseaddr",
          (host.IPPROTO_TCP, host.TCP_NODELAY): "nodelay",
          (host.SOL_SOCKET, host.SO_KEEPALIVE): "keepalive",
          (host.SOL_SOCKET, host.SO_RCVBUF): "rcvbuf",
          (host.SOL_SOCKET, host.SO_SNDBUF): "sndbuf",
          (host.SOL_SOCKET, host.SO_BROADCAST): "broadcast"}
_KEPT = {(host.SOL_SOCKET, host.SO_REUSEPORT), (host.SOL_SOCKET, host.SO_LINGER),
         (host.IPPROTO_TCP, host.TCP_KEEPIDLE), (host.IPPROTO_TCP, host.TCP_KEEPINTVL),
         (host.IPPROTO_TCP, host.TCP_KEEPCNT), (host.SOL_SOCKET, host.SO_OOBINLINE),
         (host.IPPROTO_IP, host.IP_TOS), (host.SOL_SOCKET, host.SO_RCVLOWAT)}
_DEFAULTS = {(host.SOL_SOCKET, host.SO_RCVBUF): 131072, (host.SOL_SOCKET, host.SO_SNDBUF): 16384}
SHUT = {host.SHUT_RD: "r", host.SHUT_WR: "w", host.SHUT_RDWR: "rw"}

_open: dict[int, int] = {}  # fd → inet's socket number (this process's sockets)
_kind: dict[int, int] = {}  # fd → SOCK_STREAM or SOCK_DGRAM
_inet: list[ip.Inet] = []


def inet() -> ip.Inet:
    """This process's client of inet (ENOSYS without an inet cap)."""
    if not _inet:
        caps = services().caps
        if "inet" not in caps:
            raise oserror("ENOSYS", "no inet in this process's caps")
        _inet.append(ip.Inet(caps["inet"]))
    return _inet[0]


def is_socket(fd: Any) -> bool:
    return isinstance(fd, int) and fd in _open


def _new_fd(sock: int, kind: int) -> int:
    fd = FIRST_FD
    while fd in _open:
        fd += 1
    _open[fd], _kind[fd] = sock, kind
    return fd


def _ask(call: Callable[[], Any], timed: bool = False) -> Any:
    """One inet call; a refusal as CPython's exception (TimeoutError for a timed-out call
    of a socket with a timeout, BlockingIOError for EAGAIN). A socket this process holds
    that inet does not know (EBADF: inet restarted since), or a call inet died during, is
    ECONNRESET: the connection is gone, and a new socket works at once."""
    try:
        return call()
    except ServiceError as e:
        if timed and e.error == "ETIMEDOUT" and e.message == "timed out":
            raise TimeoutError("timed out") from None
        raise oserror("ECONNRESET" if e.error == "EBADF" else e.error) from None
    except KernelError:
        raise oserror("ECONNRESET") from None


def _address(address: Any) -> tuple[str, int]:
    """An AF_INET address argument, (host, port), with the host's name resolved."""
    if not isinstance(address, tuple) or len(address) != 2:
        raise TypeError("AF_INET address must be a pair (host, port)")
    name, port = address
    if not isinstance(name, str | bytes | bytearray):
        raise TypeError(f"str, bytes or bytearray expected, not {type(name).__name__}")
    if not isinstance(port, int):
        raise TypeError(f"'{type(port).__name__}' object cannot be interpreted as an integer")
    if not 0 <= port <= 0xFFFF:
        raise OverflowError("bind(): port must be 0-65535.")
    name = name.decode() if isinstance(name, bytes | bytearray) else name
    from pith.lib.posix.resolver import address_of
    return address_of(name), port


class Socket:
    """socket.socket on inet (see the module's top)."""

    def __init__(self, family: int = -1, type: int = -1, proto: int = -1,
                 fileno: int | None = None) -> None:
        family = host.AF_INET if family == -1 else family
        kind = host.SOCK_STREAM if type == -1 else type
        self._io_refs = 0
        self._closed = False
        self._options: dict[tuple[int, int], int] = {}
        self._timeout: float | None = host.getdefaulttimeout()
        if kind & host.SOCK_NONBLOCK:
            self._timeout = 0.0
        if fileno is not None:
            if fileno not in _open:
                raise oserror("EBADF")
            self._fd, kind = fileno, _kind[fileno]
        else:
            if family != host.AF_INET:
                raise oserror("EAFNOSUPPORT")
            if kind & ~_FLAGS not in _KINDS or proto not in (-1, 0, _PROTOS[kind & ~_FLAGS]):
                raise oserror("EPROTONOSUPPORT" if kind & ~_FLAGS in _KINDS
                              else "ESOCKTNOSUPPORT")
            self._fd = _new_fd(_ask(lambda: inet().socket(_KINDS[kind & ~_FLAGS])),
                               kind & ~_FLAGS)
        self._family, self._type = family, kind & ~_FLAGS
        self._proto = 0 if proto == -1 else proto

    # --- what the socket is ------------------------------------------------------------

    @property
    def family(self) -> host.AddressFamily:
        return host.AddressFamily(self._family)

    @property
    def type(self) -> host.SocketKind:
        return host.SocketKind(self._type)

    @property
    def proto(self) -> int:
        return self._proto

    def fileno(self) -> int:
        return self._fd if self._fd in _open else -1

    def _sock(self) -> int:
        if self._fd not in _open:
            raise oserror("EBADF")
        return _open[self._fd]

    def __repr__(self) -> str:
        state = " [closed]" if self.fileno() < 0 else ""
        s = (f"<socket.socket{state} fd={self.fileno()}, family={self.family!s}, "
             f"type={self.type!s}, proto={self.proto}")
        if self.fileno() >= 0:
            for what, get in (("laddr", self.getsockname), ("raddr", self.getpeername)):
                with contextlib.suppress(OSError):
                    s += f", {what}={get()}"
        return s + ">"

    def __enter__(self) -> Socket:
        return self

    def __exit__(self, *args: object) -> None:
        if not self._closed:
            self.close()

    def __getstate__(self) -> None:
        raise TypeError(f"cannot pickle {type(self).__name__!r} object")

    # --- timeouts ----------------------------------------------------------------------

    def settimeout(self, value: float | None) -> None:
        if value is not None:
            value = float(value)
            if value < 0:
                raise ValueError("Timeout value out of range")
        self._timeout = value

    def gettimeout(self) -> float | None:
        return self._timeout

    def setblocking(self, flag: bool) -> None:
        self._timeout = None if flag else 0.0

    def getblocking(self) -> bool:
        return self._timeout != 0.0

    @property
    def timeout(self) -> float | None:
        return self._timeout

    # --- connections -------------------------------------------------------------------

    def bind(self, address: Any) -> None:
        where = _address(address)
        _ask(lambda: inet().bind(self._sock(), *where))

    def listen(self, backlog: int = 128) -> None:
        _ask(lambda: inet().listen(self._sock(), max(0, min(backlog, 4096)) or 1))

    def _accept(self) -> tuple[int, tuple[str, int]]:
        new, name, port = _ask(lambda: inet().accept(self._sock(), self._timeout), True)
        return _new_fd(new, self._type), (name, port)

    def accept(self) -> tuple[Socket, tuple[str, int]]:
        fd, address = self._accept()
        sock = Socket(self._family, self._type, self._proto, fileno=fd)
        if host.getdefaulttimeout() is None and self._timeout is not None:
            sock.setblocking(True)
        return sock, address

    def connect(self, address: Any) -> None:
        where = _address(address)
        _ask(lambda: inet().connect(self._sock(), *where, self._timeout), True)

    def connect_ex(self, address: Any) -> int:
        try:
            self.connect(address)
        except TimeoutError:
            return errno.EAGAIN if self._timeout == 0 else errno.ETIMEDOUT
        except OSError as e:
            if e.errno is None:
                raise
            return e.errno
        return 0

    def getsockname(self) -> tuple[str, int]:
        got: tuple[str, int] = _ask(lambda: inet().getsockname(self._sock()))
        return got

    def getpeername(self) -> tuple[str, int]:
        got: tuple[str, int] = _ask(lambda: inet().getpeername(self._sock()))
        return got

    def shutdown(self, how: int) -> None:
        if how not in SHUT:
            raise oserror("EINVAL")
        _ask(lambda: inet().shutdown(self._sock(), SHUT[how]))

    # --- data ----------------------------------------------------------------------------

    def send(self, data: Any, flags: int = 0) -> int:
        view = memoryview(data).cast("B")
        if not view:
            self._sock()
            return 0
        sent: int = _ask(lambda: inet().send(self._sock(), bytes(view[:ip.MAX_DATA]),
                                             self._timeout), True)
        return sent

    def sendall(self, data: Any, flags: int = 0) -> None:
        view = memoryview(data).cast("B")
        while view:
            view = view[self.send(view):]

    def recv(self, size: int, flags: int = 0) -> bytes:
        if size < 0:
            raise ValueError("negative buffersize in recv")
        if self._type == host.SOCK_DGRAM:
            return self.recvfrom(size)[0]
        got: bytes = _ask(lambda: inet().recv(self._sock(), size, self._timeout), True)
        return got

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        view = memoryview(buffer).cast("B")
        got = self.recv(nbytes or len(view))
        view[:len(got)] = got
        return len(got)

    def sendto(self, data: Any, flags_or_address: Any, address: Any = None) -> int:
        where = _address(flags_or_address if address is None else address)
        payload = bytes(memoryview(data).cast("B"))
        sent: int = _ask(lambda: inet().sendto(self._sock(), payload, *where))
        return sent

    def recvfrom(self, size: int, flags: int = 0) -> tuple[bytes, tuple[str, int]]:
        if size < 0:
            raise ValueError("negative buffersize in recvfrom")
        if self._type == host.SOCK_STREAM:
            return self.recv(size), self.getpeername()
        data, name, port = _ask(lambda: inet().recvfrom(self._sock(), size, self._timeout),
                                True)
        return data, (name, port)

    def recvfrom_into(self, buffer: Any, nbytes: int = 0,
                      flags: int = 0) -> tuple[int, tuple[str, int]]:
        view = memoryview(buffer).cast("B")
        data, address = self.recvfrom(nbytes or len(view))
        view[:len(data)] = data
        return len(data), address

    # makefile, sendfile: CPython's own, on recv_into and send (SocketIO)
    makefile = host.socket.makefile
    sendfile = host.socket._sendfile_use_send  # type: ignore[attr-defined]
    _check_sendfile_params = host.socket._check_sendfile_params  # type: ignore[attr-defined]

    # --- options -------------------------------------------------------------------------

    def setsockopt(self, level: int, option: int, value: Any, optlen: int | None = None) -> None:
        if isinstance(value, bytes | bytearray):
            value = struct.unpack("i", bytes(value[:4]).ljust(4, b"\0"))[0]
        key = (level, option)
        if key in _ACTED:
            _ask(lambda: inet().set_option(self._sock(), _ACTED[key], int(value)))
        elif key not in _KEPT:
            raise oserror("ENOPROTOOPT")
        self._sock()
        self._options[key] = int(value)

    def getsockopt(self, level: int, option: int, buflen: int = 0) -> Any:
        self._sock()
        key = (level, option)
        if key == (host.SOL_SOCKET, host.SO_TYPE):
            value = self._type
        elif key == (host.SOL_SOCKET, host.SO_ERROR):
            value = 0
        elif key in _ACTED or key in _KEPT:
            value = self._options.get(key, _DEFAULTS.get(key, 0))
        else:
            raise oserror("ENOPROTOOPT")
        return struct.pack("i", value).ljust(buflen, b"\0") if buflen else value

    # --- the end ---------------------------------------------------------------------------

    def _decref_socketios(self) -> None:
        if self._io_refs > 0:
            self._io_refs -= 1
        if self._closed:
            self.close()

    def close(self) -> None:
        self._closed = True
        if self._io_refs <= 0 and self._fd in _open:
            close_fd(self._fd)

    def detach(self) -> int:
        self._closed = True
        return self._fd

    def dup(self) -> Socket:
        raise oserror("EOPNOTSUPP", "dup of a Pith socket")

    def get_inheritable(self) -> bool:
        return False

    def set_inheritable(self, inheritable: bool) -> None:
        if inheritable:
            raise oserror("EOPNOTSUPP", "sockets are not inherited on Pith")


def close_fd(fd: int) -> None:
    """Close socket fd `fd` (os.close of a socket fd: EBADF if it is none)."""
    sock = _open.pop(fd, None)
    _kind.pop(fd, None)
    if sock is None:
        raise oserror("EBADF")
    with contextlib.suppress(ConnectionResetError):  # (inet forgot it: closed anyway)
        _ask(lambda: inet().close(sock))


def socketpair(family: int = host.AF_INET, type: int = host.SOCK_STREAM,
               proto: int = 0) -> tuple[Socket, Socket]:
    """Two connected TCP sockets over the loopback (Pith has no AF_UNIX sockets)."""
    if family not in (host.AF_INET, getattr(host, "AF_UNIX", -1)):
        raise ValueError("Only AF_INET and AF_UNIX socket families are supported")
    with Socket(host.AF_INET, host.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        one = Socket(host.AF_INET, host.SOCK_STREAM)
        try:
            one.connect(listener.getsockname())
            two, _ = listener.accept()
        except OSError:
            one.close()
            raise
    return one, two


def on_fd(fd_call: Callable[..., Any], socket_call: Callable[..., Any]) -> Callable[..., Any]:
    """An os function that takes an fd first: `socket_call` for a socket fd, else as it was."""
    def call(fd: Any, *args: Any) -> Any:
        return socket_call(fd, *args) if is_socket(fd) else fd_call(fd, *args)
    call.__name__ = getattr(fd_call, "__name__", "call")
    call.__doc__ = fd_call.__doc__
    return call


def read_fd(fd: int, size: int) -> bytes:
    return Socket(fileno=fd).recv(size)


def write_fd(fd: int, data: Any) -> int:
    return Socket(fileno=fd).send(data)


def fstat_fd(fd: int) -> os.stat_result:
    """A socket's stat: S_IFSOCK, as Linux's."""
    return os.stat_result((0o140777, fd, 0, 1, 0, 0, 0, 0, 0, 0))
