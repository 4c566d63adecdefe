"""The shell's top level: command-line options, the read-parse-run loop, the interactive
prompt and job-control setup, and the child-shell entry (a subshell started with the
parent's state in PITH_SH_STATE).

Entry point: main(argv, self_path) -> exit status; pith/bin/sh.py calls it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

# The builtins' table is filled as its family modules are imported: import it now (the
# zygote pre-imports this module), never lazily, where a ^C could cut the import half-way.
from pith.shell import builtins as _builtins  # noqa: F401
from pith.shell import options
from pith.shell.errors import (
    BreakLoop,
    ContinueLoop,
    ExitShell,
    ReturnFunc,
    ShellError,
    ShellSyntaxError,
)
from pith.shell.lexer import Lexer, Source
from pith.shell.nodes import Command, Group, Script, Subshell
from pith.shell.parser import Parser
from pith.shell.run import Shell, write_fd
from pith.shell.spawn import set_shell_path
from pith.shell.state import STATE_VAR, State, decode

__all__ = ["main"]

USAGE = "usage: sh [-eiuxf] [-c LINE [NAME [ARGS...]]] [FILE [ARGS...]]\n"
JOB_SIGNALS = (signal.SIGQUIT, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU)


class LineReader:
    """Reads fd 0 a line at a time (a byte at a time, so programs the shell starts see the
    rest), printing PS1 before a command's first line and PS2 before the others."""

    def __init__(self, sh: Shell, prompt: bool) -> None:
        self.sh = sh
        self.prompt = prompt
        self.first = True
        self.lines: list[str] = []

    def text(self) -> str:
        """The command read since the last prompt (for job listings)."""
        return "".join(self.lines).strip().removesuffix("&").strip()

    def __call__(self) -> str | None:
        if self.first:
            self.lines = []
        if self.prompt:
            ps = self.sh.get_var("PS1" if self.first else "PS2") or ""
            self.sh.error_raw(ps)
        self.first = False
        buf = bytearray()
        while True:
            b = os.read(0, 1)
            if not b:
                break
            buf += b
            if b == b"\n":
                break
        line = buf.decode("utf-8", "surrogateescape") if buf else None
        if line:
            self.lines.append(line)
        return line


def run_loop(sh: Shell, src: Source, reader: LineReader | None = None) -> int:
    """Parse and run complete commands until the input ends."""
    parser = Parser(Lexer(src), sh.st.aliases)
    interactive = sh.interactive
    while True:
        if reader is not None:
            reader.first = True
            sh.jobs.reap()
            sh.run_traps()
        try:
            script = parser.next_command()
            if script is None:
                break
            if not script.items:
                continue  # (an empty line: $? stays)
            sh.jobs.text = reader.text() if reader is not None else ""
            sh.run_script(script)
        except ShellSyntaxError as e:
            sh.report(e)
            sh.st.status = 2
            if not interactive:
                raise ExitShell(2) from None
            src.drop_line()
            parser.reset()
        except ShellError as e:
            sh.report(e)
            sh.st.status = e.status
            if not interactive:
                raise ExitShell(e.status) from None
        except ReturnFunc as r:
            sh.st.status = r.status
        except (BreakLoop, ContinueLoop):
            pass
        except KeyboardInterrupt:
            if not interactive:
                raise ExitShell(130) from None
            sh.error_raw("\n")
            sh.st.status = 130
            src.drop_line()
            parser.reset()
        except EOFError:
            break
    return sh.st.status


def _parse_options(args: list[str], st: State) -> tuple[set[str], list[str]]:
    """sh's own options: set's letters and -o names, and -c and -l (a login shell)."""
    args, _, seen = options.parse(args, st.options, lambda text: write_fd(1, text), "cl")
    return seen, args


def _exit_trap(sh: Shell, status: int) -> int:
    """Run the EXIT trap (with $? the status the shell is leaving with): the final status,
    which an `exit N` in the trap changes."""
    action = sh.st.traps.pop("EXIT", None)
    if action:
        sh.st.status = status
        try:
            sh.run_source(action)
        except ExitShell as e:
            return e.status
        except ShellError as e:
            sh.report(e)
            return e.status
    return status


def run_child(encoded: str) -> int:
    st, node = decode(encoded)
    st.traps = {k: v for k, v in st.traps.items() if v == ""}
    sh = Shell(st)
    if st.errexit_ignored:
        sh.errexit_off = 1
    return _exit_trap(sh, _run_node(sh, node))


def _run_node(sh: Shell, node: Command | Script | str) -> int:
    try:
        if isinstance(node, str):
            return run_loop(sh, Source(node))
        if isinstance(node, Script):
            return sh.run_script(node)
        if isinstance(node, Subshell):
            node = Group(node.body, node.redirs)
        return sh.run_command(node)
    except ExitShell as e:
        return e.status
    except ShellError as e:
        sh.report(e)
        return e.status
    except (ReturnFunc, BreakLoop, ContinueLoop):
        return sh.st.status
    except KeyboardInterrupt:
        return 130


def _setup_job_control(sh: Shell) -> None:
    for s in JOB_SIGNALS:
        signal.signal(s, signal.SIG_IGN)
    sh.sigdef |= set(JOB_SIGNALS)
    try:
        if os.getpgid(0) != os.getpid():
            os.setpgid(0, 0)
        os.tcsetpgrp(0, os.getpid())
    except OSError:
        pass
    sh.jobs.shell_pgid = os.getpgid(0)


def _read_script(path: str) -> str:
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while data := os.read(fd, 65536):
            chunks.append(data)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", "surrogateescape")


def _read_profiles(sh: Shell) -> None:
    """A login shell (`sh -l`, or an argv[0] starting with "-") first runs /etc/profile and
    $HOME/.profile, those that exist, as dash does."""
    for path in ("/etc/profile", f"{sh.get_var('HOME') or ''}/.profile"):
        try:
            text = _read_script(path)
        except OSError:
            continue
        try:
            run_loop(sh, Source(text))
        except ShellError as e:
            sh.report(e)


def main(argv: list[str], self_path: str) -> int:
    set_shell_path(self_path)
    # a shell function call is some 30 Python frames: room for dash's 1000 nested calls
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 40000))
    with contextlib.suppress(OSError, ValueError, AttributeError):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    encoded = os.environ.pop(STATE_VAR, None)
    if encoded is not None:
        return run_child(encoded)
    st = State.from_environ(dict(os.environ))
    try:
        flags, args = _parse_options(list(argv[1:]), st)
    except ShellError as e:
        write_fd(2, f"sh: {e}\n{USAGE}")
        return 2
    script_text: str | None = None
    if "c" in flags:
        if not args:
            write_fd(2, "sh: -c requires an argument\n")
            return 2
        script_text = args.pop(0)
        if args:
            st.arg0 = args.pop(0)
    elif args and "s" not in st.options:
        st.arg0 = args.pop(0)
        try:
            script_text = _read_script(st.arg0)
        except OSError:
            write_fd(2, f"sh: 0: cannot open {st.arg0}: No such file\n")
            return 2  # as dash
    st.positional = args
    if script_text is None:
        st.options.add("s")
    interactive = "i" in st.options or (script_text is None and os.isatty(0) and os.isatty(2))
    if interactive:
        st.options.add("i")
    job_control = interactive and os.isatty(0)
    sh = Shell(st, interactive=interactive, job_control=job_control)
    if job_control:
        _setup_job_control(sh)
    try:
        if "l" in flags or argv[0].startswith("-"):
            _read_profiles(sh)
        if script_text is not None:
            status = run_loop(sh, Source(script_text))
        else:
            reader = LineReader(sh, prompt=interactive)
            status = run_loop(sh, Source("", reader), reader if interactive else None)
    except ExitShell as e:
        status = e.status
    except KeyboardInterrupt:
        status = 130
    with contextlib.suppress(ShellError, ExitShell):
        sh.run_traps()
    return _exit_trap(sh, status)
