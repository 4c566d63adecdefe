"""Notifications: signal bits, wait/poll, binding to a thread's recv, destruction."""

from __future__ import annotations

import pytest

from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import Done, Received, Signalled
from pith.kernel.core.errors import ErrorCode
from pith.kernel.core.rights import ALL, READ, WRITE
from tests.kernel.core.harness import World, codes, results


def test_signals_or_their_bits_together() -> None:
    w = World()
    n = w.notification()
    w.ok(w.root, sc.Signal(n, 0b001))
    w.ok(w.root, sc.Signal(n, 0b100))
    w.ok(w.root, sc.Signal(n, 0b001))
    assert w.ok(w.root, sc.Wait(n)) == Signalled(0b101)


def test_a_signal_ors_in_the_badge_of_the_cap_used() -> None:
    w = World()
    n = w.notification()
    badged = w.created(w.root, sc.CapMint(n, ALL, 0b1000))
    w.ok(w.root, sc.Signal(badged, 0b1))
    assert w.ok(w.root, sc.Poll(n)) == Signalled(0b1001)
    w.ok(w.root, sc.Signal(badged))  # no bits: the badge alone
    assert w.ok(w.root, sc.Poll(n)) == Signalled(0b1000)


def test_wait_returns_the_bits_and_clears_them() -> None:
    w = World()
    n = w.notification()
    w.ok(w.root, sc.Signal(n, 6))
    assert w.ok(w.root, sc.Wait(n)) == Signalled(6)
    assert w.ok(w.root, sc.Poll(n)) == Signalled(0)


def test_poll_on_an_empty_notification_returns_zero_without_blocking() -> None:
    w = World()
    n = w.notification()
    assert w.ok(w.root, sc.Poll(n)) == Signalled(0)


def test_wait_blocks_until_a_signal_wakes_it() -> None:
    w = World()
    n = w.notification()
    waiter = w.thread(w.root)
    w.blocks(waiter, sc.Wait(n))
    out = results(w.sys(w.root, sc.Signal(n, 2)))
    assert out == {w.root: Done(), waiter: Signalled(2)}
    assert w.ok(w.root, sc.Poll(n)) == Signalled(0)


def test_wait_with_timeout_zero_on_no_bits_fails_at_once() -> None:
    w = World()
    n = w.notification()
    w.err(w.root, sc.Wait(n, timeout=0), ErrorCode.TIMEOUT)


def test_wait_times_out_once() -> None:
    w = World()
    n = w.notification()
    w.blocks(w.root, sc.Wait(n, timeout=2))
    assert codes(w.tick(2)) == {w.root: ErrorCode.TIMEOUT}
    assert w.tick(9) == []
    w.ok(w.root, sc.Signal(n, 1))
    assert w.ok(w.root, sc.Poll(n)) == Signalled(1)  # nobody was still waiting


@pytest.mark.parametrize("bits", [0, -1, 2**64])
def test_signal_bits_out_of_range_are_refused(bits: int) -> None:
    w = World()
    n = w.notification()
    w.err(w.root, sc.Signal(n, bits), ErrorCode.INVALID_ARGUMENT)


def test_signal_needs_write_and_wait_and_poll_need_read() -> None:
    w = World()
    n = w.notification()
    read_only = w.created(w.root, sc.CapCopy(n, READ))
    write_only = w.created(w.root, sc.CapCopy(n, WRITE))
    w.err(w.root, sc.Signal(read_only, 1), ErrorCode.MISSING_RIGHT)
    w.err(w.root, sc.Wait(write_only), ErrorCode.MISSING_RIGHT)
    w.err(w.root, sc.Poll(write_only), ErrorCode.MISSING_RIGHT)


def test_notification_calls_on_an_endpoint_are_refused() -> None:
    w = World()
    ep = w.endpoint()
    w.err(w.root, sc.Signal(ep, 1), ErrorCode.WRONG_TYPE)
    w.err(w.root, sc.Wait(ep), ErrorCode.WRONG_TYPE)
    w.err(w.root, sc.Bind(ep), ErrorCode.WRONG_TYPE)


# --- binding ----------------------------------------------------------------


def test_a_bound_notification_wakes_a_thread_blocked_in_recv() -> None:
    w = World()
    ep, n = w.endpoint(), w.notification()
    other = w.thread(w.root)
    w.ok(w.root, sc.Bind(n))
    w.blocks(w.root, sc.Recv(ep))
    out = results(w.sys(other, sc.Signal(n, 4)))
    assert out == {other: Done(), w.root: Signalled(4)}
    w.err(other, sc.Send(ep, timeout=0), ErrorCode.TIMEOUT)  # root left the queue


def test_recv_returns_pending_bound_bits_before_queued_messages() -> None:
    w = World()
    ep, n = w.endpoint(), w.notification()
    sender = w.thread(w.root)
    w.ok(w.root, sc.Bind(n))
    w.blocks(sender, sc.Send(ep, b"msg"))
    w.ok(w.root, sc.Signal(n, 8))
    assert w.ok(w.root, sc.Recv(ep)) == Signalled(8)
    out = results(w.sys(w.root, sc.Recv(ep)))
    assert out == {sender: Done(), w.root: Received(b"msg", 0, (), None)}


def test_recv_with_timeout_zero_returns_pending_bound_bits() -> None:
    w = World()
    ep, n = w.endpoint(), w.notification()
    w.ok(w.root, sc.Bind(n))
    w.ok(w.root, sc.Signal(n, 3))
    assert w.ok(w.root, sc.Recv(ep, timeout=0)) == Signalled(3)
    w.err(w.root, sc.Recv(ep, timeout=0), ErrorCode.TIMEOUT)


def test_a_thread_can_bind_only_one_notification() -> None:
    w = World()
    n1, n2 = w.notification(), w.notification()
    w.ok(w.root, sc.Bind(n1))
    w.err(w.root, sc.Bind(n2), ErrorCode.NOTIFICATION_BOUND)


def test_a_notification_binds_to_only_one_thread() -> None:
    w = World()
    n = w.notification()
    other = w.thread(w.root)
    w.ok(w.root, sc.Bind(n))
    w.err(other, sc.Bind(n), ErrorCode.NOTIFICATION_BOUND)


def test_a_notification_with_waiters_cannot_be_bound() -> None:
    w = World()
    n = w.notification()
    waiter = w.thread(w.root)
    w.blocks(waiter, sc.Wait(n))
    w.err(w.root, sc.Bind(n), ErrorCode.NOTIFICATION_BOUND)


def test_only_the_bound_thread_may_wait_or_poll() -> None:
    w = World()
    n = w.notification()
    other = w.thread(w.root)
    w.ok(w.root, sc.Bind(n))
    w.err(other, sc.Wait(n), ErrorCode.NOTIFICATION_BOUND)
    w.err(other, sc.Poll(n), ErrorCode.NOTIFICATION_BOUND)
    w.ok(w.root, sc.Unbind())
    assert w.ok(other, sc.Poll(n)) == Signalled(0)


def test_unbind_without_a_binding_is_refused() -> None:
    w = World()
    w.err(w.root, sc.Unbind(), ErrorCode.INVALID_ARGUMENT)


def test_bind_needs_read() -> None:
    w = World()
    n = w.notification()
    write_only = w.created(w.root, sc.CapCopy(n, WRITE))
    w.err(w.root, sc.Bind(write_only), ErrorCode.MISSING_RIGHT)


# --- destruction ------------------------------------------------------------


def test_destroying_a_notification_wakes_its_waiters_with_object_gone() -> None:
    w = World()
    n = w.notification()
    waiters = [w.thread(w.root), w.thread(w.root)]
    for t in waiters:
        w.blocks(t, sc.Wait(n, timeout=5))
    out = w.sys(w.root, sc.CapDelete(n))
    assert codes(out) == dict.fromkeys(waiters, ErrorCode.OBJECT_GONE)
    assert results(out)[w.root] == Done()
    assert w.tick(10) == []


def test_destroying_a_bound_notification_unbinds_the_thread() -> None:
    w = World()
    n = w.notification()
    w.ok(w.root, sc.Bind(n))
    w.ok(w.root, sc.CapDelete(n))
    w.err(w.root, sc.Unbind(), ErrorCode.INVALID_ARGUMENT)
    w.ok(w.root, sc.Bind(w.notification()))
