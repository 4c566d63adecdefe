"""Attacks run from inside a sandboxed Pith process (passed to `python -c`).

Each attack prints one line, `NAME: blocked (why)` or `NAME: ALLOWED (what)`;
after all of them the process proves the system still runs (an echo round
trip) and prints `ALIVE`. Not a test module: test_attacks.py sends this file's
text to `pith boot --command "python -c …"` and reads the lines.
"""

import ctypes
import mmap
import os
import signal
import socket

import msgspec

from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import Error, Result
from pith.kernel.core.errors import KernelError, ServerDied
from pith.lib.server import Client
from pith.lib.syscall import gate
from pith.protocols.echo import Crash, Echo, Echoed

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
caps = CAPS  # type: ignore[name-defined]  # noqa: F821  (given by the python program)
echo = caps["echo"]
kernel = os.getppid()  # the kernel is every Pith process's parent (a child subreaper)


def report(name, fn):
    try:
        outcome = fn()
    except (OSError, KernelError) as e:
        print(f"{name}: blocked ({type(e).__name__}: {e})")
    else:
        print(f"{name}: ALLOWED ({outcome!r})")


def raw(nr, *args):
    r = libc.syscall(nr, *args)
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


def write_code():
    import pith

    path = os.path.join(os.path.dirname(pith.__file__), "pwned.py")
    with open(path, "w") as f:
        f.write("pwned")


def process_vm_readv():
    local = (ctypes.c_char * 8)()
    iov_l = (ctypes.c_void_p * 2)(ctypes.addressof(local), 8)
    iov_r = (ctypes.c_void_p * 2)(0x400000, 8)
    return raw(310, kernel, iov_l, 1, iov_r, 1, 0)


def map_readonly_writable():
    g = gate()
    mem = g.memory_create(4096)
    ro = g.cap_copy(mem, 1)  # READ only
    try:
        g.memory_map(ro, writable=True)
    except KernelError as e:
        print(f"map a read-only grant writable (kernel): blocked ({type(e).__name__})")
    _, fds = g.invoke(sc.MemoryMap(ro, False))
    try:
        return mmap.mmap(fds[0], 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    finally:
        os.close(fds[0])


def garbage_to_gate():
    sock = gate().sock
    sock.send(b"\xc1\xff garbage, not a syscall")
    answer = msgspec.msgpack.decode(sock.recv(1 << 17), type=Result)
    if isinstance(answer, Error):
        raise OSError(0, f"kernel answered error {answer.code}: {answer.detail[:40]}")
    return answer


def huge_frame():
    sock = gate().sock
    sock.send(b"\x00" * (200 * 1024))
    answer = msgspec.msgpack.decode(sock.recv(1 << 17), type=Result)
    if isinstance(answer, Error):
        raise OSError(0, f"kernel answered error {answer.code}")
    return answer


report("open /etc/passwd", lambda: open("/etc/passwd").read(10))  # noqa: SIM115
report("open /etc/passwd (raw openat)", lambda: raw(257, -100, b"/etc/passwd", 0))
report("write into Pith's code", write_code)
report("socket()", lambda: socket.socket())
report("socket (raw)", lambda: raw(41, 2, 1, 0))
report("connect (raw, on fd 0)", lambda: raw(42, 0, None, 0))
report("execve /bin/sh", lambda: os.execv("/bin/sh", ["sh", "-c", "echo pwned"]))
report("fork", lambda: os.fork() or os._exit(0))
report("clone without CLONE_THREAD (raw)", lambda: raw(56, 17, 0, 0, 0, 0))
report("ptrace attach the kernel", lambda: raw(101, 16, kernel, 0, 0))
report("process_vm_readv the kernel", process_vm_readv)
report("kill the kernel", lambda: os.kill(kernel, signal.SIGTERM))
report("kill init (raw)", lambda: raw(62, 1, 0))
report("mount tmpfs", lambda: raw(165, b"none", b"/tmp", b"tmpfs", 0, None))
report("map a read-only grant writable (mmap)", map_readonly_writable)
report("name a slot it does not hold", lambda: gate().call(999, b"x"))
report("call without the WRITE right", lambda: gate().call(gate().cap_copy(echo, 1), b"x"))
report("forge a badge", lambda: gate().cap_mint(echo, 6, 1))
report("send a 65 KiB message", lambda: gate().call(echo, b"x" * (65 * 1024 + 1)))
report("write garbage to its gate", garbage_to_gate)
report("write a 200 KiB frame to its gate", huge_frame)

client = Client(echo, Echoed)
print("badge seen by the server:", client.call(Echo("who am I")).badge)
try:
    client.call(Crash())
except ServerDied as e:
    print(f"call while its server dies: blocked (ServerDied: {e})")
print("after its server died:", client.call(Echo("anyone?"), timeout=30).text)  # restarted
mem = gate().memory_create(64)  # the kernel still answers
print("ALIVE", gate().cap_info(mem).kind)
