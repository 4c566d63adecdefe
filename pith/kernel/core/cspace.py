"""Capabilities, CSpaces and the derivation tree (seL4's CDT), and the cap syscalls.

A capability (`Cap`) names one object with rights and a badge, and lives in one
slot of one process's CSpace. Every cap but an object's first has a parent:
the cap it was copied, minted, transferred or handed out from.

Invariants (checked by tests/kernel/core/test_state_machine.py):
- cap.cspace.slots[cap.slot] is cap, for every live cap; dead caps have cspace None.
- a child's rights are a subset of its parent's; its badge equals the parent's,
  or the parent's is 0 and the child was minted. Rights and badges never change.
- cap.obj.ncaps counts the live caps naming obj.
- revoke(c) deletes exactly the descendants of c; delete(c) re-parents c's
  children to c's parent, so a later revoke of an ancestor still reaches them.
- Reply caps have no parent and no children: they are one-shot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pith.kernel.core.actions import CapDescription, Created, Done
from pith.kernel.core.errors import (
    AlreadyBadged,
    CSpaceFull,
    InvalidArgument,
    InvalidSlot,
    MissingRight,
    NotDerivable,
    SlotOccupied,
    WrongType,
)
from pith.kernel.core.kobject import KernelObject
from pith.kernel.core.rights import ALL, MAX_BADGE
from pith.kernel.core.syscalls import CapCopy, CapDelete, CapInfo, CapMint, CapMove, CapRevoke

if TYPE_CHECKING:
    from pith.kernel.core.kernel import Kernel
    from pith.kernel.core.process import Process
    from pith.kernel.core.thread import Thread

__all__ = ["CSpace", "Cap", "derive", "descendants", "unlink"]


class Cap:
    """A capability: object, rights, badge; its slot; its place in the tree."""

    __slots__ = ("badge", "children", "cspace", "obj", "parent", "rights", "slot")

    def __init__(self, obj: KernelObject, rights: int, badge: int, parent: Cap | None) -> None:
        self.obj = obj
        self.rights = rights
        self.badge = badge
        self.parent = parent
        self.children: dict[Cap, None] = {}
        self.cspace: CSpace | None = None
        self.slot = -1


class CSpace:
    """A process's slots, 0..size-1. The lowest free slot is used first."""

    __slots__ = ("hint", "owner", "size", "slots")

    def __init__(self, owner: Process, size: int) -> None:
        self.owner = owner
        self.size = size
        self.slots: dict[int, Cap] = {}
        self.hint = 0  # no slot below hint is free

    def free(self) -> int:
        return self.size - len(self.slots)

    def first_free(self) -> int:
        slot = self.hint
        while slot in self.slots:
            slot += 1
        if slot >= self.size:
            raise CSpaceFull(f"no free slot in the CSpace of process {self.owner.oid}")
        self.hint = slot
        return slot

    def dest(self, dest: int | None) -> int:
        """Check a requested destination slot (None: the lowest free one)."""
        if dest is None:
            return self.first_free()
        if not 0 <= dest < self.size:
            raise InvalidSlot(f"slot {dest} is out of range 0..{self.size - 1}")
        if dest in self.slots:
            raise SlotOccupied(f"slot {dest} is in use")
        return dest

    def put(self, cap: Cap, slot: int) -> None:
        self.slots[slot] = cap
        cap.cspace = self
        cap.slot = slot
        cap.obj.ncaps += 1

    def take(self, cap: Cap) -> None:
        del self.slots[cap.slot]
        self.hint = min(self.hint, cap.slot)
        cap.cspace = None
        cap.obj.ncaps -= 1


def derive(parent: Cap, rights: int, badge: int) -> Cap:
    """A new child of `parent` (not yet in any slot)."""
    child = Cap(parent.obj, rights, badge, parent)
    parent.children[child] = None
    return child


def unlink(cap: Cap) -> None:
    """Take `cap` out of the tree; its children move up to its parent."""
    parent = cap.parent
    if parent is not None:
        del parent.children[cap]
    for child in cap.children:
        child.parent = parent
        if parent is not None:
            parent.children[child] = None
    cap.children = {}
    cap.parent = None


def descendants(cap: Cap) -> list[Cap]:
    """Every cap derived from `cap`, transitively (not `cap` itself)."""
    found: list[Cap] = []
    stack = list(cap.children)
    while stack:
        c = stack.pop()
        found.append(c)
        stack.extend(c.children)
    return found


# --- syscalls ---------------------------------------------------------------


def _check_copy(cap: Cap, rights: int) -> None:
    if cap.obj.kind == "reply":
        raise NotDerivable("a Reply capability is one-shot: it cannot be copied")
    if rights & ~ALL or rights < 0:
        raise InvalidArgument(f"rights {rights} are not a combination of READ|WRITE|GRANT")
    if rights & ~cap.rights:
        raise MissingRight(f"slot {cap.slot} has rights {cap.rights}, not {rights}")


def _derive_into(k: Kernel, t: Thread, cap: Cap, rights: int, badge: int, dest: int | None) -> None:
    cspace = t.process.cspace
    slot = cspace.dest(dest)
    cspace.put(derive(cap, rights, badge), slot)
    k.resume(t, Created(slot, cap.obj.oid))


def do_cap_copy(k: Kernel, t: Thread, c: CapCopy) -> None:
    cap = k.lookup(t, c.slot)
    _check_copy(cap, c.rights)
    _derive_into(k, t, cap, c.rights, cap.badge, c.dest)


def do_cap_mint(k: Kernel, t: Thread, c: CapMint) -> None:
    cap = k.lookup(t, c.slot)
    _check_copy(cap, c.rights)
    if cap.obj.kind not in ("endpoint", "notification"):
        raise WrongType(f"only endpoint and notification caps carry badges, not {cap.obj.kind}")
    if cap.badge:
        raise AlreadyBadged(f"slot {c.slot} already has badge {cap.badge}")
    if not 0 < c.badge <= MAX_BADGE:
        raise InvalidArgument(f"badge must be 1..{MAX_BADGE}")
    _derive_into(k, t, cap, c.rights, c.badge, c.dest)


def do_cap_move(k: Kernel, t: Thread, c: CapMove) -> None:
    cap = k.lookup(t, c.slot)
    cspace = t.process.cspace
    slot = cspace.dest(c.dest)
    cspace.take(cap)
    cspace.put(cap, slot)
    k.resume(t, Done())


def do_cap_delete(k: Kernel, t: Thread, c: CapDelete) -> None:
    k.delete_cap(k.lookup(t, c.slot))
    k.resume(t, Done())


def do_cap_revoke(k: Kernel, t: Thread, c: CapRevoke) -> None:
    k.revoke(k.lookup(t, c.slot))
    k.resume(t, Done())


def do_cap_info(k: Kernel, t: Thread, c: CapInfo) -> None:
    cap = k.lookup(t, c.slot)
    k.resume(t, CapDescription(cap.obj.kind, cap.obj.oid, cap.rights, cap.badge))
