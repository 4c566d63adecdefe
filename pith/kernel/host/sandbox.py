"""The sandbox: what makes a forked host process an unprivileged Pith process.

`enter(policy)` is called once, in a freshly forked single-threaded child, after it holds
the fds it needs (gate, device, memory); it cannot be undone. Layers, in order:

1. rlimits: address space, open fds, CPU time, no core dumps;
2. as root and when `policy.uid` is set: no supplementary groups, gid and uid dropped to
   `policy.uid`, keeping only CAP_DAC_READ_SEARCH, so that a Python runtime under root's
   home (mode 0700) stays importable: Landlock confines those reads to `read_only`, seccomp
   denies open_by_handle_at; otherwise every capability is dropped (root without a uid too:
   uid 0 stays, its power goes);
3. `PR_SET_NO_NEW_PRIVS`;
4. Landlock: every filesystem right the running ABI knows is handled, and only read-file,
   read-dir and execute are allowed, beneath `policy.read_only`; TCP bind/connect are handled
   with no rule (ABI >= 4); signals and abstract unix sockets are scoped to the process
   (ABI >= 6). Fds opened before (handed capabilities) keep working;
5. seccomp (default allow, EPERM deny list): no sockets, exec, new processes or namespaces,
   ptrace, process_vm_*, signals to others, mount, module/kexec/bpf/keyring calls, io_uring
   (it would bypass seccomp), set*id, capset, and what Landlock does not cover: chmod, chown,
   xattr, utime, SysV IPC, POSIX message queues; TIOCSTI. `clone` is allowed with CLONE_THREAD
   only; `clone3` gets ENOSYS so glibc creates threads with `clone`.

Any layer that cannot be applied raises `SandboxError`: a process never runs half-sandboxed.
Touches: its own process only (rlimits, credentials, prctl, Landlock, seccomp); reads
/proc/self (maps, task). Entry points: `Policy`, `default_policy`, `enter`, `SandboxError`.

Bindings: seccomp goes through `pyseccomp`, a maintained pure-ctypes binding of the installed
libseccomp that is API-compatible with libseccomp's own Python module (which is not on PyPI),
so libseccomp builds and checks the BPF program (arch checks, x32 and 32-bit ABIs killed).
Landlock is three syscalls and two structs: the PyPI bindings are pre-release, so a small
ctypes layer here is easier to audit than a dependency.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import stat
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pyseccomp as seccomp

__all__ = ["Policy", "SandboxError", "default_policy", "enter"]

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # same number on every arch
_PR_SET_NO_NEW_PRIVS, _PR_SET_KEEPCAPS = 38, 8
_CAP_DAC_READ_SEARCH = 1 << 2  # the one capability kept by a process given its own uid
_FILE_RIGHTS = 0b101  # LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE
_DIR_RIGHTS = 0b1101  # ... | LANDLOCK_ACCESS_FS_READ_DIR
_FS_BITS = {1: 13, 2: 14, 3: 15, 4: 15}  # ABI -> number of fs rights; 16 from ABI 5 on
_CLONE_THREAD = 0x10000
_CLONE_NAMESPACES = (0x20000, 0x2000000, 0x4000000, 0x8000000, 0x10000000, 0x20000000, 0x40000000)
_TIOCSTI, _TIOCLINUX = 0x5412, 0x541C
_UNKNOWN_TO_LIBSECCOMP = {"setxattrat": 463, "removexattrat": 466, "open_tree_attr": 467,
                          "file_setattr": 469}
_DENY = """socket socketpair connect bind listen accept accept4 execve execveat fork vfork
    unshare setns ptrace process_vm_readv process_vm_writev process_madvise kcmp tkill
    pidfd_open pidfd_getfd pidfd_send_signal mount umount umount2 pivot_root chroot fsopen
    fsconfig fsmount fspick move_mount open_tree mount_setattr bpf perf_event_open keyctl add_key
    request_key init_module finit_module delete_module kexec_load kexec_file_load reboot swapon
    swapoff open_by_handle_at name_to_handle_at userfaultfd io_uring_setup io_uring_enter
    io_uring_register setuid setgid setreuid setregid setresuid setresgid setfsuid setfsgid
    setgroups capset chmod fchmod fchmodat fchmodat2 chown fchown lchown fchownat setxattr
    lsetxattr fsetxattr removexattr lremovexattr fremovexattr utime utimes futimesat utimensat
    acct quotactl syslog iopl ioperm shmget shmat shmctl msgget msgsnd msgrcv msgctl semget semop
    semtimedop semctl mq_open mq_unlink"""


class SandboxError(Exception):
    """A sandbox layer could not be applied; the process must not run."""


@dataclass(frozen=True)
class Policy:
    """What a sandboxed process keeps: read-only paths and resource limits."""

    read_only: tuple[str, ...]
    memory_bytes: int = 1 << 30
    max_fds: int = 256
    cpu_seconds: int | None = None
    uid: int | None = None


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def default_policy(uid: int | None = None) -> Policy:
    """Read-only access to the Python runtime, its shared libraries and Pith's package."""
    paths = {Path(__file__).resolve().parents[2], Path("/etc/ld.so.cache")}
    for base in {sys.prefix, sys.base_prefix}:
        scheme = sysconfig.get_paths(vars={"base": base, "platbase": base})
        paths.update(Path(scheme[key]) for key in ("stdlib", "platstdlib", "purelib", "platlib"))
    with open("/proc/self/maps") as maps:  # the directories holding loaded shared libraries
        paths.update(Path(line.split()[-1]).parent for line in maps if ".so" in line)
    return Policy(tuple(sorted(str(p) for p in paths if p.exists())), uid=uid)


def _check(result: int) -> int:
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return result


def _syscall(number: int, *args: object) -> int:
    return _check(_libc.syscall(number, *args))


def _landlock_ruleset(read_only: tuple[str, ...]) -> int:
    abi = _syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    attr = _RulesetAttr((1 << _FS_BITS.get(abi, 16)) - 1, 0b11 if abi >= 4 else 0,
                        0b11 if abi >= 6 else 0)  # net: bind+connect TCP; scope: unix+signal
    ruleset = _syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(24), ctypes.c_uint32(0))
    try:
        for path in read_only:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                rights = _DIR_RIGHTS if stat.S_ISDIR(os.fstat(fd).st_mode) else _FILE_RIGHTS
                rule = ctypes.byref(_PathBeneath(rights, fd))  # LANDLOCK_RULE_PATH_BENEATH = 1
                _syscall(_ADD_RULE, ruleset, ctypes.c_int(1), rule, ctypes.c_uint32(0))
            finally:
                os.close(fd)
    except OSError:
        os.close(ruleset)
        raise
    return ruleset


def _seccomp_filter() -> seccomp.SyscallFilter:
    pid, deny = os.getpid(), seccomp.ERRNO(errno.EPERM)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in [*_DENY.split(), *_UNKNOWN_TO_LIBSECCOMP]:
        number = seccomp.resolve_syscall(seccomp.Arch.NATIVE, name)
        rules.add_rule(deny, _UNKNOWN_TO_LIBSECCOMP.get(name, number) if number == -1 else number)
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, _CLONE_THREAD, 0))
    for flag in _CLONE_NAMESPACES:
        rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    for name in ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"):
        rules.add_rule(deny, name, seccomp.Arg(0, seccomp.NE, pid))
    for request in (_TIOCSTI, _TIOCLINUX):  # the kernel reads only 32 bits of the request
        rules.add_rule(deny, "ioctl", seccomp.Arg(1, seccomp.MASKED_EQ, 0xFFFFFFFF, request))
    rules.add_rule(deny, "prlimit64", seccomp.Arg(0, seccomp.NE, 0))
    return rules


def enter(policy: Policy) -> None:
    """Sandbox the calling process for good; raise `SandboxError` if any layer fails."""
    try:
        if len(os.listdir("/proc/self/task")) != 1:
            raise SandboxError("enter() needs a single-threaded process")
        ruleset = _landlock_ruleset(policy.read_only)  # paths opened while still privileged
        try:
            limits = [(resource.RLIMIT_AS, policy.memory_bytes),
                      (resource.RLIMIT_NOFILE, policy.max_fds), (resource.RLIMIT_CORE, 0)]
            if policy.cpu_seconds is not None:
                limits.append((resource.RLIMIT_CPU, policy.cpu_seconds))
            for kind, limit in limits:
                resource.setrlimit(kind, (limit, limit))
            keep = 0
            if policy.uid is not None and os.geteuid() == 0:
                _check(_libc.prctl(_PR_SET_KEEPCAPS, 1, 0, 0, 0))
                os.setgroups([])
                os.setresgid(policy.uid, policy.uid, policy.uid)
                os.setresuid(policy.uid, policy.uid, policy.uid)
                keep = _CAP_DAC_READ_SEARCH  # to read a runtime under root's home: Landlock
            header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # confines it to `read_only`
            _check(_libc.capset(header, (ctypes.c_uint32 * 6)(keep, keep)))  # (ABI v3)
            _check(_libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
            _syscall(_RESTRICT_SELF, ruleset, ctypes.c_uint32(0))
        finally:
            os.close(ruleset)
        _seccomp_filter().load()
    except (OSError, ValueError) as error:
        raise SandboxError(f"cannot sandbox process {os.getpid()}: {error}") from error
