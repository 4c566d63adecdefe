"""Reply objects: call/reply, deferred replies, reply_recv, and every way a call can end."""

from __future__ import annotations

from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import CapDescription, Done, Received, Replied, StopProcess
from pith.kernel.core.errors import ErrorCode
from pith.kernel.core.events import ProcessExited
from pith.kernel.core.rights import ALL, READ, WRITE
from tests.kernel.core.harness import World, codes, results

CLIENT_EP = 0


def served(rights: int = ALL) -> tuple[World, int, int, int]:
    """Root serves `ep`; a client process (pid, tid) holds a copy with `rights` in slot 0."""
    w = World()
    ep = w.endpoint()
    given = ep if rights == ALL else w.created(w.root, sc.CapCopy(ep, rights))
    pid, client = w.spawn("client", [given])
    return w, ep, pid, client


def receive(w: World, ep: int) -> Received:
    got = results(w.sys(w.root, sc.Recv(ep)))[w.root]
    assert isinstance(got, Received), got
    return got


def called(
    w: World, ep: int, client: int, msg: bytes = b"q", timeout: float | None = None
) -> int:
    """`client` calls, root receives it; the slot of root's Reply cap."""
    w.blocks(client, sc.Call(CLIENT_EP, msg, timeout=timeout))
    got = receive(w, ep)
    assert got.msg == msg and got.reply is not None
    return got.reply


def test_call_gets_the_servers_reply() -> None:
    w, ep, _, client = served()
    reply = called(w, ep, client, b"question")
    info = w.ok(w.root, sc.CapInfo(reply))
    assert isinstance(info, CapDescription) and info.kind == "reply"
    out = results(w.sys(w.root, sc.Reply(reply, b"answer")))
    assert out == {w.root: Done(), client: Replied(b"answer", ())}


def test_a_deferred_reply_is_answered_after_other_calls() -> None:
    w, ep, _, first = served()
    second = w.thread(first)
    kept = called(w, ep, first, b"slow")
    quick = called(w, ep, second, b"fast")
    assert results(w.sys(w.root, sc.Reply(quick, b"fast done"))) == {
        w.root: Done(), second: Replied(b"fast done", ())
    }
    assert results(w.sys(w.root, sc.Reply(kept, b"slow done"))) == {
        w.root: Done(), first: Replied(b"slow done", ())
    }


def test_reply_recv_answers_and_takes_the_next_queued_call() -> None:
    w, ep, _, first = served()
    second = w.thread(first)
    reply = called(w, ep, first, b"one")
    w.blocks(second, sc.Call(CLIENT_EP, b"two"))
    out = results(w.sys(w.root, sc.ReplyRecv(reply, ep, b"ans")))
    assert out[first] == Replied(b"ans", ())
    nxt = out[w.root]
    assert isinstance(nxt, Received) and nxt.msg == b"two" and nxt.reply is not None


def test_reply_recv_blocks_for_the_next_message_after_answering() -> None:
    w, ep, _, client = served()
    reply = called(w, ep, client)
    out = results(w.sys(w.root, sc.ReplyRecv(reply, ep, b"ans")))
    assert out == {client: Replied(b"ans", ())}
    out = results(w.sys(client, sc.Send(CLIENT_EP, b"next")))
    assert out == {client: Done(), w.root: Received(b"next", 0, (), None)}


def test_reply_recv_with_a_bad_endpoint_keeps_the_reply() -> None:
    w, ep, _, client = served()
    reply = called(w, ep, client)
    w.err(w.root, sc.ReplyRecv(reply, 999), ErrorCode.INVALID_SLOT)
    assert results(w.sys(w.root, sc.Reply(reply, b"late")))[client] == Replied(b"late", ())


def test_replying_twice_is_refused() -> None:
    w, ep, _, client = served()
    reply = called(w, ep, client)
    w.ok(w.root, sc.Reply(reply, b"once"))
    w.err(w.root, sc.Reply(reply, b"twice"), ErrorCode.INVALID_SLOT)


def test_reply_caps_cannot_be_copied_minted_sent_or_spawned_with() -> None:
    w, ep, _, client = served()
    reply = called(w, ep, client)
    w.err(w.root, sc.CapCopy(reply, WRITE), ErrorCode.NOT_DERIVABLE)
    w.err(w.root, sc.CapMint(reply, WRITE, 1), ErrorCode.NOT_DERIVABLE)
    w.err(w.root, sc.Send(ep, b"", (reply,)), ErrorCode.NOT_DERIVABLE)
    w.err(w.root, sc.ProcessCreate(w.slots["spawn"], "x", (reply,)), ErrorCode.NOT_DERIVABLE)


def test_deleting_the_reply_drops_the_call() -> None:
    w, ep, _, client = served()
    reply = called(w, ep, client)
    out = w.sys(w.root, sc.CapDelete(reply))
    assert results(out)[w.root] == Done()
    assert codes(out) == {client: ErrorCode.REPLY_DROPPED}


def test_the_caller_gets_server_died_when_the_server_dies() -> None:
    w = World()
    ep = w.endpoint()
    server_pid, server = w.spawn("server", [ep])
    caller = w.thread(w.root)
    w.blocks(caller, sc.Call(ep, b"q", timeout=5))
    assert isinstance(results(w.sys(server, sc.Recv(0)))[server], Received)
    out = w.event(ProcessExited(server_pid, 1))
    assert codes(out) == {caller: ErrorCode.SERVER_DIED}
    assert StopProcess(server_pid) in out
    assert w.tick(10) == []


def test_queued_calls_wait_for_the_next_server_when_the_server_dies() -> None:
    w = World()
    ep = w.endpoint()
    server_pid, _ = w.spawn("server", [ep])
    caller = w.thread(w.root)
    w.blocks(caller, sc.Call(ep, b"q"))
    assert results(w.event(ProcessExited(server_pid, 1))) == {}
    _, restarted = w.spawn("server", [ep])
    got = results(w.sys(restarted, sc.Recv(0)))[restarted]
    assert isinstance(got, Received) and got.msg == b"q"


def test_the_reply_cap_disappears_when_the_caller_dies() -> None:
    w, ep, pid, client = served()
    reply = called(w, ep, client)
    w.event(ProcessExited(pid, 0))
    w.err(w.root, sc.CapInfo(reply), ErrorCode.INVALID_SLOT)
    w.err(w.root, sc.Reply(reply), ErrorCode.INVALID_SLOT)


def test_the_call_timeout_covers_the_wait_for_the_reply() -> None:
    w, ep, _, client = served()
    reply = called(w, ep, client, timeout=5)
    assert w.tick(4) == []
    assert codes(w.tick(5)) == {client: ErrorCode.TIMEOUT}
    w.err(w.root, sc.Reply(reply), ErrorCode.INVALID_SLOT)
    assert w.tick(50) == []


def test_the_call_timeout_covers_the_reply_when_the_server_was_waiting() -> None:
    w, ep, _, client = served()
    w.blocks(w.root, sc.Recv(ep))
    got = results(w.sys(client, sc.Call(CLIENT_EP, b"q", timeout=5)))
    received = got[w.root]
    assert client not in got and isinstance(received, Received) and received.reply is not None
    reply = received.reply
    assert w.kernel.next_deadline() == 5
    assert codes(w.tick(5)) == {client: ErrorCode.TIMEOUT}
    w.err(w.root, sc.Reply(reply), ErrorCode.INVALID_SLOT)


def test_the_call_timeout_counts_from_the_call_not_from_its_receipt() -> None:
    w, ep, _, client = served()
    w.blocks(client, sc.Call(CLIENT_EP, b"q", timeout=5))
    w.tick(3)
    reply = receive(w, ep).reply
    assert reply is not None
    assert codes(w.tick(5)) == {client: ErrorCode.TIMEOUT}
    w.err(w.root, sc.CapInfo(reply), ErrorCode.INVALID_SLOT)


def test_a_reply_before_the_timeout_cancels_it() -> None:
    w, ep, _, client = served()
    reply = called(w, ep, client, timeout=5)
    w.ok(w.root, sc.Reply(reply, b"in time"))
    assert w.tick(10) == []


def test_a_reply_carries_caps_when_the_callers_cap_has_grant() -> None:
    w, ep, _, client = served()
    reply = called(w, ep, client)
    n = w.notification()
    out = results(w.sys(w.root, sc.Reply(reply, b"", (n,))))
    assert out == {w.root: Done(), client: Replied(b"", (1,))}
    assert w.ok(client, sc.CapInfo(1)) == w.ok(w.root, sc.CapInfo(n))


def test_a_reply_with_caps_is_refused_when_the_callers_cap_lacks_grant() -> None:
    w, ep, _, client = served(READ | WRITE)
    reply = called(w, ep, client)
    n = w.notification()
    w.err(w.root, sc.Reply(reply, b"", (n,)), ErrorCode.MISSING_RIGHT)
    assert results(w.sys(w.root, sc.Reply(reply, b"plain")))[client] == Replied(b"plain", ())


def test_a_reply_over_64_kib_is_refused() -> None:
    w, ep, _, client = served()
    reply = called(w, ep, client)
    w.err(w.root, sc.Reply(reply, bytes(65537)), ErrorCode.MESSAGE_TOO_LARGE)
    assert results(w.sys(w.root, sc.Reply(reply, bytes(65536))))[client] == Replied(
        bytes(65536), ()
    )


def test_reply_recv_reuses_the_answered_replys_slot_in_a_full_cspace() -> None:
    w = World(cspace_size=7)  # root: 4 boot caps, the endpoint, the client, one spare
    ep = w.endpoint()
    _, first = w.spawn("client", [ep])
    second = w.thread(first)
    reply = called(w, ep, first, b"one")
    w.blocks(second, sc.Call(CLIENT_EP, b"two"))
    w.err(w.root, sc.NotificationCreate(), ErrorCode.CSPACE_FULL)
    out = results(w.sys(w.root, sc.ReplyRecv(reply, ep, b"ans")))
    assert out == {first: Replied(b"ans", ()), w.root: Received(b"two", 0, (), reply)}
