"""Memory and Device objects, and the sched and trace control caps."""

from __future__ import annotations

import pytest

from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import (
    ApplyPriority,
    CapDescription,
    Created,
    CreateMemory,
    Done,
    Handle,
    Received,
    ReleaseDevice,
    Resume,
    Signalled,
    TraceRecord,
    TraceRecords,
    WatchDevice,
)
from pith.kernel.core.errors import ErrorCode
from pith.kernel.core.events import DeviceReady, ProcessExited
from pith.kernel.core.rights import MAX_MEMORIES, MAX_MEMORY, MAX_MEMORY_TOTAL, READ, WRITE
from tests.kernel.core.harness import World, results


def object_id(w: World, slot: int) -> int:
    r = w.ok(w.root, sc.CapInfo(slot))
    assert isinstance(r, CapDescription)
    return r.object


# --- memory -------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 4096, 1 << 30])
def test_memory_create_asks_the_host_for_a_memfd(size: int) -> None:
    w = World()
    out = w.sys(w.root, sc.MemoryCreate(size))
    r = results(out)[w.root]
    assert isinstance(r, Created) and r.slot is not None
    assert out == [CreateMemory(r.id, size), Resume(w.root, r)]


@pytest.mark.parametrize("size", [0, -1, (1 << 30) + 1])
def test_memory_sizes_out_of_range_are_refused(size: int) -> None:
    w = World()
    w.err(w.root, sc.MemoryCreate(size), ErrorCode.INVALID_ARGUMENT)


def test_memory_is_budgeted_kernel_wide_in_bytes_and_objects() -> None:
    """Memory lives outside every process's RLIMIT_AS (memfds of the kernel): the kernel
    keeps MAX_MEMORY_TOTAL bytes and MAX_MEMORIES objects at most, and a freed one counts
    no more."""
    w = World()
    big = [w.created(w.root, sc.MemoryCreate(MAX_MEMORY))
           for _ in range(MAX_MEMORY_TOTAL // MAX_MEMORY)]
    w.err(w.root, sc.MemoryCreate(1), ErrorCode.OUT_OF_MEMORY)
    w.ok(w.root, sc.CapDelete(big[0]))
    w.created(w.root, sc.MemoryCreate(4096))
    w = World(cspace_size=MAX_MEMORIES + 8)
    for _ in range(MAX_MEMORIES):
        w.created(w.root, sc.MemoryCreate(1))
    w.err(w.root, sc.MemoryCreate(1), ErrorCode.OUT_OF_MEMORY)


def test_memory_map_read_only_needs_read() -> None:
    w = World()
    mem = w.created(w.root, sc.MemoryCreate(8192))
    read_only = w.created(w.root, sc.CapCopy(mem, READ))
    write_only = w.created(w.root, sc.CapCopy(mem, WRITE))
    assert w.ok(w.root, sc.MemoryMap(read_only)) == Handle("memory", object_id(w, mem), False, 8192)
    w.err(w.root, sc.MemoryMap(write_only), ErrorCode.MISSING_RIGHT)


def test_memory_map_writable_needs_read_and_write() -> None:
    w = World()
    mem = w.created(w.root, sc.MemoryCreate(8192))
    read_only = w.created(w.root, sc.CapCopy(mem, READ))
    write_only = w.created(w.root, sc.CapCopy(mem, WRITE))
    w.err(w.root, sc.MemoryMap(read_only, writable=True), ErrorCode.MISSING_RIGHT)
    w.err(w.root, sc.MemoryMap(write_only, writable=True), ErrorCode.MISSING_RIGHT)
    handle = Handle("memory", object_id(w, mem), True, 8192)
    assert w.ok(w.root, sc.MemoryMap(mem, writable=True)) == handle


def test_memory_map_on_another_kind_of_cap_is_refused() -> None:
    w = World()
    w.err(w.root, sc.MemoryMap(w.endpoint()), ErrorCode.WRONG_TYPE)
    w.err(w.root, sc.MemoryMap(w.slots["device:disk"]), ErrorCode.WRONG_TYPE)


# --- devices --------------------------------------------------------------------


def test_device_open_hands_out_the_device() -> None:
    w = World()
    disk = w.slots["device:disk"]
    dev = object_id(w, disk)
    assert w.ok(w.root, sc.DeviceOpen(disk)) == Handle("device", dev, False, 0)
    assert w.ok(w.root, sc.DeviceOpen(disk, writable=True)) == Handle("device", dev, True, 0)


def test_device_open_writable_needs_write() -> None:
    w = World()
    read_only = w.created(w.root, sc.CapCopy(w.slots["device:disk"], READ))
    w.ok(w.root, sc.DeviceOpen(read_only))
    w.err(w.root, sc.DeviceOpen(read_only, writable=True), ErrorCode.MISSING_RIGHT)
    w.err(w.root, sc.DeviceOpen(w.endpoint()), ErrorCode.WRONG_TYPE)


def test_device_ready_signals_the_irq_notification() -> None:
    w = World()
    disk = w.slots["device:disk"]
    dev = object_id(w, disk)
    n = w.notification()
    out = w.sys(w.root, sc.DeviceIrq(disk, n, 0b100))
    assert out == [WatchDevice(dev, True), Resume(w.root, Done())]
    driver = w.thread(w.root)
    w.blocks(driver, sc.Wait(n))
    assert w.event(DeviceReady(dev)) == [Resume(driver, Signalled(0b100))]
    w.event(DeviceReady(dev))
    assert w.ok(w.root, sc.Poll(n)) == Signalled(0b100)


def test_device_irq_none_stops_the_interrupts() -> None:
    w = World()
    disk = w.slots["device:disk"]
    dev = object_id(w, disk)
    n = w.notification()
    w.ok(w.root, sc.DeviceIrq(disk, n))
    out = w.sys(w.root, sc.DeviceIrq(disk, None))
    assert out == [WatchDevice(dev, False), Resume(w.root, Done())]
    assert w.event(DeviceReady(dev)) == []
    assert w.ok(w.root, sc.Poll(n)) == Signalled(0)


def test_device_irq_needs_a_writable_notification_and_valid_bits() -> None:
    w = World()
    disk = w.slots["device:disk"]
    n = w.notification()
    read_only = w.created(w.root, sc.CapCopy(n, READ))
    w.err(w.root, sc.DeviceIrq(disk, read_only), ErrorCode.MISSING_RIGHT)
    w.err(w.root, sc.DeviceIrq(disk, n, 0), ErrorCode.INVALID_ARGUMENT)
    w.err(w.root, sc.DeviceIrq(n, n), ErrorCode.WRONG_TYPE)


def test_deleting_the_last_device_cap_releases_the_device() -> None:
    w = World()
    disk = w.slots["device:disk"]
    dev = object_id(w, disk)
    w.ok(w.root, sc.DeviceIrq(disk, w.notification()))
    out = w.sys(w.root, sc.CapDelete(disk))
    assert WatchDevice(dev, False) in out and ReleaseDevice(dev) in out


# --- scheduling -----------------------------------------------------------------


@pytest.mark.parametrize("priority", [-20, 0, 19])
def test_set_priority_asks_the_host_to_apply_it(priority: int) -> None:
    w = World()
    pid, _ = w.spawn("child")
    out = w.sys(w.root, sc.SetPriority(w.slots["sched"], w.pslot[pid], priority))
    assert out == [ApplyPriority(pid, priority), Resume(w.root, Done())]


@pytest.mark.parametrize("priority", [-21, 20])
def test_set_priority_out_of_range_is_refused(priority: int) -> None:
    w = World()
    pid, _ = w.spawn("child")
    sched = w.slots["sched"]
    w.err(w.root, sc.SetPriority(sched, w.pslot[pid], priority), ErrorCode.INVALID_ARGUMENT)


def test_set_priority_needs_the_sched_cap_and_a_live_process() -> None:
    w = World()
    pid, _ = w.spawn("child")
    proc, sched = w.pslot[pid], w.slots["sched"]
    weak_sched = w.created(w.root, sc.CapCopy(sched, READ))
    weak_proc = w.created(w.root, sc.CapCopy(proc, READ))
    w.err(w.root, sc.SetPriority(sched, weak_proc, 0), ErrorCode.MISSING_RIGHT)
    w.err(w.root, sc.SetPriority(w.slots["spawn"], proc, 0), ErrorCode.WRONG_TYPE)
    w.err(w.root, sc.SetPriority(weak_sched, proc, 0), ErrorCode.MISSING_RIGHT)
    w.event(ProcessExited(pid, 0))
    w.err(w.root, sc.SetPriority(sched, proc, 0), ErrorCode.PROCESS_DEAD)


# --- tracing --------------------------------------------------------------------


def traced() -> tuple[World, int, int, int, int]:
    """Tracing on; root serves `ep`; a client (pid, tid) holds it in slot 0."""
    w = World()
    ep = w.endpoint()
    pid, client = w.spawn("client", [ep])
    w.ok(w.root, sc.TraceEnable(w.slots["trace"], True))
    return w, ep, pid, client, w.slots["trace"]


def read(w: World, trace: int, limit: int = 1024) -> TraceRecords:
    r = w.ok(w.root, sc.TraceRead(trace, limit))
    assert isinstance(r, TraceRecords), r
    return r


def test_trace_records_send_call_and_reply() -> None:
    w, ep, pid, client, trace = traced()
    w.blocks(w.root, sc.Recv(ep))
    w.sys(client, sc.Send(0, b"12345"))
    w.blocks(client, sc.Call(0, b"ab"))
    got = results(w.sys(w.root, sc.Recv(ep)))[w.root]
    assert isinstance(got, Received) and got.reply is not None
    w.ok(w.root, sc.Reply(got.reply, b"xyz"))
    assert read(w, trace) == TraceRecords(
        (
            TraceRecord(1, "send", pid, w.root_pid, 0, 5),
            TraceRecord(2, "call", pid, w.root_pid, 0, 2),
            TraceRecord(3, "reply", w.root_pid, pid, 0, 3),
        ),
        0,
        {"call": 1, "send": 1, "reply": 1, "signal": 0},
    )


def test_trace_records_the_badge() -> None:
    w, ep, _, _, trace = traced()
    badged = w.created(w.root, sc.CapMint(ep, WRITE, 99))
    _, sender = w.spawn("badged", [badged])
    w.blocks(sender, sc.Send(0, b""))
    w.sys(w.root, sc.Recv(ep))
    (record,) = read(w, trace).records
    assert (record.kind, record.badge, record.dst) == ("send", 99, w.root_pid)


def test_signal_is_traced() -> None:
    w, _, _, _, trace = traced()
    n = w.notification()
    w.ok(w.root, sc.Signal(n, 1))
    (record,) = read(w, trace).records
    assert (record.kind, record.src) == ("signal", w.root_pid)


def test_nothing_is_recorded_while_tracing_is_off() -> None:
    w, ep, _, client, trace = traced()
    w.ok(w.root, sc.TraceEnable(trace, False))
    w.blocks(w.root, sc.Recv(ep))
    w.sys(client, sc.Send(0, b"x"))
    assert read(w, trace) == TraceRecords((), 0, {"call": 0, "send": 1, "reply": 0, "signal": 0})


def test_trace_read_takes_the_oldest_records_up_to_the_limit() -> None:
    w, ep, _, client, trace = traced()
    for i in range(3):
        w.blocks(w.root, sc.Recv(ep))
        w.sys(client, sc.Send(0, bytes(i)))
    assert [r.size for r in read(w, trace, limit=2).records] == [0, 1]
    assert [r.size for r in read(w, trace).records] == [2]
    assert read(w, trace).records == ()


def test_the_trace_buffer_keeps_the_newest_4096_and_counts_the_dropped() -> None:
    w, ep, _, client, trace = traced()
    for _ in range(4096 + 3):
        w.blocks(w.root, sc.Recv(ep))
        w.sys(client, sc.Send(0))
    first = read(w, trace, limit=4096)
    assert len(first.records) == 4096 and first.dropped == 3
    assert first.records[0].seq == 4 and first.records[-1].seq == 4099
    assert read(w, trace).records == ()
    assert read(w, trace).counts["send"] == 4096 + 3  # counted whatever the buffer kept


@pytest.mark.parametrize("limit", [0, -1, 4097])
def test_trace_read_limit_out_of_range_is_refused(limit: int) -> None:
    w = World()
    w.err(w.root, sc.TraceRead(w.slots["trace"], limit), ErrorCode.INVALID_ARGUMENT)


def test_tracing_needs_the_trace_cap() -> None:
    w = World()
    trace = w.slots["trace"]
    read_only = w.created(w.root, sc.CapCopy(trace, READ))
    _, child = w.spawn("snoop", [read_only])
    w.err(child, sc.TraceEnable(0, True), ErrorCode.MISSING_RIGHT)
    assert isinstance(w.ok(child, sc.TraceRead(0)), TraceRecords)
    w.err(child, sc.TraceRead(1), ErrorCode.INVALID_SLOT)
    w.err(w.root, sc.TraceEnable(w.slots["spawn"], True), ErrorCode.WRONG_TYPE)
    w.err(w.root, sc.TraceRead(w.slots["sched"]), ErrorCode.WRONG_TYPE)
