"""The program pm starts for every user process: install the layer, run the program file.

`main(ctx)`: ctx.caps has "vfs", "pm" (and "tty", "rs" when pm holds them);
ctx.args[0] is the SpawnSpec as JSON. It installs the layer, performs the
spawn's file actions in order, closes its close-on-exec fds (vfs Exec of its
own badge), and runs the file as `__main__` (`run_program`), as `python FILE
ARGS` would: sys.argv = [FILE, ARGS…], sys.path[0] its directory.

A file whose first line is `#!…sh` runs with the shell instead. The exit
status is CPython's: SystemExit's code (None 0, an int, anything else printed
and 1); an uncaught exception's traceback on fd 2 (or sys.excepthook, if the
program set one) and 1; an uncaught
KeyboardInterrupt kills the process with SIGINT, as CPython does. Before it
returns: non-daemon threads are joined, atexit handlers run, stdout and stderr
are flushed (a broken pipe then is quiet). Once started, the process holds no
host fd of the console (`leave_host_console`).
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import linecache
import os
import posix
import signal
import sys
import threading
import traceback
import types
from typing import Any

import msgspec

from pith.lib.posix.importer import install_finder
from pith.lib.posix.install import install
from pith.lib.posix.services import vfs
from pith.lib.posix.stdio import make_stdio
from pith.lib.start import Context
from pith.protocols import pm as pp
from pith.protocols import vfs as vp

__all__ = ["SHELL", "execute", "file_actions", "load", "main", "run_program", "start"]

SHELL = "/boot/bin/sh.py"


def file_actions(actions: list[pp.FileAction]) -> None:
    """posix_spawn's file actions, in order (OpenAction: open, then dup2 onto its fd)."""
    for a in actions:
        if isinstance(a, pp.DupAction):
            vfs(vp.Dup2(a.fd, a.new))
        elif isinstance(a, pp.CloseAction):
            vfs(vp.Close(a.fd))
        else:
            fd = vfs(vp.Open(a.path, a.flags, a.mode), a.path).fd
            if fd != a.fd:
                vfs(vp.Dup2(fd, a.fd))
                vfs(vp.Close(fd))


def start(caps: dict[str, int], spec: pp.SpawnSpec) -> None:
    """Install the layer, do the file actions, close the close-on-exec fds."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # (whatever the parent had)
    sys.excepthook = sys.__excepthook__  # (a fresh python's; the zygote's modules set others)
    install(caps, spec.pid, spec.env)
    file_actions(spec.actions)
    vfs(vp.Exec(pp.BADGE_BASE + spec.pid))
    make_stdio()


def _hashbang(first: bytes) -> list[bytes]:
    """The words of a first line `#!…` (after an `env`); [] for any other line."""
    words = first[2:].split() if first.startswith(b"#!") else []
    return words[1:] if words[:1] and os.path.basename(words[0]) == b"env" else words


def _shell_line(first: bytes) -> bool:
    """Whether a first line `#!…` names a shell."""
    words = _hashbang(first)
    return bool(words) and os.path.basename(words[0]).endswith(b"sh")


def _main_module(path: str) -> dict[str, Any]:
    module = types.ModuleType("__main__")
    module.__file__ = path
    module.__dict__.update(__builtins__=__builtins__, __cached__=None, __spec__=None,
                           __loader__=None)
    sys.modules["__main__"] = module
    return module.__dict__


def remember_source(path: str, source: bytes) -> None:
    """Give tracebacks the lines of a Pith file (linecache would read the host's)."""
    text = source.decode("utf-8", "replace")
    linecache.cache[path] = (len(text), None, text.splitlines(True), path)


class BadInterpreter(OSError):
    """A `#!` line names an interpreter that is not there (execve's ENOENT)."""


def _interpreter(first: bytes) -> str | None:
    """The program a `#!` line names, unless it is Python's (the file runs as it is)."""
    words = _hashbang(first)
    if not words or os.path.basename(words[0]).startswith(b"python"):
        return None
    return os.fsdecode(words[0])


def load(path: str, argv: list[str]) -> tuple[str, list[str], bytes]:
    """The program to run for `path` and `argv`, and its source (a `#!…sh` file: the shell;
    a `#!` naming a program that does not exist: BadInterpreter)."""
    with open(path, "rb") as f:
        source = f.read()
    first = source.split(b"\n", 1)[0]
    if _shell_line(first):
        path, argv = SHELL, [SHELL, path, *argv[1:]]
        with open(path, "rb") as f:
            source = f.read()
    elif (interpreter := _interpreter(first)) is not None and "/" in interpreter and \
            not os.path.exists(interpreter) and not os.path.exists(interpreter + ".py"):
        raise BadInterpreter(errno.ENOENT, f"{interpreter}: bad interpreter", path)
    return path, argv, source


def execute(path: str, argv: list[str], source: bytes) -> None:
    """Run `source` (of Pith file `path`) as __main__, sys.argv [path, argv[1:]…]."""
    sys.argv = [path, *argv[1:]]
    directory = os.path.dirname(os.path.abspath(path))
    sys.path[0:0] = [directory]
    install_finder(directory)
    code = compile(source, path, "exec", dont_inherit=True)
    remember_source(path, source)
    exec(code, _main_module(path))


def _exit_status(e: SystemExit) -> int:
    if e.code is None:
        return 0
    if isinstance(e.code, int):
        return e.code & 0xFF
    with contextlib.suppress(Exception):
        print(e.code, file=sys.stderr)
    return 1


def _finish(status: int) -> int:
    """Join threads, run atexit handlers, flush: CPython's shutdown, as far as it matters."""
    try:
        threading._shutdown()  # type: ignore[attr-defined]
    except BaseException:
        traceback.print_exc()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except BrokenPipeError:
            pass
        except (OSError, ValueError):
            status = status or 120
    return status


_host_stderr: list[Any] = []  # the host's stderr, for a process with no fd 2 at all


RUNNERS = (__file__, "/boot/bin/python.py", "/boot/bin/python3.py", "/bin/python.py",
           "/bin/python3.py")  # their frames are not shown in a script's traceback


def _print_traceback(e: BaseException) -> None:
    """The traceback as CPython prints it for a script, from the program's own frames; by
    sys.excepthook if the program set one."""
    tb = e.__traceback__
    while tb is not None and tb.tb_next is not None and \
            tb.tb_frame.f_code.co_filename in RUNNERS:
        tb = tb.tb_next
    hook = sys.excepthook
    if hook is sys.__excepthook__:  # (the host's would read source lines from host files)
        traceback.print_exception(type(e), e, tb)
        return
    try:
        hook(type(e), e, tb)
    except BaseException as failure:  # (CPython's words for a hook that fails)
        print("Error in sys.excepthook:", file=sys.stderr)
        traceback.print_exception(failure)
        print("\nOriginal exception was:", file=sys.stderr)
        traceback.print_exception(type(e), e, tb)


def _stderr() -> None:
    """Streams made again if fd 2 had no stream at start (the program opened it since);
    with no fd 2 still, the host's stderr (the console), so no error goes unseen."""
    if sys.stderr is None:
        make_stdio()
    if sys.stderr is None and _host_stderr:
        sys.stderr = _host_stderr[0]


def run_program(path: str, argv: list[str]) -> int:
    """Run `path` as `python path argv[1:]…` would; its exit status (see the module's top)."""
    interrupted = False
    try:
        path, argv, source = load(path, argv)
    except BadInterpreter as e:  # (as execve fails: the shell's "not found", 127)
        _stderr()
        print(f"{argv[0]}: {e.strerror}: No such file or directory", file=sys.stderr)
        return _finish(127)
    except OSError as e:
        _stderr()
        print(f"python: can't open file {path!r}: [Errno {e.errno}] {e.strerror}",
              file=sys.stderr)
        return _finish(2)
    try:
        execute(path, argv, source)
        status = 0
    except SystemExit as e:
        _stderr()
        status = _exit_status(e)
    except KeyboardInterrupt as e:
        _stderr()
        _print_traceback(e)
        status, interrupted = 130, True
    except BaseException as e:
        _stderr()
        _print_traceback(e)
        status = 1
    status = _finish(status)
    if interrupted:
        _die_by(signal.SIGINT)
    return status


def _die_by(signo: int) -> None:
    """End this process by signal `signo`, as CPython does after an uncaught ^C."""
    try:
        signal.signal(signo, signal.SIG_DFL)
        signal.raise_signal(signo)
    except OSError:
        pass  # (not allowed: the caller's status, 128 + signo, stands)


def leave_host_console() -> None:
    """Take the host's fds 0-2 away: every process inherits them from the kernel (the
    host's terminal or pipes), but a user process reaches the console only through vfs and
    tty, as its caps say; it must not read keys meant for others or write past tty. Reads
    of them now end at once and writes fail (EPIPE); /dev/null is not in the sandbox."""
    empty, shut = posix.pipe()
    posix.close(shut)  # (nothing will ever be written: reads see the end)
    gone, full = posix.pipe()
    posix.close(gone)  # (nothing will ever read: writes fail)
    posix.dup2(empty, 0)
    posix.dup2(full, 1)
    posix.dup2(full, 2)
    posix.close(empty)
    posix.close(full)


def main(ctx: Context) -> int:
    spec = msgspec.json.decode(ctx.args[0], type=pp.SpawnSpec)
    host = sys.stdout, sys.stderr
    _host_stderr[:] = [host[1]]
    try:
        start(ctx.caps, spec)
    except OSError as e:
        print(f"pith: {spec.path}: cannot start: {e}", file=host[1])
        return 127
    leave_host_console()
    try:
        return run_program(spec.path, spec.argv)
    finally:
        sys.stdout, sys.stderr = host  # (the zygote flushes these last)
