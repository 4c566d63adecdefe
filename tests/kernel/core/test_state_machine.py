"""The kernel core driven by random interleavings of every syscall, deaths and ticks.

A Hypothesis RuleBasedStateMachine plays the host: a few processes with a few
threads each make random syscalls (on valid and invalid slots), processes die
by host exit or by kill, threads exit, time passes. After every step it checks
the invariants the kernel promises (see the numbered list in docs/design.md):

1. a process reaches an object only through a cap derived from an original it
   was given (created, spawned with, received);
2. rights never grow along the derivation tree, and a cap's rights and badge
   never change;
3. revoke removes exactly the derived caps;
4. every blocked syscall ends with exactly one outcome (none lost, none
   doubled), even across deaths;
5. after a process dies no action names it or its threads, and no slot
   refers to its threads or its Replies;
6. a refused syscall leaves the whole state unchanged.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from pith.kernel.core import Kernel
from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import (
    Action,
    ApplyPriority,
    Created,
    Error,
    Received,
    Replied,
    Resume,
    StartProcess,
    StartThread,
    StopProcess,
)
from pith.kernel.core.cspace import Cap, descendants
from pith.kernel.core.endpoint import Endpoint
from pith.kernel.core.events import ProcessExited, ThreadExited, Tick
from pith.kernel.core.notification import Notification
from pith.kernel.core.process import Process
from pith.kernel.core.reply import Reply
from pith.kernel.core.thread import State

CSPACE = 16  # small, so that full CSpaces happen
SLOTS = st.integers(0, 255)  # resolved by _slot: mostly held slots, sometimes any
PICK = st.integers(0, 1000)
TIMEOUTS = st.sampled_from([None, 0, 0.5, 0.5, 2.0])
RIGHTS = st.integers(0, 7)
MSG = st.sampled_from([b"", b"m", b"msg", b"m" * 65_536, b"x" * 65_537])
CAPS = st.lists(SLOTS, max_size=2).map(tuple)


class KernelMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.k = Kernel(cspace_size=CSPACE)
        info, _ = self.k.boot(devices=["disk"])
        self.root_tid = info.tid
        self.root_pid = info.pid
        self.pending: set[int] = set()  # threads with a syscall in progress
        self.dead_pids: set[int] = set()
        self.dead_tids: set[int] = set()
        self.originals: set[int] = set()  # id() of caps witnessed as created originals
        self.legit: set[int] = set()  # originals and caps first seen derived from legit ones
        self.seen: dict[int, tuple[Cap, int, int, int]] = {}  # id -> (cap, oid, rights, badge)
        self.caps_before: dict[int, Cap] = {}
        for cap in self.k.objects[self.root_pid].cspace.slots.values():  # type: ignore[attr-defined]
            self.originals.add(id(cap))
        self._remember_caps()
        self._populate()

    def _populate(self) -> None:
        """An endpoint and a notification shared by root and two processes of two threads."""
        root = self.root_tid
        for call in (sc.EndpointCreate(), sc.NotificationCreate(), sc.ThreadCreate()):
            self._sys(root, call)
        shared = (4, 5)  # the new objects (slots 0-3: spawn, sched, trace, disk)
        for _ in range(2):
            start = [a for a in self._sys(root, sc.ProcessCreate(0, "p", shared))
                     if isinstance(a, StartProcess)]
            self._sys(start[0].tid, sc.ThreadCreate())

    # --- helpers ------------------------------------------------------------

    def _live_caps(self) -> dict[int, Cap]:
        caps: dict[int, Cap] = {}
        for obj in self.k.objects.values():
            if isinstance(obj, Process):
                for cap in obj.cspace.slots.values():
                    caps[id(cap)] = cap
        return caps

    def _remember_caps(self) -> None:
        self.caps_before = self._live_caps()
        for key, cap in self.caps_before.items():
            if key in self.seen:
                continue
            self.seen[key] = (cap, cap.obj.oid, cap.rights, cap.badge)  # (keeps ids unique)
            if key in self.originals or (cap.parent and id(cap.parent) in self.legit):
                self.legit.add(key)

    def _slot(self, tid: int, pick: int, kind: str | None = None) -> int:
        """Mostly a held slot (of `kind` when there is one), sometimes any number."""
        slots = self.k.threads[tid].process.cspace.slots
        held = sorted(slots)
        typed = [s for s in held if slots[s].obj.kind == kind]
        if pick % 8 == 7 or not held:
            return pick % (CSPACE + 2) - 1
        if typed and pick % 8 != 6:  # the first (the shared one) half the time
            return typed[0] if pick % 2 else typed[(pick // 8) % len(typed)]
        return held[(pick // 8) % len(held)]

    def _slots(self, tid: int, picks: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(self._slot(tid, p) for p in picks)

    def _thread(self, pick: int, idle: bool | None = None) -> int | None:
        """A thread: idle ones mostly (a busy one only gets THREAD_BUSY)."""
        threads = self.k.threads
        if idle is None:
            idle = pick % 8 != 7 or None
        tids = sorted(t for t in threads if idle is None or (threads[t].state is State.IDLE))
        return tids[pick % len(tids)] if tids else None

    def _live_pids(self) -> list[int]:
        return sorted(
            oid for oid, o in self.k.objects.items() if isinstance(o, Process) and o.alive
        )

    def _check_actions(self, actions: list[Action], issuer: int | None) -> None:
        """Invariants 4 and 5 on the actions of one step."""
        resumed: set[int] = set()
        stopped: set[int] = set()
        for a in actions:
            if isinstance(a, Resume):
                assert a.tid not in self.dead_tids, f"action names dead thread {a.tid}"
                assert a.tid not in resumed, f"two outcomes for thread {a.tid}"
                assert a.tid in self.pending or a.tid == issuer, f"unasked outcome for {a.tid}"
                resumed.add(a.tid)
                self.pending.discard(a.tid)
            elif isinstance(a, StartThread | StopProcess | ApplyPriority):
                assert a.pid not in self.dead_pids | stopped, f"action names dead {a.pid}"
                if isinstance(a, StopProcess):
                    stopped.add(a.pid)
        for pid in stopped:
            self.dead_pids.add(pid)
        self.dead_tids |= {t for t in self.pending if t not in self.k.threads}
        self.pending &= set(self.k.threads)
        self._witness_originals(actions)
        self._check_new_caps(actions)

    def _witness_originals(self, actions: list[Action]) -> None:
        for a in actions:
            if not isinstance(a, Resume):
                continue
            t = self.k.threads.get(a.tid)
            if t is None:
                continue
            slots = t.process.cspace.slots
            r = a.result
            if isinstance(r, Created) and r.slot is not None and slots[r.slot].parent is None:
                self.originals.add(id(slots[r.slot]))
            if isinstance(r, Received) and r.reply is not None:
                self.originals.add(id(slots[r.reply]))

    def _check_new_caps(self, actions: list[Action]) -> None:
        """Invariant 1: a cap derived across processes arrives only by a message or spawn."""
        delivered: set[tuple[int, int]] = set()
        for a in actions:
            if isinstance(a, Resume) and isinstance(a.result, Received | Replied):
                pid = self.k.threads[a.tid].process.oid
                delivered |= {(pid, slot) for slot in a.result.caps}
            if isinstance(a, StartProcess):
                delivered |= {(a.pid, s) for s in range(CSPACE)}
        for key, cap in self._live_caps().items():
            if key in self.caps_before or cap.parent is None:
                continue
            assert cap.cspace is not None and cap.parent.cspace is not None
            owner = cap.cspace.owner.oid
            if cap.parent.cspace.owner.oid != owner:
                assert (owner, cap.slot) in delivered, f"cap appeared in {owner} from nowhere"

    def _sys(self, tid: int, call: Any) -> list[Action]:
        """Make a syscall; check invariants 4, 5 and 6 on what comes back."""
        before = self.k.snapshot()
        busy = tid in self.pending
        actions = self.k.syscall(tid, call)
        own = [a for a in actions if isinstance(a, Resume) and a.tid == tid]
        if busy:
            assert len(own) == 1 and isinstance(own[0].result, Error)
            assert own[0].result.code == 14  # THREAD_BUSY
            assert self.k.snapshot() == before
            return actions
        if own and isinstance(own[0].result, Error):
            assert len(actions) == 1, f"a refused syscall had side effects: {actions}"
            assert self.k.snapshot() == before, "a refused syscall changed the state"
        self._check_actions(actions, tid)
        if not own and tid in self.k.threads:
            self.pending.add(tid)
        self._remember_caps()
        return actions

    def _event(self, event: Any) -> list[Action]:
        actions = self.k.handle(event)
        self._check_actions(actions, None)
        self._remember_caps()
        return actions

    # --- rules: objects and capabilities ----------------------------------------

    @rule(pick=PICK, kind=st.sampled_from(["endpoint", "notification", "memory"]))
    def create(self, pick: int, kind: str) -> None:
        tid = self._thread(pick, idle=True)
        if tid is not None:
            call = {
                "endpoint": sc.EndpointCreate(),
                "notification": sc.NotificationCreate(),
                "memory": sc.MemoryCreate(4096),
            }[kind]
            self._sys(tid, call)

    @rule(
        pick=PICK,
        slot=SLOTS,
        op=st.sampled_from(["copy", "mint", "move", "delete", "info"]),
        rights=RIGHTS,
        badge=st.integers(0, 3),
        dest=st.none() | st.integers(-1, CSPACE),
    )
    def cap_op(
        self, pick: int, slot: int, op: str, rights: int, badge: int, dest: int | None
    ) -> None:
        tid = self._thread(pick)
        if tid is None:
            return
        src = self._slot(tid, slot, "endpoint" if op == "mint" else None)
        call = {
            "copy": sc.CapCopy(src, rights, dest),
            "mint": sc.CapMint(src, rights, badge, dest),
            "move": sc.CapMove(src, CSPACE if dest is None else dest),
            "delete": sc.CapDelete(src),
            "info": sc.CapInfo(src),
        }[op]
        self._sys(tid, call)

    @rule(pick=PICK, slot=SLOTS)
    def cap_revoke(self, pick: int, slot: int) -> None:
        """Invariant 3: exactly the descendants disappear."""
        tid = self._thread(pick, idle=True)
        if tid is None:
            return
        slot = self._slot(tid, slot)
        cap = self.k.threads[tid].process.cspace.slots.get(slot)
        doomed = {id(d) for d in descendants(cap)} if cap is not None else set()
        before = set(self._live_caps())
        actions = self._sys(tid, sc.CapRevoke(slot))
        own = [a for a in actions if isinstance(a, Resume) and a.tid == tid]
        if own and not isinstance(own[0].result, Error):
            assert set(self._live_caps()) == before - doomed

    # --- rules: IPC ----------------------------------------------------------------

    @rule(pick=PICK, slot=SLOTS, msg=MSG, caps=CAPS, timeout=TIMEOUTS, is_call=st.booleans())
    def send(
        self, pick: int, slot: int, msg: bytes, caps: tuple[int, ...], timeout: float | None,
        is_call: bool,
    ) -> None:
        tid = self._thread(pick)
        if tid is not None:
            cls = sc.Call if is_call else sc.Send
            ep = self._slot(tid, slot, "endpoint")
            self._sys(tid, cls(ep, msg, self._slots(tid, caps), timeout))

    @rule(pick=PICK, slot=SLOTS, timeout=TIMEOUTS)
    def recv(self, pick: int, slot: int, timeout: float | None) -> None:
        tid = self._thread(pick)
        if tid is not None:
            self._sys(tid, sc.Recv(self._slot(tid, slot, "endpoint"), timeout))

    @rule(pick=PICK, slot=SLOTS, msg=MSG, caps=CAPS)
    def reply(self, pick: int, slot: int, msg: bytes, caps: tuple[int, ...]) -> None:
        tid = self._thread(pick)
        if tid is not None:
            self._sys(tid, sc.Reply(self._slot(tid, slot, "reply"), msg, self._slots(tid, caps)))

    @rule(pick=PICK, reply=SLOTS, slot=SLOTS, caps=CAPS, timeout=TIMEOUTS)
    def reply_recv(
        self, pick: int, reply: int, slot: int, caps: tuple[int, ...], timeout: float | None
    ) -> None:
        tid = self._thread(pick)
        if tid is not None:
            r, e = self._slot(tid, reply, "reply"), self._slot(tid, slot, "endpoint")
            self._sys(tid, sc.ReplyRecv(r, e, b"r", self._slots(tid, caps), timeout))

    @rule(pick=PICK, msg=MSG, caps=CAPS, then_recv=st.booleans(), timeout=TIMEOUTS)
    def answer(
        self, pick: int, msg: bytes, caps: tuple[int, ...], then_recv: bool,
        timeout: float | None,
    ) -> None:
        """An idle thread whose process holds a Reply answers it (servers do this)."""
        holders = sorted(
            (tid, slot)
            for tid, t in self.k.threads.items()
            if t.state is State.IDLE
            for slot, cap in t.process.cspace.slots.items()
            if isinstance(cap.obj, Reply)
        )
        if not holders:
            return
        tid, slot = holders[pick % len(holders)]
        caps = self._slots(tid, caps)
        if then_recv:
            ep = self._slot(tid, pick, "endpoint")
            self._sys(tid, sc.ReplyRecv(slot, ep, msg, caps, timeout))
        else:
            self._sys(tid, sc.Reply(slot, msg, caps))

    @rule(pick=PICK, msg=MSG, caps=CAPS, is_call=st.booleans(), timeout=TIMEOUTS)
    def partner(
        self, pick: int, msg: bytes, caps: tuple[int, ...], is_call: bool,
        timeout: float | None,
    ) -> None:
        """An idle thread meets a queue: receive from waiting senders, or send to receivers."""
        meets = sorted(
            (tid, slot)
            for tid, t in self.k.threads.items()
            if t.state is State.IDLE
            for slot, cap in t.process.cspace.slots.items()
            if isinstance(cap.obj, Endpoint) and (cap.obj.senders or cap.obj.receivers)
        )
        if not meets:
            return
        tid, slot = meets[pick % len(meets)]
        ep = self.k.threads[tid].process.cspace.slots[slot].obj
        assert isinstance(ep, Endpoint)
        if ep.senders:
            self._sys(tid, sc.Recv(slot, timeout))
        else:
            cls = sc.Call if is_call else sc.Send
            self._sys(tid, cls(slot, msg, self._slots(tid, caps), timeout))

    @rule(pick=PICK, slot=SLOTS, bits=st.integers(0, 5))
    def signal(self, pick: int, slot: int, bits: int) -> None:
        tid = self._thread(pick)
        if tid is not None:
            self._sys(tid, sc.Signal(self._slot(tid, slot, "notification"), bits))

    @rule(pick=PICK, slot=SLOTS, timeout=TIMEOUTS, poll=st.booleans())
    def wait(self, pick: int, slot: int, timeout: float | None, poll: bool) -> None:
        tid = self._thread(pick)
        if tid is not None:
            slot = self._slot(tid, slot, "notification")
            self._sys(tid, sc.Poll(slot) if poll else sc.Wait(slot, timeout))

    @rule(pick=PICK, slot=SLOTS, unbind=st.booleans())
    def bind(self, pick: int, slot: int, unbind: bool) -> None:
        tid = self._thread(pick)
        if tid is not None:
            slot = self._slot(tid, slot, "notification")
            self._sys(tid, sc.Unbind() if unbind else sc.Bind(slot))

    # --- rules: processes, threads, time ---------------------------------------------

    @precondition(lambda self: len(self._live_pids()) < 6)
    @rule(caps=st.lists(SLOTS, max_size=4).map(tuple), spawn=SLOTS)
    def spawn(self, caps: tuple[int, ...], spawn: int) -> None:
        if self.root_tid in self.pending:
            return
        caps = self._slots(self.root_tid, caps)
        spawn = self._slot(self.root_tid, spawn, "spawn")
        self._sys(self.root_tid, sc.ProcessCreate(spawn, "p", caps))

    @rule(pick=PICK, slot=SLOTS, bits=st.integers(0, 2))
    def watch(self, pick: int, slot: int, bits: int) -> None:
        if self.root_tid not in self.pending:
            root = self.root_tid
            watch = sc.ProcessWatch(
                self._slot(root, slot, "process"), self._slot(root, pick, "notification"), bits
            )
            self._sys(root, watch)

    @rule(pick=PICK, by_host=st.booleans(), slot=SLOTS)
    def kill(self, pick: int, by_host: bool, slot: int) -> None:
        if pick % 4:
            return  # deaths are rarer than the rest, or the world empties at once
        pids = [p for p in self._live_pids() if p != self.root_pid]
        if by_host and pids:
            self._event(ProcessExited(pids[pick % len(pids)], 1))
        elif not by_host and self.root_tid not in self.pending:
            self._sys(self.root_tid, sc.ProcessKill(self._slot(self.root_tid, slot, "process"), 3))

    @rule(pick=PICK, create=st.booleans())
    def thread(self, pick: int, create: bool) -> None:
        tid = self._thread(pick, idle=True if create else None)
        if tid is None:
            return
        if create and len(self.k.threads) < 12:
            self._sys(tid, sc.ThreadCreate())
        elif tid != self.root_tid and (
            len(self.k.threads[tid].process.threads) > 1 or pick % 4 == 0
        ):
            self._event(ThreadExited(tid))

    @rule(delta=st.sampled_from([0.1, 0.6, 3.0]))
    def tick(self, delta: float) -> None:
        self._event(Tick(self.k.now + delta))

    # --- invariants --------------------------------------------------------------

    @invariant()
    def derivation_tree(self) -> None:
        """Invariants 1 and 2, and the bookkeeping behind them."""
        counts: dict[int, int] = {}
        for key, cap in self._live_caps().items():
            counts[cap.obj.oid] = counts.get(cap.obj.oid, 0) + 1
            _, oid, rights, badge = self.seen[key]
            assert (cap.obj.oid, cap.rights, cap.badge) == (oid, rights, badge)
            assert key in self.legit, "a cap not derived from a witnessed original"
            link = cap
            while link.parent is not None:
                parent = link.parent
                assert parent.cspace is not None, "a live cap's parent is dead"
                assert parent.obj is link.obj
                assert link.rights & ~parent.rights == 0, "rights grew"
                assert link.badge == parent.badge or parent.badge == 0, "badge changed"
                assert link in parent.children
                link = parent
        for oid, obj in self.k.objects.items():
            assert obj.ncaps == counts.get(oid, 0), f"ncaps of {oid} is wrong"
        for cap in self._live_caps().values():
            assert cap.obj.ncaps == counts[cap.obj.oid]

    @invariant()
    def threads_and_queues(self) -> None:
        """Invariant 4 (blocked = pending, so no outcome was lost) and queue consistency."""
        for tid, t in self.k.threads.items():
            assert (t.state is not State.IDLE) == (tid in self.pending), f"thread {tid}"
            assert (t.state is State.IDLE) == (t.on is None)
            assert t.process.alive and t.process.threads[tid] is t
            on = t.on
            if t.state in (State.SEND, State.CALL):
                assert isinstance(on, Endpoint) and t in on.senders
            elif t.state is State.RECV:
                assert isinstance(on, Endpoint) and t in on.receivers
            elif t.state is State.WAIT:
                assert isinstance(on, Notification) and t in on.waiters
            elif t.state is State.REPLY:
                assert isinstance(on, Reply) and on.caller is t and on.cap.cspace is not None
        for obj in self.k.objects.values():
            if isinstance(obj, Endpoint):
                assert not (obj.senders and obj.receivers)
            if isinstance(obj, Notification) and obj.waiters:
                assert obj.word == 0

    @invariant()
    def dead_processes(self) -> None:
        """Invariant 5: the dead hold nothing, and nothing refers to their threads."""
        for obj in self.k.objects.values():
            if isinstance(obj, Process) and not obj.alive:
                assert not obj.cspace.slots and not obj.threads
            if isinstance(obj, Notification) and obj.bound is not None:
                assert obj.bound.tid in self.k.threads
        for cap in self._live_caps().values():
            if isinstance(cap.obj, Reply):
                caller = cap.obj.caller
                assert caller is not None and self.k.threads.get(caller.tid) is caller
                assert caller.state is State.REPLY and caller.on is cap.obj
        for tid in self.dead_tids:
            assert tid not in self.k.threads

    def teardown(self) -> None:
        """Every process dies: every outcome still owed is owed only to the dead."""
        for pid in self._live_pids():
            self._event(ProcessExited(pid, 0))
        assert not self.pending
        assert not self.k.threads
        live = [o for o in self.k.objects.values() if not isinstance(o, Process)]
        assert all(o.ncaps == 0 for o in live) and not live


TestKernelMachine = KernelMachine.TestCase
