"""subprocess on Pith: Popen starts its child with posix_spawn, and communicates by threads.

CPython's subprocess on Linux forks, then in the child wires the pipes and execs
(`_posixsubprocess.fork_exec`). Pith has no fork, so `fork_exec` here takes the
same arguments and does the same with one `posix_spawn`:

- the program: each candidate of subprocess's PATH search, as it is or with `.py`
  (Pith's commands are Python files); none: FileNotFoundError, as on Linux. The
  shell of `shell=True`, /bin/sh, is Pith's own /boot/bin/sh.py on an image without;
- stdin, stdout and stderr: dup2 file actions from the pipe ends Popen made;
- `cwd`: the spawn happens with this process's directory changed for the moment;
- `start_new_session` and `process_group`: a new process group (Pith has no sessions);
- `pass_fds`: made inheritable; other fds are close-on-exec already (PEP 446), and
  subprocess's error pipe is not passed, so its reader sees the end at once;
- `preexec_fn`, `user`, `group`, `extra_groups` need a fork or another uid: ENOSYS.

`Popen.communicate` with more than one pipe waits on them with poll() on Linux, and
Pith's fds are not host fds: `communicate` reads each pipe in a thread of its own
(each a Pith thread, with its own gate), and writes the input from the caller's.
"""

from __future__ import annotations

import errno
import os
import subprocess
import threading
from collections.abc import Sequence
from typing import IO, Any

from pith.lib.posix.errors import oserror
from pith.lib.posix.procs import SHELL

__all__ = ["communicate", "fork_exec"]


def _program(executables: Sequence[bytes | str]) -> str | None:
    """The first candidate that is a file, as it is or with .py."""
    for candidate in map(os.fsdecode, executables):
        for path in (candidate, candidate + ".py"):
            if os.path.isfile(path):
                return path
    if [os.fsdecode(e) for e in executables] == ["/bin/sh"]:
        return SHELL  # (subprocess's shell=True names it, whatever the image has)
    return None


def _environment(env_list: Sequence[bytes] | None) -> dict[str, str] | None:
    if env_list is None:
        return None
    pairs = (os.fsdecode(item).partition("=") for item in env_list)
    return {key: value for key, _, value in pairs}


def fork_exec(args: Sequence[Any], executable_list: Sequence[bytes], close_fds: bool,
              fds_to_keep: Sequence[int], cwd: Any, env_list: Sequence[bytes] | None,
              p2cread: int, p2cwrite: int, c2pread: int, c2pwrite: int,
              errread: int, errwrite: int, errpipe_read: int, errpipe_write: int,
              restore_signals: bool, call_setsid: bool, pgid_to_set: int,
              gid: int | None, extra_groups: Any, uid: int | None, child_umask: int,
              preexec_fn: Any, *rest: Any) -> int:
    """`_posixsubprocess.fork_exec` for Pith (CPython 3.11's arguments): the child's pid."""
    if preexec_fn is not None or uid is not None or gid is not None or extra_groups:
        raise oserror("ENOSYS", "subprocess with preexec_fn, user or group (no fork on Pith)")
    program = _program(executable_list)
    if program is None:
        name = os.fsdecode(executable_list[0]) if len(executable_list) == 1 else args[0]
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), os.fsdecode(name))
    actions = [(os.POSIX_SPAWN_DUP2, fd, target)
               for fd, target in ((p2cread, 0), (c2pwrite, 1), (errwrite, 2)) if fd != -1]
    for fd in fds_to_keep:
        if fd != errpipe_write:
            os.set_inheritable(fd, True)
    group = 0 if call_setsid else (pgid_to_set if pgid_to_set >= 0 else None)
    here = os.getcwd() if cwd is not None else None
    if cwd is not None:
        os.chdir(cwd)
    try:
        env = _environment(env_list)
        spawn: Any = os.posix_spawn  # (Pith's, which takes setpgroup=None as "no group")
        return int(spawn(program, [os.fsdecode(a) for a in args],
                         os.environ if env is None else env,
                         file_actions=actions, setpgroup=group))
    finally:
        if here is not None:
            os.chdir(here)


def _read_all(stream: IO[Any], into: list[Any]) -> None:
    into.append(stream.read())
    stream.close()


def communicate(self: subprocess.Popen[Any], input: Any, endtime: float | None,
                orig_timeout: float | None) -> tuple[Any, Any]:
    """Popen._communicate with threads instead of poll(): a reader thread per pipe,
    started once (a call that timed out leaves them running for the next)."""
    readers: dict[str, tuple[threading.Thread, list[Any]]] = self.__dict__.setdefault(
        "_pith_readers", {})
    for name in ("stdout", "stderr"):
        stream = getattr(self, name)
        if stream is not None and name not in readers:
            got: list[Any] = []
            thread = threading.Thread(target=_read_all, args=(stream, got), daemon=True)
            thread.start()
            readers[name] = (thread, got)
    if self.stdin and not getattr(self, "_pith_input_sent", False):
        self._pith_input_sent = True  # type: ignore[attr-defined]
        self._stdin_write(input)  # type: ignore[attr-defined]
    for thread, _ in readers.values():
        thread.join(self._remaining_time(endtime))  # type: ignore[attr-defined]
        if thread.is_alive():
            raise subprocess.TimeoutExpired(self.args, orig_timeout or 0.0)
    out = readers["stdout"][1][0] if "stdout" in readers else None
    err = readers["stderr"][1][0] if "stderr" in readers else None
    self.wait(timeout=self._remaining_time(endtime))  # type: ignore[attr-defined]
    return out, err
