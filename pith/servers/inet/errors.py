"""The refusals a socket call can meet, one exception per errno name (like trio's).

Touches nothing. Every exception carries its POSIX errno name in `errno` (a class
attribute), so the posix layer converts it to an `OSError` at one place. `WOULD_BLOCK` is the
explicit "no answer yet" (MINIX's SUSPEND): a call that returns it changed nothing, and the
socket's readiness event says when to try again.
"""

from __future__ import annotations

import enum
from typing import ClassVar

__all__ = [
    "WOULD_BLOCK", "AddressFamilyNotSupported", "AddressInUse", "AddressNotAvailable",
    "AlreadyConnecting", "BadDescriptor", "BrokenPipe", "ConnectionRefused",
    "ConnectionReset", "HostUnreachable", "InvalidArgument", "IsConnected", "MessageTooLong",
    "NetError", "NetworkUnreachable", "NoBufferSpace", "NotConnected", "OperationNotSupported",
    "TimedOut", "WouldBlock",
]


class WouldBlock(enum.Enum):
    WOULD_BLOCK = "EAGAIN"


WOULD_BLOCK = WouldBlock.WOULD_BLOCK


class NetError(Exception):
    """A socket call refused; `errno` is the POSIX name (ECONNREFUSED, ...)."""

    errno: ClassVar[str] = "EIO"


class ConnectionRefused(NetError):
    errno = "ECONNREFUSED"


class ConnectionReset(NetError):
    errno = "ECONNRESET"


class TimedOut(NetError):
    errno = "ETIMEDOUT"


class AddressInUse(NetError):
    errno = "EADDRINUSE"


class AddressNotAvailable(NetError):
    errno = "EADDRNOTAVAIL"


class BrokenPipe(NetError):
    errno = "EPIPE"


class NotConnected(NetError):
    errno = "ENOTCONN"


class IsConnected(NetError):
    errno = "EISCONN"


class AlreadyConnecting(NetError):
    errno = "EALREADY"


class InvalidArgument(NetError):
    errno = "EINVAL"


class BadDescriptor(NetError):
    errno = "EBADF"


class NetworkUnreachable(NetError):
    errno = "ENETUNREACH"


class HostUnreachable(NetError):
    errno = "EHOSTUNREACH"


class MessageTooLong(NetError):
    errno = "EMSGSIZE"


class NoBufferSpace(NetError):
    errno = "ENOBUFS"


class OperationNotSupported(NetError):
    errno = "EOPNOTSUPP"


class AddressFamilyNotSupported(NetError):
    errno = "EAFNOSUPPORT"
