"""Kernel errors: one code and one exception type per condition.

Decode steps raise these; `Kernel.syscall` turns them into an `Error` result at
one place only, so a syscall that raises has changed nothing. Outcomes that end
a *blocked* syscall later (timeout, server died, reply dropped, object gone) are
sent as `Error` results with the same codes. User space (`pith.lib`) maps the
codes back to the same exception types with `error_for`.
"""

from __future__ import annotations

import enum
from typing import ClassVar

__all__ = [
    "AlreadyBadged", "CSpaceFull", "ErrorCode", "InvalidArgument", "InvalidSlot", "KernelError",
    "MessageTooLarge", "MissingRight", "NotDerivable", "NotificationBound", "ObjectGone",
    "OutOfMemory", "ProcessDead", "ReplyDropped", "ServerDied", "SlotOccupied", "ThreadBusy",
    "Timeout", "TooManyCaps", "WrongType", "error_for"
]


class ErrorCode(enum.IntEnum):
    """Why a syscall failed. Stable numbers: they travel on the gate."""

    INVALID_SLOT = 1  # the slot is empty or out of range
    WRONG_TYPE = 2  # the slot names an object of another type
    MISSING_RIGHT = 3  # the capability lacks a right the operation needs
    MESSAGE_TOO_LARGE = 4  # payload over MAX_MESSAGE bytes
    TOO_MANY_CAPS = 5  # more capabilities than a message or spawn may carry
    ALREADY_BADGED = 6  # mint from a capability that already has a badge
    NOT_DERIVABLE = 7  # Reply capabilities cannot be copied, minted or sent
    SLOT_OCCUPIED = 8  # the destination slot is in use
    CSPACE_FULL = 9  # no free slot in the CSpace that must receive a capability
    TIMEOUT = 10  # the timeout passed (or was 0 and the call would block)
    SERVER_DIED = 11  # the process holding the Reply to this call died
    REPLY_DROPPED = 12  # the server deleted the Reply without answering
    OBJECT_GONE = 13  # the object waited on was destroyed, or a cap in flight deleted
    THREAD_BUSY = 14  # the thread already has a syscall in progress
    INVALID_ARGUMENT = 15  # a value out of range: rights, badge, bits, size, name …
    NOTIFICATION_BOUND = 16  # the notification or thread is bound elsewhere
    PROCESS_DEAD = 17  # the process named has already died
    OUT_OF_MEMORY = 18  # the kernel's budget of Memory objects (count or bytes) is spent


class KernelError(Exception):
    """A syscall was refused; `code` says why, the message says what."""

    code: ClassVar[ErrorCode]


class InvalidSlot(KernelError):
    code = ErrorCode.INVALID_SLOT


class WrongType(KernelError):
    code = ErrorCode.WRONG_TYPE


class MissingRight(KernelError):
    code = ErrorCode.MISSING_RIGHT


class MessageTooLarge(KernelError):
    code = ErrorCode.MESSAGE_TOO_LARGE


class TooManyCaps(KernelError):
    code = ErrorCode.TOO_MANY_CAPS


class AlreadyBadged(KernelError):
    code = ErrorCode.ALREADY_BADGED


class NotDerivable(KernelError):
    code = ErrorCode.NOT_DERIVABLE


class SlotOccupied(KernelError):
    code = ErrorCode.SLOT_OCCUPIED


class CSpaceFull(KernelError):
    code = ErrorCode.CSPACE_FULL


class Timeout(KernelError):
    code = ErrorCode.TIMEOUT


class ServerDied(KernelError):
    code = ErrorCode.SERVER_DIED


class ReplyDropped(KernelError):
    code = ErrorCode.REPLY_DROPPED


class ObjectGone(KernelError):
    code = ErrorCode.OBJECT_GONE


class ThreadBusy(KernelError):
    code = ErrorCode.THREAD_BUSY


class InvalidArgument(KernelError):
    code = ErrorCode.INVALID_ARGUMENT


class NotificationBound(KernelError):
    code = ErrorCode.NOTIFICATION_BOUND


class ProcessDead(KernelError):
    code = ErrorCode.PROCESS_DEAD


class OutOfMemory(KernelError):
    code = ErrorCode.OUT_OF_MEMORY


_BY_CODE: dict[ErrorCode, type[KernelError]] = {
    cls.code: cls for cls in KernelError.__subclasses__()
}


def error_for(code: int, detail: str = "") -> KernelError:
    """The exception for an error code received from the kernel."""
    return _BY_CODE[ErrorCode(code)](detail)
