"""The sandbox proven by attacking it: the attack table of docs/sandbox.md.

Each attack runs in a child forked from the test process that has entered the sandbox; its
outcome ("ALLOWED", or "blocked: <errno name or exception>") comes back through a pipe made
before the fork, and the parent checks both the outcome and that nothing changed. Every attack
runs in each mode: `as-is` (the credentials we have: root without a uid switch, or an ordinary
user), and, as root, `uid` (`enter` drops to an unused uid) and `unprivileged` (the child becomes
an ordinary user first, then enters without a uid: what a non-root kernel does).
"""

from __future__ import annotations

import ctypes
import encodings.idna  # noqa: F401  create_connection() needs it: import it before the sandbox
import errno
import fcntl
import hashlib
import mmap
import os
import pwd
import select
import signal
import socket
import stat
import struct
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

import pyseccomp as seccomp
import pytest

import pith
from pith.kernel.host.sandbox import Policy, default_policy, enter

ROOT = os.geteuid() == 0
POLICY = default_policy()
PITH_DIR = Path(pith.__file__).resolve().parent
MODES = ["as-is", "uid", "unprivileged"] if ROOT else ["as-is"]
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def _unused_uid() -> int:
    for uid in range(61000, 62000):
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
    raise RuntimeError("no unused uid in 61000..61999")


UID = _unused_uid()


def _world_readable(path: str) -> bool:
    """Can an unprivileged uid reach `path`? (Every ancestor searchable by others.)"""
    return all(os.stat(p).st_mode & stat.S_IXOTH for p in [path, *map(str, Path(path).parents)])


RUNTIME_WORLD_READABLE = _world_readable(sysconfig.get_paths()["stdlib"])
# The unprivileged mode's stand-in user is not the owner of this checkout: under a private
# directory (a clone in root's home or in a `mktemp -d`) it cannot reach Pith's code at all
# (EACCES from the file modes, before Landlock is asked; so too a clone made with umask 077),
# while a real ordinary user boots only a Pith it can read (`pith boot` checks, and its
# processes keep its uid). Its Pith-code controls need a tree other uids can read.
PITH_WORLD_READABLE = _world_readable(str(PITH_DIR)) and all(
    (PITH_DIR / name).stat().st_mode & stat.S_IROTH
    for name in ("__init__.py", "tools", "tools/__init__.py", "tools/kernel_size.py"))


# --- running an attack in a sandboxed child ---------------------------------------------------

def _enter(mode: str) -> None:
    if mode == "uid":
        enter(replace(POLICY, uid=UID))
    elif mode == "unprivileged":
        os.setgroups([])
        os.setresgid(UID, UID, UID)
        os.setresuid(UID, UID, UID)  # an ordinary user cannot reach paths under a 0700 home
        enter(replace(POLICY, read_only=tuple(p for p in POLICY.read_only if os.path.exists(p))))
    else:
        enter(POLICY)


def _outcome(attack: Callable[[], object]) -> str:
    try:
        attack()
    except OSError as e:
        return f"blocked: {errno.errorcode.get(e.errno or 0, e.errno)}"
    except Exception as e:
        return f"blocked: {type(e).__name__}"
    return "ALLOWED"


def in_child(attack: Callable[[], object], setup: Callable[[], None] = lambda: None,
             timeout: float = 10.0) -> str:
    """Fork; the child runs `setup` then `attack`; its outcome, read with a bounded wait."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        out = "setup failed"
        try:
            os.close(r)
            try:
                setup()
            except BaseException as e:
                out = f"setup failed: {e!r}"
            else:
                out = _outcome(attack)
        finally:
            try:
                os.write(w, out.encode()[:4000])
            finally:
                os._exit(0)
    os.close(w)
    data, deadline = b"", time.monotonic() + timeout
    try:
        while (left := deadline - time.monotonic()) > 0 and select.select([r], [], [], left)[0]:
            if not (chunk := os.read(r, 4096)):
                break
            data += chunk
        else:
            os.kill(pid, signal.SIGKILL)
            data += b" (timed out)"
    finally:
        os.close(r)
        _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status):
        return f"{data.decode()} (child died: status {status:#x})"
    return data.decode()


def sandboxed(attack: Callable[[], object], mode: str) -> str:
    return in_child(attack, setup=lambda: _enter(mode))


def raw(name: str, *args: object) -> int:
    """libc.syscall(NR, ...): ints go as longs; raises OSError like the Python API."""
    number = seccomp.resolve_syscall(seccomp.Arch.NATIVE, name)
    result: int = libc.syscall(number, *(ctypes.c_long(a) if isinstance(a, int) else a
                                         for a in args))
    if result < 0:
        raise OSError(ctypes.get_errno(), name)
    return result


class Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


# --- what the attacks aim at ------------------------------------------------------------------

@dataclass
class World:
    """Resources made before the fork; the parent checks them after."""

    pair: tuple[socket.socket, socket.socket]
    listener: socket.socket
    tcp: socket.socket
    mount_target: Path
    victim: Path
    tmp_file: Path = field(default_factory=lambda: Path(tempfile.gettempdir())
                           / f"pith-sandbox-{uuid.uuid4().hex}")
    pith_file: Path = field(default_factory=lambda: PITH_DIR / f"_pwned_{uuid.uuid4().hex}.py")
    secret: ctypes.Array[ctypes.c_char] = field(
        default_factory=lambda: ctypes.create_string_buffer(b"kernel secret", 64))
    terms: list[int] = field(default_factory=list)
    init_hash: str = field(default_factory=lambda: _hash(PITH_DIR / "__init__.py"))
    mounts: str = field(default_factory=lambda: Path("/proc/self/mountinfo").read_text())

    @property
    def port(self) -> int:
        port: int = self.listener.getsockname()[1]
        return port

    def sockaddr(self) -> bytes:
        return struct.pack("=H", socket.AF_INET) + struct.pack("!H", self.port) + bytes(
            [127, 0, 0, 1]) + bytes(8)


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    pair = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener = socket.create_server(("127.0.0.1", 0))
    tcp = socket.socket()
    victim = tmp_path / "victim"
    victim.touch(0o600)
    w = World(pair, listener, tcp, tmp_path, victim)
    old = signal.signal(signal.SIGTERM, lambda signum, frame: w.terms.append(signum))
    try:
        yield w
    finally:
        signal.signal(signal.SIGTERM, old)
        for s in (*pair, listener, tcp):
            s.close()
        for leftover in (w.tmp_file, w.pith_file):
            leftover.unlink(missing_ok=True)


# --- the attacks: each returns normally only if it got through --------------------------------

def _wipe_and_read_parent(w: World) -> bytes:
    ctypes.memset(w.secret, 0, len(w.secret))  # our copy; the parent's still holds the secret
    local = ctypes.create_string_buffer(64)
    iov = Iovec(ctypes.addressof(local), 64)
    remote = Iovec(ctypes.addressof(w.secret), 64)
    raw("process_vm_readv", os.getppid(), ctypes.byref(iov), 1, ctypes.byref(remote), 1, 0)
    return local.raw


def _ptrace_parent() -> None:
    ppid = os.getppid()
    raw("ptrace", 16, ppid, None, None)  # PTRACE_ATTACH; if it worked, let the parent go
    os.waitpid(ppid, 0x40000000)  # __WALL
    raw("ptrace", 17, ppid, None, None)  # PTRACE_DETACH


def _fork_like(result: int) -> None:
    if result == 0:  # we are a new process: the attack got through
        os._exit(0)


def _mount(w: World) -> None:
    raw("mount", b"none", bytes(w.mount_target), b"tmpfs", 0, None)
    raw("umount2", bytes(w.mount_target), 0)


def _clone3() -> None:
    args = struct.pack("=11Q", 0, 0, 0, 0, signal.SIGCHLD, 0, 0, 0, 0, 0, 0)
    _fork_like(raw("clone3", args, len(args)))


def _open(path: str | Path, mode: str = "r") -> None:
    """Opening is the attack: nothing is written, so even a broken sandbox changes nothing."""
    with open(path, mode):
        pass


def _exhaust_fds() -> None:
    r, _ = os.pipe()
    for _ in range(10_000):
        os.dup(r)


def _raw_attack(name: str, args: tuple[object, ...]) -> Callable[[World], object]:
    return lambda w: raw(name, *args)


class Attack(NamedTuple):
    what: str  # the attack table's first column
    how: str
    run: Callable[[World], object]
    expect: str
    unchanged: Callable[[World], bool] = lambda w: True


ATTACKS = [
    Attack("open /etc/passwd", "open()", lambda w: _open("/etc/passwd"), "blocked: EACCES"),
    Attack("open /etc/passwd", "raw openat", lambda w: raw("openat", -100, b"/etc/passwd", 0),
           "blocked: EACCES"),
    Attack("write into Pith's package dir", "open(new file, 'w')",
           lambda w: w.pith_file.write_text("pwned"), "blocked: EACCES",
           lambda w: not w.pith_file.exists()),
    Attack("write into Pith's package dir", "raw openat O_CREAT",
           lambda w: raw("openat", -100, bytes(w.pith_file), os.O_CREAT | os.O_WRONLY, 0o644),
           "blocked: EACCES", lambda w: not w.pith_file.exists()),
    Attack("write into Pith's package dir", "append to pith/__init__.py",
           lambda w: _open(PITH_DIR / "__init__.py", "a"), "blocked: EACCES",
           lambda w: _hash(PITH_DIR / "__init__.py") == w.init_hash),
    Attack("change a file's mode (Landlock does not cover chmod)", "os.chmod(file, 0o777)",
           lambda w: os.chmod(w.victim, 0o777), "blocked: EPERM",
           lambda w: stat.S_IMODE(w.victim.stat().st_mode) == 0o600),
    Attack("create a file in /tmp", "open(path, 'x')", lambda w: _open(w.tmp_file, "x"),
           "blocked: EACCES", lambda w: not w.tmp_file.exists()),
    Attack("create a file in /tmp", "raw openat O_CREAT",
           lambda w: raw("openat", -100, bytes(w.tmp_file), os.O_CREAT | os.O_WRONLY, 0o644),
           "blocked: EACCES", lambda w: not w.tmp_file.exists()),
    Attack("create a socket", "socket.socket()", lambda w: socket.socket(), "blocked: EPERM"),
    Attack("create a socket", "socket.socket(AF_UNIX)", lambda w: socket.socket(socket.AF_UNIX),
           "blocked: EPERM"),
    Attack("create a socket", "raw socket(AF_INET)", lambda w: raw("socket", 2, 1, 0),
           "blocked: EPERM"),
    Attack("create a socket", "raw socketpair", lambda w: raw(
        "socketpair", 1, 5, 0, (ctypes.c_int * 2)()), "blocked: EPERM"),
    Attack("connect to 127.0.0.1", "socket.create_connection()",
           lambda w: socket.create_connection(("127.0.0.1", w.port)), "blocked: EPERM",
           lambda w: _no_pending_connection(w)),
    Attack("connect to 127.0.0.1", "connect() on an inherited TCP socket",
           lambda w: socket.socket(fileno=os.dup(w.tcp.fileno())).connect(("127.0.0.1", w.port)),
           "blocked: EPERM", lambda w: _no_pending_connection(w)),
    Attack("connect to 127.0.0.1", "raw connect on an inherited socketpair fd",
           lambda w: raw("connect", w.pair[1].fileno(), w.sockaddr(), 16), "blocked: EPERM",
           lambda w: _no_pending_connection(w)),
    Attack("listen for connections", "bind() on an inherited TCP socket",
           lambda w: socket.socket(fileno=os.dup(w.tcp.fileno())).bind(("127.0.0.1", 0)),
           "blocked: EPERM"),
    Attack("execve /bin/sh", "os.execv()", lambda w: os.execv("/bin/sh", ["sh", "-c", "exit"]),
           "blocked: EPERM"),
    Attack("execve /bin/sh", "raw execve", lambda w: raw(
        "execve", b"/bin/sh", (ctypes.c_char_p * 2)(b"sh", None), (ctypes.c_char_p * 1)(None)),
        "blocked: EPERM"),
    Attack("execve /bin/sh", "subprocess.run()", lambda w: subprocess.run(["/bin/sh", "-c", ""]),
           "blocked: EPERM"),
    Attack("fork", "os.fork()", lambda w: _fork_like(os.fork()), "blocked: EPERM"),
    Attack("fork", "raw fork", lambda w: _fork_like(raw("fork")), "blocked: EPERM"),
    Attack("fork", "raw clone(SIGCHLD), no CLONE_THREAD",
           lambda w: _fork_like(raw("clone", signal.SIGCHLD, 0, 0, 0, 0)), "blocked: EPERM"),
    Attack("fork", "raw clone3", lambda w: _clone3(), "blocked: ENOSYS"),
    Attack("new namespace", "raw unshare(CLONE_NEWUSER|CLONE_NEWNS)",
           lambda w: raw("unshare", 0x10020000), "blocked: EPERM"),
    Attack("ptrace the kernel", "raw ptrace(PTRACE_ATTACH, parent)", lambda w: _ptrace_parent(),
           "blocked: EPERM", lambda w: "TracerPid:\t0\n" in Path("/proc/self/status").read_text()),
    Attack("read the kernel's memory", "raw process_vm_readv(parent)", _wipe_and_read_parent,
           "blocked: EPERM"),
    Attack("read the kernel's memory", "open /proc/<parent>/mem",
           lambda w: _open(f"/proc/{os.getppid()}/mem", "rb"), "blocked: EACCES"),
    Attack("kill the kernel", "os.kill(parent, SIGTERM)",
           lambda w: os.kill(os.getppid(), signal.SIGTERM), "blocked: EPERM",
           lambda w: not w.terms),
    Attack("kill the kernel", "raw kill(parent, SIGTERM)",
           lambda w: raw("kill", os.getppid(), signal.SIGTERM), "blocked: EPERM",
           lambda w: not w.terms),
    Attack("kill the kernel", "raw tgkill(parent, parent, SIGTERM)",
           lambda w: raw("tgkill", os.getppid(), os.getppid(), signal.SIGTERM), "blocked: EPERM",
           lambda w: not w.terms),
    Attack("kill the kernel", "raw tkill(parent, SIGTERM)",
           lambda w: raw("tkill", os.getppid(), signal.SIGTERM), "blocked: EPERM",
           lambda w: not w.terms),
    Attack("kill another process", "os.kill(1, 0)", lambda w: os.kill(1, 0), "blocked: EPERM"),
    Attack("kill another process", "raw kill(1, 0)", lambda w: raw("kill", 1, 0), "blocked: EPERM"),
    Attack("kill another process", "os.killpg(0, 0)", lambda w: os.killpg(0, 0), "blocked: EPERM"),
    Attack("mount", "raw mount(tmpfs)", _mount, "blocked: EPERM",
           lambda w: Path("/proc/self/mountinfo").read_text() == w.mounts),
    Attack("get root back", "os.setuid(0)", lambda w: os.setuid(0), "blocked: EPERM"),
    Attack("get root back", "raw setresuid(0, 0, 0)", lambda w: raw("setresuid", 0, 0, 0),
           "blocked: EPERM"),
    Attack("use root's capabilities", "raw sethostname(the current name)",
           lambda w: raw("sethostname", socket.gethostname().encode(), len(socket.gethostname())),
           "blocked: EPERM"),
    Attack("type into the terminal", "fcntl.ioctl(fd, TIOCSTI)",
           lambda w: fcntl.ioctl(w.pair[1].fileno(), 0x5412, b"x"), "blocked: EPERM"),
    Attack("type into the terminal", "raw ioctl(fd, TIOCSTI | 1 << 32)",
           lambda w: raw("ioctl", w.pair[1].fileno(), 0x5412 | 1 << 32, b"x"), "blocked: EPERM"),
    Attack("exhaust memory", "bytearray(2 GiB)", lambda w: bytearray(2 << 30),
           "blocked: MemoryError"),
    Attack("exhaust fds", "os.dup() in a loop", lambda w: _exhaust_fds(), "blocked: EMFILE"),
    *(Attack("kernel attack surface", f"raw {name}", _raw_attack(name, args), "blocked: EPERM")
      for name, args in [
        ("bpf", (0, None, 0)), ("perf_event_open", (None, 0, -1, -1, 0)), ("userfaultfd", (0,)),
        ("io_uring_setup", (1, ctypes.create_string_buffer(120))), ("keyctl", (0, 0, 0, 0, 0)),
        ("init_module", (None, 0, b"")), ("delete_module", (b"pith_no_such_module", 0)),
        ("open_by_handle_at", (-100, None, 0)), ("pidfd_open", (1, 0)), ("chroot", (b"/",)),
        ("reboot", (0, 0, 0, None)), ("swapon", (b"/pith-no-such-file", 0)),
        ("shmget", (0x50495448, 4096, 0)), ("mq_open", (b"pith-no-such-queue", 0, 0, None))]),
]


def _no_pending_connection(w: World) -> bool:
    w.listener.setblocking(False)
    try:
        w.listener.accept()[0].close()
    except BlockingIOError:
        return True
    return False


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("attack", ATTACKS, ids=[f"{a.what}: {a.how}" for a in ATTACKS])
def test_attack_fails_and_changes_nothing(attack: Attack, mode: str, world: World) -> None:
    assert sandboxed(lambda: attack.run(world), mode) == attack.expect
    assert attack.unchanged(world)


# --- what must keep working -------------------------------------------------------------------

def _thread_runs() -> None:
    ran: list[int] = []
    thread = threading.Thread(target=lambda: ran.append(threading.get_native_id()))
    thread.start()
    thread.join()
    assert ran and ran[0] != threading.get_native_id()
    signal.pthread_kill(threading.get_ident(), 0)  # tgkill(own pid, ...)
    os.kill(os.getpid(), 0)


def _reimport(*names: str) -> None:
    for loaded in [m for m in sys.modules if m.split(".")[0] in names or m in names]:
        del sys.modules[loaded]
    for name in names:
        __import__(name)


def _mmap_works() -> None:
    with mmap.mmap(-1, 1 << 20) as m:
        m[:5] = b"hello"
        assert m[:5] == b"hello"


PITH_CODE = {"import Pith code (re-read from disk)", "read Pith code"}
CONTROLS = {
    "threading.Thread, signal to self": _thread_runs,
    "import Pith code (re-read from disk)": lambda: _reimport("pith.tools.kernel_size"),
    "read Pith code": lambda: (PITH_DIR / "__init__.py").read_bytes(),
    "read /etc/ld.so.cache (a read-only file rule)": lambda: _open("/etc/ld.so.cache", "rb"),
    "anonymous mmap": _mmap_works,
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("control", CONTROLS)
def test_control_still_works(control: str, mode: str) -> None:
    if mode == "unprivileged" and control in PITH_CODE and not PITH_WORLD_READABLE:
        pytest.skip("this checkout is under a directory other uids cannot search")
    assert sandboxed(CONTROLS[control], mode) == "ALLOWED"


@pytest.mark.parametrize("mode", MODES)
def test_import_stdlib_modules(mode: str) -> None:
    if mode == "unprivileged" and not RUNTIME_WORLD_READABLE:
        pytest.skip("the Python runtime is not readable by other uids on this host")
    assert sandboxed(lambda: _reimport("json", "decimal", "csv"), mode) == "ALLOWED"


@pytest.mark.parametrize("mode", MODES)
def test_inherited_socket_sends_receives_and_passes_fds(mode: str, world: World) -> None:
    parent, child = world.pair
    parent.send(b"ping")

    def talk() -> None:
        with socket.socket(fileno=os.dup(child.fileno())) as s:
            assert s.recv(16) == b"ping"
            r, w = os.pipe()
            os.write(w, b"through the fd")
            socket.send_fds(s, [b"here"], [r])

    assert sandboxed(talk, mode) == "ALLOWED"
    msg, fds, _, _ = socket.recv_fds(parent, 16, 1)
    try:
        assert msg == b"here" and len(fds) == 1
        assert os.read(fds[0], 64) == b"through the fd"
    finally:
        for fd in fds:
            os.close(fd)


# --- the sandbox fails closed -----------------------------------------------------------------

def test_missing_read_only_path_is_a_sandbox_error() -> None:
    policy = Policy(read_only=(*POLICY.read_only, "/pith/no/such/path"))
    assert in_child(lambda: enter(policy)) == "blocked: SandboxError"


def test_multithreaded_process_is_a_sandbox_error() -> None:
    def enter_with_a_thread() -> None:
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        try:
            enter(POLICY)
        finally:
            stop.set()
            thread.join()

    assert in_child(enter_with_a_thread) == "blocked: SandboxError"

