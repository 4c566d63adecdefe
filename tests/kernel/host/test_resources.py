"""The kernel host's resources: devices with interrupts, memory, threads — and nothing left.

The kernel runs in a forked child of the test (it makes itself a child
subreaper and renames itself); the child compares its own fds before boot
and after shutdown, and reports through its exit status.
"""

from __future__ import annotations

import os
import select
import textwrap

from pith.kernel.host.loop import Host

ROOT_PROGRAM = textwrap.dedent("""
    import mmap, threading
    from pith.lib.syscall import gate, set_gate, with_gate
    g = gate()
    # an interrupt: the pipe device becomes readable when the test writes to it
    irq = g.notification_create()
    g.device_irq(CAPS["pipe"], irq, 0b10)
    print("READY", flush=True)
    assert g.wait(irq, timeout=30) == 0b10
    fd = g.device_open(CAPS["pipe"])
    assert os.read(fd, 5) == b"knock"
    os.close(fd)
    # shared memory: written through one mapping, read through a read-only one
    mem = g.memory_create(8192)
    rw = g.memory_map(mem, writable=True)
    rw[:5] = b"hello"
    ro = g.memory_map(g.cap_copy(mem, 1))
    assert ro[:5] == b"hello"
    rw.close(); ro.close()
    # a second thread with its own gate
    out = []
    poll = lambda: out.append(gate().poll(irq))
    t = threading.Thread(target=with_gate(g.thread_create(), poll))
    t.start(); t.join()
    assert out == [0], out  # the interrupt stays masked until acknowledged
    # a child process, to its death
    child = g.process_create(CAPS["spawn"], "child", "pith.servers.null.server:nothing")
    dead = g.notification_create()
    g.process_watch(child.slot, dead)
    g.wait(dead, timeout=30)
    assert g.process_status(child.slot).status == 0
    print("DONE", flush=True)
""").replace("import mmap", "import os, mmap")


def fds() -> set[str]:
    return {f"{fd}:{os.readlink(f'/proc/self/fd/{fd}')}" for fd in os.listdir("/proc/self/fd")
            if os.path.exists(f"/proc/self/fd/{fd}")}


def test_devices_memory_threads_and_processes_then_nothing_left() -> None:
    pipe_r, pipe_w = os.pipe()
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the kernel
        os.close(pipe_w)
        os.close(out_r)
        os.dup2(out_w, 1)
        os.close(out_w)
        before = fds() - {f"{pipe_r}:{os.readlink(f'/proc/self/fd/{pipe_r}')}"}
        status = Host("pith.programs.python:main", ("-c", ROOT_PROGRAM), {"pipe": pipe_r}).run()
        leaked = fds() - before
        os.write(2, f"leaked: {leaked}\n".encode() if leaked else b"")
        os._exit(status if not leaked else 99)
    os.close(pipe_r)
    os.close(out_w)
    with os.fdopen(out_r) as out:
        ready, _, _ = select.select([out], [], [], 30)
        assert ready and out.readline() == "READY\n"
        os.write(pipe_w, b"knock")
        assert out.readline() == "DONE\n"
    os.close(pipe_w)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
