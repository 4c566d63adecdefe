"""What a message may carry, checked in one place for send, call and reply.

A message is at most MAX_MESSAGE bytes of opaque payload plus at most
MAX_CAPS_PER_MESSAGE capabilities. Capabilities travel only with the grant
right (the sender's endpoint cap, or for a reply the caller's), and Reply
caps never travel. Transferred caps are derived from the sender's, with the
same rights and badge, into the lowest free slots of the receiver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pith.kernel.core.cspace import Cap, CSpace, derive
from pith.kernel.core.errors import MessageTooLarge, MissingRight, NotDerivable, TooManyCaps
from pith.kernel.core.rights import MAX_CAPS_PER_MESSAGE, MAX_MESSAGE

if TYPE_CHECKING:
    from pith.kernel.core.kernel import Kernel
    from pith.kernel.core.thread import Thread

__all__ = ["check_message", "give_caps"]


def check_message(
    k: Kernel, t: Thread, msg: bytes, slots: tuple[int, ...], grant: bool
) -> tuple[Cap, ...]:
    """The caps a message from `t` would carry; raises if the message is not allowed."""
    if len(msg) > MAX_MESSAGE:
        raise MessageTooLarge(f"message of {len(msg)} bytes is over {MAX_MESSAGE}")
    if not slots:
        return ()  # the common case
    if len(slots) > MAX_CAPS_PER_MESSAGE:
        raise TooManyCaps(f"{len(slots)} caps in one message, at most {MAX_CAPS_PER_MESSAGE}")
    if not grant:
        raise MissingRight("capabilities travel only through a capability with GRANT")
    caps = tuple(k.lookup(t, slot) for slot in slots)
    for cap in caps:
        if cap.obj.kind == "reply":
            raise NotDerivable("a Reply capability cannot be sent")
    return caps


def give_caps(caps: tuple[Cap, ...], cspace: CSpace) -> tuple[int, ...]:
    """Derive each cap into `cspace`; the caller has checked there is room."""
    slots = []
    for cap in caps:
        slot = cspace.first_free()
        cspace.put(derive(cap, cap.rights, cap.badge), slot)
        slots.append(slot)
    return tuple(slots)
