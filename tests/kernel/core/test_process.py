"""Processes and threads: spawn, kill, death in all its forms, watchers, thread lifecycle."""

from __future__ import annotations

import pytest

from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import (
    Action,
    CapDescription,
    Created,
    Done,
    FreeMemory,
    ProcessState,
    Received,
    Resume,
    Signalled,
    SignalProcess,
    StartProcess,
    StartThread,
    StopProcess,
)
from pith.kernel.core.errors import ErrorCode
from pith.kernel.core.events import ProcessExited, ThreadExited, Tick
from pith.kernel.core.rights import ALL, READ, WRITE
from tests.kernel.core.harness import World, results


def naming(actions: list[Action], pid: int, tids: set[int]) -> list[Action]:
    """The actions that name process `pid` or one of `tids`."""
    return [
        a for a in actions
        if getattr(a, "pid", None) == pid or getattr(a, "tid", None) in tids
    ]


def status(w: World, pid: int) -> ProcessState:
    r = w.ok(w.root, sc.ProcessStatus(w.pslot[pid]))
    assert isinstance(r, ProcessState), r
    return r


# --- spawn --------------------------------------------------------------------


def test_spawn_needs_the_spawn_cap() -> None:
    w = World()
    ep = w.endpoint()
    weak_spawn = w.created(w.root, sc.CapCopy(w.slots["spawn"], READ))
    _, child = w.spawn("child", [ep, weak_spawn])
    w.err(child, sc.ProcessCreate(0, "x"), ErrorCode.WRONG_TYPE)
    w.err(child, sc.ProcessCreate(1, "x"), ErrorCode.MISSING_RIGHT)
    w.err(child, sc.ProcessCreate(2, "x"), ErrorCode.INVALID_SLOT)


def test_a_copy_of_the_spawn_cap_lets_a_process_spawn() -> None:
    w = World()
    pid, child = w.spawn("pm", [w.slots["spawn"]])
    r = w.ok(child, sc.ProcessCreate(0, "grandchild"))
    assert isinstance(r, Created) and r.slot == 1 and r.id != pid


def test_spawn_gives_the_creator_a_process_cap_and_starts_the_process() -> None:
    w = World()
    pid, tid = w.spawn("child")
    assert w.ok(w.root, sc.CapInfo(w.pslot[pid])) == CapDescription("process", pid, ALL, 0)
    assert status(w, pid) == ProcessState(pid, True, None)
    assert tid not in (w.root, pid)


def test_spawned_caps_land_in_slots_zero_to_n_minus_one() -> None:
    w = World()
    ep = w.endpoint()
    n = w.created(w.root, sc.CapMint(w.notification(), WRITE, 3))
    mem = w.created(w.root, sc.MemoryCreate(4096))
    _, child = w.spawn("child", [ep, n, mem])
    for slot, given in enumerate([ep, n, mem]):
        assert w.ok(child, sc.CapInfo(slot)) == w.ok(w.root, sc.CapInfo(given))
    w.err(child, sc.CapInfo(3), ErrorCode.INVALID_SLOT)


def test_spawned_caps_are_derived_from_the_creators() -> None:
    w = World()
    ep = w.endpoint()
    _, child = w.spawn("child", [ep])
    w.ok(w.root, sc.CapRevoke(ep))
    w.err(child, sc.CapInfo(0), ErrorCode.INVALID_SLOT)


@pytest.mark.parametrize("name", ["", "x" * 65, "line\nbreak", "nul\x00"])
def test_bad_process_names_are_refused(name: str) -> None:
    w = World()
    w.err(w.root, sc.ProcessCreate(w.slots["spawn"], name), ErrorCode.INVALID_ARGUMENT)


def test_a_64_character_name_is_accepted() -> None:
    w = World()
    w.spawn("x" * 64)


def test_spawn_hands_the_program_and_its_args_to_the_host() -> None:
    w = World()
    call = sc.ProcessCreate(w.slots["spawn"], "sh", (), "pith.user.sh:main", ("-c", "ls"), True)
    out = w.sys(w.root, call)
    r = results(out)[w.root]
    assert isinstance(r, Created)
    (start,) = [a for a in out if isinstance(a, StartProcess)]
    assert start == StartProcess(r.id, start.tid, "sh", "pith.user.sh:main", ("-c", "ls"), True)


@pytest.mark.parametrize(
    ("program", "args"),
    [("p" * 257, ()), ("", ("a",) * 65), ("", ("a" * 40000, "b" * 30000))],
)
def test_a_program_or_args_too_long_are_refused(program: str, args: tuple[str, ...]) -> None:
    w = World()
    call = sc.ProcessCreate(w.slots["spawn"], "x", (), program, args)
    w.err(w.root, call, ErrorCode.INVALID_ARGUMENT)


def test_spawning_with_too_many_or_missing_caps_is_refused() -> None:
    w = World()
    spawn = w.slots["spawn"]
    w.err(w.root, sc.ProcessCreate(spawn, "x", (0,) * 65), ErrorCode.TOO_MANY_CAPS)
    w.err(w.root, sc.ProcessCreate(spawn, "x", (0, 500)), ErrorCode.INVALID_SLOT)


def test_spawning_with_more_caps_than_a_cspace_holds_is_refused() -> None:
    w = World(cspace_size=8)
    w.err(w.root, sc.ProcessCreate(w.slots["spawn"], "x", (0,) * 9), ErrorCode.CSPACE_FULL)


# --- kill and death -------------------------------------------------------------


def test_kill_stops_the_process_and_records_the_status() -> None:
    w = World()
    pid, _ = w.spawn("victim")
    out = w.sys(w.root, sc.ProcessKill(w.pslot[pid], 7))
    assert StopProcess(pid) in out and results(out) == {w.root: Done()}
    assert status(w, pid) == ProcessState(pid, False, 7)


def test_kill_defaults_to_status_minus_nine() -> None:
    w = World()
    pid, _ = w.spawn("victim")
    w.ok(w.root, sc.ProcessKill(w.pslot[pid]))
    assert status(w, pid).status == -9


@pytest.mark.parametrize("code", [2**31, -(2**31) - 1])
def test_an_exit_status_beyond_32_bits_is_refused(code: int) -> None:
    w = World()
    pid, _ = w.spawn("victim")
    w.err(w.root, sc.ProcessKill(w.pslot[pid], code), ErrorCode.INVALID_ARGUMENT)


def test_status_needs_read_on_the_process_cap() -> None:
    w = World()
    pid, _ = w.spawn("child")
    write_only = w.created(w.root, sc.CapCopy(w.pslot[pid], WRITE))
    w.err(w.root, sc.ProcessStatus(write_only), ErrorCode.MISSING_RIGHT)
    w.err(w.root, sc.ProcessStatus(w.slots["spawn"]), ErrorCode.WRONG_TYPE)


def test_kill_needs_write_and_a_live_process() -> None:
    w = World()
    pid, _ = w.spawn("victim")
    read_only = w.created(w.root, sc.CapCopy(w.pslot[pid], READ))
    w.err(w.root, sc.ProcessKill(read_only), ErrorCode.MISSING_RIGHT)
    w.ok(w.root, sc.ProcessKill(w.pslot[pid]))
    w.err(w.root, sc.ProcessKill(w.pslot[pid]), ErrorCode.PROCESS_DEAD)


def test_signal_asks_the_host_to_deliver_it_and_the_process_lives_on() -> None:
    w = World()
    pid, _ = w.spawn("target")
    out = w.sys(w.root, sc.ProcessSignal(w.pslot[pid], 10))
    assert out == [SignalProcess(pid, 10), Resume(w.root, Done())]
    assert status(w, pid).alive


@pytest.mark.parametrize("signo", [0, -1, 9, 19, 65, 2**40])
def test_signal_numbers_outside_1_to_64_or_kill_and_stop_are_refused(signo: int) -> None:
    w = World()
    pid, _ = w.spawn("target")
    e = w.err(w.root, sc.ProcessSignal(w.pslot[pid], signo), ErrorCode.INVALID_ARGUMENT)
    assert "process_kill" in e.detail


def test_signal_needs_write_and_a_live_process() -> None:
    w = World()
    pid, _ = w.spawn("target")
    read_only = w.created(w.root, sc.CapCopy(w.pslot[pid], READ))
    w.err(w.root, sc.ProcessSignal(read_only, 15), ErrorCode.MISSING_RIGHT)
    w.err(w.root, sc.ProcessSignal(w.slots["spawn"], 15), ErrorCode.WRONG_TYPE)
    w.ok(w.root, sc.ProcessKill(w.pslot[pid]))
    w.err(w.root, sc.ProcessSignal(w.pslot[pid], 15), ErrorCode.PROCESS_DEAD)


def test_after_a_kill_no_action_names_the_process_or_its_threads() -> None:
    w = World()
    ep = w.endpoint()
    pid, main = w.spawn("victim", [ep])
    n = w.notification(main)
    waiter, caller, receiver = w.thread(main), w.thread(main), w.thread(main)
    w.blocks(waiter, sc.Wait(n, timeout=5))
    w.blocks(caller, sc.Call(0, b"q", timeout=5))
    got = results(w.sys(w.root, sc.Recv(ep)))[w.root]
    assert isinstance(got, Received) and got.reply is not None
    w.blocks(receiver, sc.Recv(0, timeout=5))
    tids = {main, waiter, caller, receiver}
    out = w.sys(w.root, sc.ProcessKill(w.pslot[pid]))
    assert naming(out, pid, tids) == [StopProcess(pid)]
    later = [
        *w.tick(100),
        *w.sys(main, sc.Poll(n)),
        *w.event(ThreadExited(waiter)),
        *w.event(ProcessExited(pid, 0)),
    ]
    assert later == []
    w.err(w.root, sc.Reply(got.reply), ErrorCode.INVALID_SLOT)
    w.err(w.root, sc.Send(ep, timeout=0), ErrorCode.TIMEOUT)


def test_a_process_can_kill_itself() -> None:
    w = World()
    ep = w.endpoint()
    pid, main = w.spawn("quitter", [ep])
    other = w.thread(main)
    w.blocks(other, sc.Wait(w.notification(main)))
    w.blocks(w.root, sc.Send(ep, b"", (w.pslot[pid],)))
    got = results(w.sys(main, sc.Recv(0)))[main]
    assert isinstance(got, Received)
    out = w.sys(main, sc.ProcessKill(got.caps[0], 5))
    assert out == [StopProcess(pid)]
    assert status(w, pid) == ProcessState(pid, False, 5)


def test_the_host_reporting_an_exit_kills_the_process() -> None:
    w = World()
    pid, tid = w.spawn("crasher")
    out = w.event(ProcessExited(pid, 139))
    assert out == [StopProcess(pid)]
    assert status(w, pid) == ProcessState(pid, False, 139)
    assert w.sys(tid, sc.ThreadCreate()) == []


def test_watchers_are_signalled_when_the_process_dies() -> None:
    w = World()
    n = w.notification()
    pid, _ = w.spawn("watched")
    w.ok(w.root, sc.ProcessWatch(w.pslot[pid], n, 0b10))
    waiter = w.thread(w.root)
    w.blocks(waiter, sc.Wait(n))
    out = w.event(ProcessExited(pid, 0))
    assert results(out) == {waiter: Signalled(0b10)}


def test_watching_a_dead_process_signals_at_once() -> None:
    w = World()
    n = w.notification()
    pid, _ = w.spawn("dead")
    w.event(ProcessExited(pid, 0))
    w.ok(w.root, sc.ProcessWatch(w.pslot[pid], n, 4))
    assert w.ok(w.root, sc.Poll(n)) == Signalled(4)


def test_watch_needs_read_on_the_process_and_write_on_the_notification() -> None:
    w = World()
    n = w.notification()
    pid, _ = w.spawn("watched")
    no_read = w.created(w.root, sc.CapCopy(w.pslot[pid], WRITE))
    no_write = w.created(w.root, sc.CapCopy(n, READ))
    w.err(w.root, sc.ProcessWatch(no_read, n), ErrorCode.MISSING_RIGHT)
    w.err(w.root, sc.ProcessWatch(w.pslot[pid], no_write), ErrorCode.MISSING_RIGHT)
    w.err(w.root, sc.ProcessWatch(w.pslot[pid], n, 0), ErrorCode.INVALID_ARGUMENT)


def test_caps_derived_from_a_dead_processes_caps_are_revoked() -> None:
    w = World()
    ep = w.endpoint()
    ep_cap = w.ok(w.root, sc.CapInfo(ep))
    pid, child = w.spawn("giver", [ep])
    r = w.ok(child, sc.MemoryCreate(4096))
    assert isinstance(r, Created) and r.slot is not None
    w.blocks(w.root, sc.Recv(ep))
    got = results(w.sys(child, sc.Send(0, b"", (r.slot,))))[w.root]
    assert isinstance(got, Received)
    out = w.event(ProcessExited(pid, 0))
    assert FreeMemory(r.id) in out
    w.err(w.root, sc.CapInfo(got.caps[0]), ErrorCode.INVALID_SLOT)
    assert w.ok(w.root, sc.CapInfo(ep)) == ep_cap


def test_the_caps_a_dead_process_was_given_go_but_the_creators_stay() -> None:
    w = World()
    ep = w.endpoint()
    ep_cap = w.ok(w.root, sc.CapInfo(ep))
    assert isinstance(ep_cap, CapDescription)
    pid, _ = w.spawn("child", [ep])
    w.event(ProcessExited(pid, 0))
    assert w.ok(w.root, sc.CapInfo(ep)) == ep_cap
    assert w.kernel.objects[ep_cap.object].ncaps == 1


# --- threads --------------------------------------------------------------------


def test_thread_create_starts_a_thread_that_can_make_syscalls() -> None:
    w = World()
    out = w.sys(w.root, sc.ThreadCreate())
    new = results(out)[w.root]
    assert isinstance(new, Created) and new.slot is None
    assert StartThread(w.root_pid, new.id) in out
    assert isinstance(w.ok(new.id, sc.NotificationCreate()), Created)


def test_a_process_has_at_most_64_threads() -> None:
    w = World()
    for _ in range(63):
        w.thread(w.root)
    w.err(w.root, sc.ThreadCreate(), ErrorCode.INVALID_ARGUMENT)


def test_an_exited_thread_is_gone_and_the_process_lives_on() -> None:
    w = World()
    pid, main = w.spawn("child")
    other = w.thread(main)
    assert w.event(ThreadExited(other)) == []
    assert w.sys(other, sc.ThreadCreate()) == []
    assert status(w, pid).alive
    assert isinstance(w.ok(main, sc.ThreadCreate()), Created)


def test_an_exited_thread_leaves_the_queue_it_waited_in() -> None:
    w = World()
    ep = w.endpoint()
    _, main = w.spawn("child", [ep])
    other = w.thread(main)
    w.blocks(other, sc.Recv(0, timeout=5))
    assert w.event(ThreadExited(other)) == []
    w.err(w.root, sc.Send(ep, timeout=0), ErrorCode.TIMEOUT)
    assert w.tick(10) == []


def test_the_last_thread_exiting_kills_the_process() -> None:
    w = World()
    pid, main = w.spawn("child")
    other = w.thread(main)
    w.event(ThreadExited(main))
    out = w.event(ThreadExited(other))
    assert out == [StopProcess(pid)]
    assert status(w, pid) == ProcessState(pid, False, 0)


def test_a_syscall_from_an_unknown_thread_returns_no_actions() -> None:
    w = World()
    before = w.kernel.snapshot()
    assert w.sys(12345, sc.EndpointCreate()) == []
    assert w.kernel.snapshot() == before


def test_a_record_that_is_not_a_syscall_is_refused() -> None:
    w = World()
    w.err(w.root, Tick(5.0), ErrorCode.INVALID_ARGUMENT)  # type: ignore[arg-type]


def test_a_second_syscall_from_a_blocked_thread_is_refused_and_the_first_completes() -> None:
    w = World()
    ep = w.endpoint()
    _, client = w.spawn("client", [ep])
    w.blocks(w.root, sc.Recv(ep))
    w.err(w.root, sc.EndpointCreate(), ErrorCode.THREAD_BUSY)
    w.err(w.root, sc.Recv(ep), ErrorCode.THREAD_BUSY)
    out = w.sys(client, sc.Send(0, b"hi"))
    assert Resume(w.root, Received(b"hi", 0, (), None)) in out
