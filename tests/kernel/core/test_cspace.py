"""Capabilities: copy, mint, move, delete, revoke, CapInfo and the derivation tree."""

from __future__ import annotations

import pytest

from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import CapDescription, Created, Done, FreeMemory, Resume
from pith.kernel.core.errors import ErrorCode
from pith.kernel.core.rights import ALL, GRANT, READ, WRITE
from tests.kernel.core.harness import World


def info(w: World, tid: int, slot: int) -> CapDescription:
    r = w.ok(tid, sc.CapInfo(slot))
    assert isinstance(r, CapDescription), r
    return r


def gone(w: World, tid: int, slot: int) -> None:
    w.err(tid, sc.CapInfo(slot), ErrorCode.INVALID_SLOT)


# --- CapInfo ----------------------------------------------------------------


def test_cap_info_describes_kind_object_rights_and_badge() -> None:
    w = World()
    r = w.ok(w.root, sc.EndpointCreate())
    assert isinstance(r, Created) and r.slot is not None
    assert info(w, w.root, r.slot) == CapDescription("endpoint", r.id, ALL, 0)
    assert info(w, w.root, w.slots["spawn"]).kind == "spawn"
    assert info(w, w.root, w.slots["device:disk"]).kind == "device"


@pytest.mark.parametrize("slot", [-1, 999, 1024, 10**9])
def test_an_empty_or_out_of_range_slot_is_invalid(slot: int) -> None:
    w = World()
    gone(w, w.root, slot)


def test_a_process_cannot_name_another_processes_slots() -> None:
    w = World()
    w.endpoint()
    _, child = w.spawn("child")
    for slot in range(6):
        gone(w, child, slot)


# --- copy ---------------------------------------------------------------------


def test_copy_with_fewer_rights_names_the_same_object() -> None:
    w = World()
    ep = w.endpoint()
    r = w.ok(w.root, sc.CapCopy(ep, READ))
    assert isinstance(r, Created) and r.slot is not None
    assert r.id == info(w, w.root, ep).object
    assert info(w, w.root, r.slot) == CapDescription("endpoint", r.id, READ, 0)


def test_copy_with_more_rights_is_refused() -> None:
    w = World()
    ep = w.endpoint()
    weak = w.created(w.root, sc.CapCopy(ep, READ))
    w.err(w.root, sc.CapCopy(weak, READ | WRITE), ErrorCode.MISSING_RIGHT)
    w.err(w.root, sc.CapCopy(weak, GRANT), ErrorCode.MISSING_RIGHT)


@pytest.mark.parametrize("rights", [-1, 8, ALL | 8, 2**64])
def test_invalid_rights_values_are_refused(rights: int) -> None:
    w = World()
    ep = w.endpoint()
    w.err(w.root, sc.CapCopy(ep, rights), ErrorCode.INVALID_ARGUMENT)
    w.err(w.root, sc.CapMint(ep, rights, 1), ErrorCode.INVALID_ARGUMENT)


def test_copy_into_a_chosen_empty_slot() -> None:
    w = World()
    ep = w.endpoint()
    assert w.created(w.root, sc.CapCopy(ep, READ, dest=100)) == 100
    assert info(w, w.root, 100).rights == READ


def test_copy_into_an_occupied_or_out_of_range_slot_is_refused() -> None:
    w = World()
    ep = w.endpoint()
    w.err(w.root, sc.CapCopy(ep, READ, dest=ep), ErrorCode.SLOT_OCCUPIED)
    w.err(w.root, sc.CapCopy(ep, READ, dest=1024), ErrorCode.INVALID_SLOT)
    w.err(w.root, sc.CapCopy(ep, READ, dest=-1), ErrorCode.INVALID_SLOT)


def test_a_copy_keeps_the_badge() -> None:
    w = World()
    ep = w.endpoint()
    minted = w.created(w.root, sc.CapMint(ep, ALL, 5))
    copy = w.created(w.root, sc.CapCopy(minted, WRITE))
    assert info(w, w.root, copy).badge == 5


# --- mint ---------------------------------------------------------------------


def test_mint_sets_a_badge_once() -> None:
    w = World()
    ep = w.endpoint()
    minted = w.created(w.root, sc.CapMint(ep, READ | WRITE, 77))
    assert info(w, w.root, minted) == CapDescription(
        "endpoint", info(w, w.root, ep).object, READ | WRITE, 77
    )


def test_minting_a_badged_cap_is_refused() -> None:
    w = World()
    n = w.notification()
    minted = w.created(w.root, sc.CapMint(n, ALL, 1))
    w.err(w.root, sc.CapMint(minted, ALL, 2), ErrorCode.ALREADY_BADGED)


def test_minting_a_cap_to_other_than_an_endpoint_or_notification_is_refused() -> None:
    w = World()
    mem = w.created(w.root, sc.MemoryCreate(4096))
    w.err(w.root, sc.CapMint(mem, ALL, 1), ErrorCode.WRONG_TYPE)
    w.err(w.root, sc.CapMint(w.slots["spawn"], ALL, 1), ErrorCode.WRONG_TYPE)


@pytest.mark.parametrize("badge", [0, -1, 2**63])
def test_a_badge_out_of_range_is_refused(badge: int) -> None:
    w = World()
    ep = w.endpoint()
    w.err(w.root, sc.CapMint(ep, ALL, badge), ErrorCode.INVALID_ARGUMENT)


def test_the_largest_badge_is_accepted() -> None:
    w = World()
    ep = w.endpoint()
    assert info(w, w.root, w.created(w.root, sc.CapMint(ep, ALL, 2**63 - 1))).badge == 2**63 - 1


# --- move -----------------------------------------------------------------------


def test_move_puts_the_same_cap_in_the_new_slot() -> None:
    w = World()
    ep = w.endpoint()
    before = info(w, w.root, ep)
    w.ok(w.root, sc.CapMove(ep, 50))
    gone(w, w.root, ep)
    assert info(w, w.root, 50) == before


def test_a_moved_cap_keeps_its_place_in_the_tree() -> None:
    w = World()
    ep = w.endpoint()
    child = w.created(w.root, sc.CapCopy(ep, READ))
    w.ok(w.root, sc.CapMove(ep, 50))
    w.ok(w.root, sc.CapRevoke(50))
    gone(w, w.root, child)


def test_move_to_an_occupied_slot_is_refused() -> None:
    w = World()
    a, b = w.endpoint(), w.endpoint()
    w.err(w.root, sc.CapMove(a, b), ErrorCode.SLOT_OCCUPIED)
    w.err(w.root, sc.CapMove(a, a), ErrorCode.SLOT_OCCUPIED)
    w.err(w.root, sc.CapMove(a, 1024), ErrorCode.INVALID_SLOT)


# --- delete and revoke -------------------------------------------------------


def test_delete_frees_the_slot_and_keeps_derived_caps() -> None:
    w = World()
    ep = w.endpoint()
    parent = w.created(w.root, sc.CapCopy(ep, ALL))
    child = w.created(w.root, sc.CapCopy(parent, READ))
    w.ok(w.root, sc.CapDelete(parent))
    gone(w, w.root, parent)
    assert info(w, w.root, child).rights == READ


def test_delete_reparents_children_so_revoking_the_grandparent_reaches_them() -> None:
    w = World()
    ep = w.endpoint()
    parent = w.created(w.root, sc.CapCopy(ep, ALL))
    child = w.created(w.root, sc.CapCopy(parent, READ))
    grandchild = w.created(w.root, sc.CapCopy(child, READ))
    w.ok(w.root, sc.CapDelete(parent))
    w.ok(w.root, sc.CapRevoke(ep))
    gone(w, w.root, child)
    gone(w, w.root, grandchild)
    assert info(w, w.root, ep).rights == ALL


def test_revoke_reaches_caps_whose_ancestors_were_deleted_one_after_another() -> None:
    w = World()
    ep = w.endpoint()
    chain = [ep]
    for _ in range(3):
        chain.append(w.created(w.root, sc.CapCopy(chain[-1], ALL)))
    w.ok(w.root, sc.CapDelete(chain[1]))
    w.ok(w.root, sc.CapDelete(chain[2]))
    w.ok(w.root, sc.CapRevoke(ep))
    gone(w, w.root, chain[3])


def test_revoke_deletes_exactly_the_descendants_across_processes() -> None:
    w = World()
    ep = w.endpoint()
    branch = w.created(w.root, sc.CapCopy(ep, ALL))
    sibling = w.created(w.root, sc.CapCopy(ep, READ))
    _, child = w.spawn("child", [branch, sibling])
    nephew = w.created(child, sc.CapCopy(0, READ))  # derived from branch, in the child
    kept = w.created(child, sc.CapCopy(1, READ))  # derived from sibling
    w.ok(w.root, sc.CapRevoke(branch))
    gone(w, child, 0)
    gone(w, child, nephew)
    assert info(w, w.root, branch).rights == ALL
    assert info(w, w.root, sibling).rights == READ
    assert info(w, child, 1).rights == READ
    assert info(w, child, kept).rights == READ
    assert info(w, w.root, ep).rights == ALL


def test_revoke_keeps_the_object_alive_through_the_revoked_cap() -> None:
    w = World()
    mem = w.created(w.root, sc.MemoryCreate(4096))
    w.created(w.root, sc.CapCopy(mem, READ))
    out = w.sys(w.root, sc.CapRevoke(mem))
    assert not any(isinstance(a, FreeMemory) for a in out)
    assert info(w, w.root, mem).kind == "memory"


def test_the_object_is_destroyed_when_its_last_cap_goes() -> None:
    w = World()
    r = w.ok(w.root, sc.MemoryCreate(4096))
    assert isinstance(r, Created) and r.slot is not None
    copy = w.created(w.root, sc.CapCopy(r.slot, READ))
    assert not any(isinstance(a, FreeMemory) for a in w.sys(w.root, sc.CapDelete(r.slot)))
    out = w.sys(w.root, sc.CapDelete(copy))
    assert FreeMemory(r.id) in out and Resume(w.root, Done()) in out
    assert r.id not in w.kernel.objects


def test_delete_or_revoke_of_an_empty_slot_is_refused() -> None:
    w = World()
    w.err(w.root, sc.CapDelete(500), ErrorCode.INVALID_SLOT)
    w.err(w.root, sc.CapRevoke(500), ErrorCode.INVALID_SLOT)


# --- CSpace size ----------------------------------------------------------------


def test_a_full_cspace_refuses_new_caps() -> None:
    w = World(cspace_size=6)  # 4 boot caps
    ep = w.endpoint()
    w.endpoint()
    w.err(w.root, sc.EndpointCreate(), ErrorCode.CSPACE_FULL)
    w.err(w.root, sc.NotificationCreate(), ErrorCode.CSPACE_FULL)
    w.err(w.root, sc.CapCopy(ep, READ), ErrorCode.CSPACE_FULL)
    w.err(w.root, sc.CapMint(ep, READ, 1), ErrorCode.CSPACE_FULL)
    w.err(w.root, sc.MemoryCreate(1), ErrorCode.CSPACE_FULL)
    w.err(w.root, sc.ProcessCreate(w.slots["spawn"], "x"), ErrorCode.CSPACE_FULL)


def test_a_freed_slot_is_reused_lowest_first() -> None:
    w = World()
    a = w.endpoint()
    w.endpoint()
    w.ok(w.root, sc.CapDelete(a))
    assert w.endpoint() == a
