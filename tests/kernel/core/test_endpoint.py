"""Endpoints: synchronous send/recv rendezvous, queues, badges, cap transfer, timeouts."""

from __future__ import annotations

import pytest

from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import CapDescription, Done, Error, Received, Resume
from pith.kernel.core.errors import ErrorCode
from pith.kernel.core.rights import ALL, READ, WRITE
from tests.kernel.core.harness import World, codes, results

CLIENT_EP = 0  # the client's copy of the endpoint


def served() -> tuple[World, int, int]:
    """Root serves endpoint `ep`; a client process holds a copy (all rights) in slot 0."""
    w = World()
    ep = w.endpoint()
    _, client = w.spawn("client", [ep])
    return w, ep, client


# --- rendezvous -------------------------------------------------------------


def test_send_then_recv_delivers_the_message_and_releases_the_sender() -> None:
    w, ep, client = served()
    w.blocks(client, sc.Send(CLIENT_EP, b"hello"))
    out = results(w.sys(w.root, sc.Recv(ep)))
    assert out == {client: Done(), w.root: Received(b"hello", 0, (), None)}


def test_recv_then_send_delivers_the_message_at_once() -> None:
    w, ep, client = served()
    w.blocks(w.root, sc.Recv(ep))
    out = results(w.sys(client, sc.Send(CLIENT_EP, b"hello")))
    assert out == {client: Done(), w.root: Received(b"hello", 0, (), None)}


def test_queued_senders_are_received_in_fifo_order() -> None:
    w, ep, client = served()
    senders = [client, w.thread(client), w.thread(client)]
    for i, s in enumerate(senders):
        w.blocks(s, sc.Send(CLIENT_EP, b"m%d" % i))
    got = []
    for _ in senders:
        out = results(w.sys(w.root, sc.Recv(ep)))
        msg = out.pop(w.root)
        assert isinstance(msg, Received)
        got.append((msg.msg, *out))
    assert got == [(b"m0", senders[0]), (b"m1", senders[1]), (b"m2", senders[2])]


def test_queued_receivers_get_messages_in_fifo_order() -> None:
    w, ep, client = served()
    receivers = [w.root, w.thread(w.root), w.thread(w.root)]
    for r in receivers:
        w.blocks(r, sc.Recv(ep))
    for i, r in enumerate(receivers):
        out = results(w.sys(client, sc.Send(CLIENT_EP, b"m%d" % i)))
        assert out == {client: Done(), r: Received(b"m%d" % i, 0, (), None)}


def test_recv_reports_the_badge_of_the_senders_cap() -> None:
    w = World()
    ep = w.endpoint()
    minted = w.created(w.root, sc.CapMint(ep, ALL, 42))
    _, badged = w.spawn("badged", [minted])
    _, plain = w.spawn("plain", [ep])
    w.blocks(badged, sc.Send(0, b"a"))
    w.blocks(plain, sc.Send(0, b"b"))
    assert results(w.sys(w.root, sc.Recv(ep)))[w.root] == Received(b"a", 42, (), None)
    assert results(w.sys(w.root, sc.Recv(ep)))[w.root] == Received(b"b", 0, (), None)


@pytest.mark.parametrize("timeout", [-1.0, 1e300, float("inf"), float("nan")])
def test_timeouts_out_of_range_are_refused(timeout: float) -> None:
    """(A timeout of 1e300 s once reached the host's epoll and ended the kernel.)"""
    w = World()
    ep = w.created(w.root, sc.EndpointCreate())
    w.err(w.root, sc.Recv(ep, timeout=timeout), ErrorCode.INVALID_ARGUMENT)


def test_a_stale_timeout_from_an_earlier_recv_does_not_fire() -> None:
    w, ep, client = served()
    w.blocks(w.root, sc.Recv(ep, timeout=5))
    w.sys(client, sc.Send(CLIENT_EP))
    w.blocks(w.root, sc.Recv(ep, timeout=10))
    assert w.tick(5) == []
    assert w.tick(10) == [Resume(w.root, Error(ErrorCode.TIMEOUT, "the timeout passed"))]


# --- capability transfer ----------------------------------------------------


def test_caps_travel_with_grant_into_the_receivers_lowest_free_slots() -> None:
    w, ep, client = served()
    n = w.notification(client)
    mem = w.created(client, sc.MemoryCreate(4096))
    hole = w.notification()
    w.notification()
    w.ok(w.root, sc.CapDelete(hole))
    w.blocks(client, sc.Send(CLIENT_EP, b"", (n, mem)))
    got = results(w.sys(w.root, sc.Recv(ep)))[w.root]
    assert isinstance(got, Received)
    first, second = got.caps
    assert first == hole and second > first
    sent = w.ok(client, sc.CapInfo(n))
    assert w.ok(w.root, sc.CapInfo(first)) == sent
    assert isinstance(w.ok(w.root, sc.CapInfo(second)), CapDescription)


def test_transferred_caps_are_derived_from_the_senders() -> None:
    w, ep, client = served()
    n = w.notification(client)
    w.blocks(client, sc.Send(CLIENT_EP, b"", (n,)))
    got = results(w.sys(w.root, sc.Recv(ep)))[w.root]
    assert isinstance(got, Received)
    w.ok(client, sc.CapRevoke(n))
    w.err(w.root, sc.CapInfo(got.caps[0]), ErrorCode.INVALID_SLOT)


def test_transferred_caps_keep_rights_and_badge() -> None:
    w, ep, client = served()
    n = w.notification(client)
    weak = w.created(client, sc.CapMint(n, READ, 9))
    w.blocks(client, sc.Send(CLIENT_EP, b"", (weak,)))
    got = results(w.sys(w.root, sc.Recv(ep)))[w.root]
    assert isinstance(got, Received)
    info = w.ok(w.root, sc.CapInfo(got.caps[0]))
    assert isinstance(info, CapDescription)
    assert (info.kind, info.rights, info.badge) == ("notification", READ, 9)


def test_caps_without_grant_are_refused() -> None:
    w = World()
    ep = w.endpoint()
    no_grant = w.created(w.root, sc.CapCopy(ep, READ | WRITE))
    _, client = w.spawn("client", [no_grant])
    n = w.notification(client)
    w.blocks(w.root, sc.Recv(ep))
    w.err(client, sc.Send(0, b"", (n,)), ErrorCode.MISSING_RIGHT)
    assert results(w.sys(client, sc.Send(0, b"ok")))[client] == Done()


def test_a_message_of_64_kib_is_accepted() -> None:
    w, ep, client = served()
    w.blocks(w.root, sc.Recv(ep))
    out = results(w.sys(client, sc.Send(CLIENT_EP, bytes(65536))))
    assert out == {client: Done(), w.root: Received(bytes(65536), 0, (), None)}


def test_a_message_of_64_kib_with_caps_is_accepted() -> None:
    w, ep, client = served()
    n = w.notification(client)
    w.blocks(w.root, sc.Recv(ep))
    got = results(w.sys(client, sc.Send(CLIENT_EP, bytes(65536), (n,))))[w.root]
    assert isinstance(got, Received) and len(got.msg) == 65536 and len(got.caps) == 1


def test_a_message_over_64_kib_is_refused() -> None:
    w, ep, client = served()
    w.blocks(w.root, sc.Recv(ep))
    w.err(client, sc.Send(CLIENT_EP, bytes(65537)), ErrorCode.MESSAGE_TOO_LARGE)
    w.err(client, sc.Call(CLIENT_EP, bytes(65537)), ErrorCode.MESSAGE_TOO_LARGE)
    n = w.notification(client)
    w.err(client, sc.Send(CLIENT_EP, bytes(65537), (n,)), ErrorCode.MESSAGE_TOO_LARGE)


def test_four_caps_travel_and_five_are_refused() -> None:
    w, ep, client = served()
    n = w.notification(client)
    w.blocks(w.root, sc.Recv(ep))
    w.err(client, sc.Send(CLIENT_EP, b"", (n,) * 5), ErrorCode.TOO_MANY_CAPS)
    got = results(w.sys(client, sc.Send(CLIENT_EP, b"", (n,) * 4)))[w.root]
    assert isinstance(got, Received) and len(got.caps) == 4


def test_a_cap_deleted_while_being_sent_fails_the_send() -> None:
    w, ep, client = served()
    n = w.notification(client)
    other = w.thread(client)
    w.blocks(client, sc.Send(CLIENT_EP, b"", (n,)))
    out = w.sys(other, sc.CapDelete(n))
    assert codes(out) == {client: ErrorCode.OBJECT_GONE}
    w.err(w.root, sc.Recv(ep, timeout=0), ErrorCode.TIMEOUT)


def test_a_receiver_without_room_for_the_caps_is_refused_and_the_sender_waits() -> None:
    w = World(cspace_size=7)  # root: 4 boot caps, the endpoint, the client, one spare
    ep = w.endpoint()
    _, client = w.spawn("client", [ep])
    n = w.notification(client)
    w.blocks(client, sc.Send(0, b"", (n, n)))
    w.err(w.root, sc.Recv(ep), ErrorCode.CSPACE_FULL)
    w.ok(w.root, sc.CapDelete(w.slots["sched"]))
    out = results(w.sys(w.root, sc.Recv(ep)))
    assert out == {client: Done(), w.root: Received(b"", 0, (w.slots["sched"], 6), None)}


# --- errors -----------------------------------------------------------------


def test_send_needs_write_and_recv_needs_read() -> None:
    w = World()
    ep = w.endpoint()
    read_only = w.created(w.root, sc.CapCopy(ep, READ))
    write_only = w.created(w.root, sc.CapCopy(ep, WRITE))
    w.err(w.root, sc.Send(read_only), ErrorCode.MISSING_RIGHT)
    w.err(w.root, sc.Call(read_only), ErrorCode.MISSING_RIGHT)
    w.err(w.root, sc.Recv(write_only), ErrorCode.MISSING_RIGHT)


def test_ipc_on_a_wrong_or_empty_slot_is_refused() -> None:
    w = World()
    n = w.notification()
    w.err(w.root, sc.Send(n), ErrorCode.WRONG_TYPE)
    w.err(w.root, sc.Recv(n), ErrorCode.WRONG_TYPE)
    w.err(w.root, sc.Send(500), ErrorCode.INVALID_SLOT)
    w.err(w.root, sc.Recv(-1), ErrorCode.INVALID_SLOT)


@pytest.mark.parametrize("timeout", [-1.0, float("nan")])
def test_a_negative_or_nan_timeout_is_refused(timeout: float) -> None:
    w, ep, client = served()
    w.err(w.root, sc.Recv(ep, timeout=timeout), ErrorCode.INVALID_ARGUMENT)
    w.err(client, sc.Send(CLIENT_EP, timeout=timeout), ErrorCode.INVALID_ARGUMENT)


# --- timeouts ---------------------------------------------------------------


def test_send_with_timeout_zero_and_no_receiver_fails_at_once() -> None:
    w, _, client = served()
    w.err(client, sc.Send(CLIENT_EP, b"x", timeout=0), ErrorCode.TIMEOUT)
    w.err(client, sc.Call(CLIENT_EP, b"x", timeout=0), ErrorCode.TIMEOUT)


def test_recv_with_timeout_zero_and_no_sender_fails_at_once() -> None:
    w, ep, _ = served()
    w.err(w.root, sc.Recv(ep, timeout=0), ErrorCode.TIMEOUT)


def test_timeout_zero_succeeds_when_the_partner_is_waiting() -> None:
    w, ep, client = served()
    w.blocks(w.root, sc.Recv(ep))
    out = results(w.sys(client, sc.Send(CLIENT_EP, b"x", timeout=0)))
    assert out == {client: Done(), w.root: Received(b"x", 0, (), None)}
    w.blocks(client, sc.Send(CLIENT_EP, b"y"))
    assert results(w.sys(w.root, sc.Recv(ep, timeout=0)))[w.root] == Received(b"y", 0, (), None)


def test_recv_timeout_fires_once_at_the_deadline() -> None:
    w, ep, _ = served()
    w.tick(10)
    w.blocks(w.root, sc.Recv(ep, timeout=5))
    assert w.kernel.next_deadline() == 15
    assert w.tick(14.5) == []
    assert codes(w.tick(15)) == {w.root: ErrorCode.TIMEOUT}
    assert w.tick(100) == []
    assert w.kernel.next_deadline() is None


def test_a_timed_out_sender_leaves_the_queue() -> None:
    w, ep, client = served()
    w.blocks(client, sc.Send(CLIENT_EP, b"late", timeout=1))
    assert codes(w.tick(1)) == {client: ErrorCode.TIMEOUT}
    w.err(w.root, sc.Recv(ep, timeout=0), ErrorCode.TIMEOUT)


def test_a_timed_out_receiver_leaves_the_queue() -> None:
    w, ep, client = served()
    w.blocks(w.root, sc.Recv(ep, timeout=1))
    assert codes(w.tick(2)) == {w.root: ErrorCode.TIMEOUT}
    w.err(client, sc.Send(CLIENT_EP, timeout=0), ErrorCode.TIMEOUT)


# --- destruction ------------------------------------------------------------


def test_destroying_an_endpoint_ends_queued_receivers_with_object_gone() -> None:
    w = World()
    ep = w.endpoint()
    r1, r2 = w.thread(w.root), w.thread(w.root)
    w.blocks(r1, sc.Recv(ep))
    w.blocks(r2, sc.Recv(ep, timeout=5))
    out = w.sys(w.root, sc.CapDelete(ep))
    assert codes(out) == {r1: ErrorCode.OBJECT_GONE, r2: ErrorCode.OBJECT_GONE}
    assert results(out)[w.root] == Done()
    assert w.tick(10) == []


def test_destroying_an_endpoint_ends_queued_senders_and_callers_with_object_gone() -> None:
    w = World()
    ep = w.endpoint()
    s, c = w.thread(w.root), w.thread(w.root)
    w.blocks(s, sc.Send(ep, b"s"))
    w.blocks(c, sc.Call(ep, b"c"))
    out = w.sys(w.root, sc.CapDelete(ep))
    assert codes(out) == {s: ErrorCode.OBJECT_GONE, c: ErrorCode.OBJECT_GONE}


def test_time_never_goes_back() -> None:
    w, ep, _ = served()
    w.tick(10)
    assert w.tick(5) == []
    w.blocks(w.root, sc.Recv(ep, timeout=1))
    assert w.kernel.next_deadline() == 11
    assert w.tick(6) == []
    assert codes(w.tick(11)) == {w.root: ErrorCode.TIMEOUT}


def test_a_timeout_still_fires_after_many_cancelled_waits() -> None:
    w, ep, client = served()
    for _ in range(1500):
        w.blocks(w.root, sc.Recv(ep, timeout=100))
        w.sys(client, sc.Send(CLIENT_EP))
    w.blocks(w.root, sc.Recv(ep, timeout=5))
    assert w.kernel.next_deadline() == 5
    assert codes(w.tick(5)) == {w.root: ErrorCode.TIMEOUT}
    assert w.tick(1000) == []


def test_a_call_needs_a_free_slot_in_the_receiver_for_the_reply() -> None:
    w = World(cspace_size=6)  # root: 4 boot caps, the endpoint, the client: full
    ep = w.endpoint()
    _, client = w.spawn("client", [ep])
    w.blocks(w.root, sc.Recv(ep))
    w.err(client, sc.Call(0, b"q"), ErrorCode.CSPACE_FULL)
    assert results(w.sys(client, sc.Send(0, b"s")))[client] == Done()
    w.blocks(client, sc.Call(0, b"q"))
    w.err(w.root, sc.Recv(ep), ErrorCode.CSPACE_FULL)
