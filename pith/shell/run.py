"""The executor: walks the syntax tree and runs it.

Entry point: Shell(state).run_script(script) -> status. Builtins and functions run in this
process (redirections applied by saving and restoring fds); programs are started with
posix_spawn; a subshell, a pipeline stage that is not a program, a background compound
and `$(...)` run in a new shell process given the state (state.py). Job control (process
groups, the terminal) only when interactive; see jobs.py.
"""

from __future__ import annotations

import contextlib
import os
import signal
from typing import TYPE_CHECKING

from pith.shell import options, redirect
from pith.shell.arith import number
from pith.shell.errors import (
    BreakLoop,
    ContinueLoop,
    ExitShell,
    ExpansionError,
    ReturnFunc,
    ShellError,
    ShellSyntaxError,
)
from pith.shell.expand import expand_pattern, expand_string, expand_words
from pith.shell.jobs import Jobs
from pith.shell.nodes import (
    AndOr,
    Case,
    Command,
    For,
    FuncDef,
    Group,
    If,
    Loop,
    Pipeline,
    Prepared,
    Redir,
    Script,
    Simple,
    Subshell,
)
from pith.shell.pattern import match
from pith.shell.spawn import (
    Action,
    Found,
    NotFound,
    find_program,
    shell_argv,
    spawn,
    wait_status,
)
from pith.shell.state import STATE_VAR, State, encode

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["Shell", "write_fd"]

SPECIAL_BUILTINS = {":", ".", "break", "continue", "eval", "exec", "exit", "export", "local",
                    "readonly", "return", "set", "shift", "times", "trap", "unset"}


MAX_FUNC_DEPTH = 1000  # dash's limit on nested function calls


def write_fd(fd: int, text: str) -> None:
    data = text.encode("utf-8", "surrogateescape")
    while data:
        data = data[os.write(fd, data):]


class Shell:
    def __init__(self, st: State, interactive: bool = False, job_control: bool = False) -> None:
        self.st = st
        self.interactive = interactive
        self.jobs = Jobs(self, job_control)
        self.errexit_off = 0
        self.loop_depth = 0
        self.func_depth = 0
        self.sub_status = 0
        self.sigdef: set[int] = set()
        self.pending_signals: list[int] = []  # caught, their trap actions not yet run
        self.lineno = 0

    # --- variables --------------------------------------------------------------------------

    def get_var(self, name: str) -> str | None:
        st = self.st
        if name.isdigit():
            n = int(name)
            if n == 0:
                return st.arg0
            return st.positional[n - 1] if n <= len(st.positional) else None
        special: dict[str, Callable[[], str | None]] = {
            "?": lambda: str(st.status), "$": lambda: str(st.pid),
            "#": lambda: str(len(st.positional)), "-": lambda: options.flags(st.options),
            "!": lambda: None if st.last_bg is None else str(st.last_bg),
            "@": lambda: " ".join(st.positional), "*": lambda: " ".join(st.positional),
        }
        if name in special:
            return special[name]()
        return st.vars.get(name)

    def set_var(self, name: str, value: str) -> None:
        if name in self.st.readonly:
            raise ShellError(f"{name}: is read only")
        if name == "OPTIND":  # (dash's getoptsreset)
            self.st.optind, self.st.optoff = number(value) or 1, -1
        self.st.vars[name] = value
        if "a" in self.st.options:
            self.st.exported.add(name)

    def unset_var(self, name: str) -> None:
        if name in self.st.readonly:
            raise ShellError(f"{name}: is read only")
        self.st.vars.pop(name, None)
        self.st.exported.discard(name)

    def check_unset(self, name: str) -> None:
        if "u" in self.st.options and name not in ("@", "*"):
            raise ExpansionError(f"{name}: parameter not set")

    def error(self, msg: str) -> None:
        with contextlib.suppress(OSError):
            write_fd(2, f"{self.st.arg0}: {msg}\n")

    def report(self, e: ShellError) -> None:
        """Write an error's message once, to the stderr in effect now (a redirection of
        the command it happened in still holds, as in dash)."""
        if not e.reported:
            e.reported = True
            self.error(f"Syntax error: {e}" if isinstance(e, ShellSyntaxError) else str(e))

    @contextlib.contextmanager
    def reporting(self) -> Iterator[None]:
        try:
            yield
        except ShellError as e:
            self.report(e)
            raise

    def run_traps(self) -> None:
        """Run the trap actions of the signals caught since the last call ($? kept)."""
        while self.pending_signals:
            signo = self.pending_signals.pop(0)
            try:
                action = self.st.traps.get(signal.Signals(signo).name[3:])
            except ValueError:
                action = None
            if action:
                saved = self.st.status
                self.run_source(action)
                self.st.status = saved

    # --- lists ------------------------------------------------------------------------------

    def run_script(self, script: Script) -> int:
        status = self.st.status
        for ao, background in script.items:
            if "n" in self.st.options and not self.interactive:
                break  # set -n: commands are read, not run
            status = self.jobs.background(ao) if background else self.run_andor(ao)
            self.st.status = status
            if self.pending_signals:
                self.run_traps()
        return status

    def run_andor(self, ao: AndOr) -> int:
        pipes = [("", ao.first), *ao.rest]
        status = 0
        for k, (op, p) in enumerate(pipes):
            if (op == "&&" and status != 0) or (op == "||" and status == 0):
                continue
            last = k == len(pipes) - 1
            if not last:
                self.errexit_off += 1
            try:
                status = self.run_pipeline(p)
            finally:
                if not last:
                    self.errexit_off -= 1
            self.st.status = status
            if self.pending_signals:
                self.run_traps()
            if last and status and self._errexit_applies(p):
                raise ExitShell(status)
        return status

    def _errexit_applies(self, p: Pipeline) -> bool:
        if "e" not in self.st.options or self.errexit_off or p.negate:
            return False
        return len(p.cmds) > 1 or isinstance(p.cmds[0], Simple | Subshell | Prepared)

    def run_pipeline(self, p: Pipeline) -> int:
        if p.negate:
            self.errexit_off += 1
        try:
            if len(p.cmds) == 1:
                status = self.run_command(p.cmds[0])
            else:
                status = self.jobs.foreground_pipeline(p.cmds)
        finally:
            if p.negate:
                self.errexit_off -= 1
        return int(status == 0) if p.negate else status

    # --- commands ---------------------------------------------------------------------------

    def run_command(self, cmd: Command) -> int:
        if isinstance(cmd, Simple):
            return self.run_simple(cmd)
        if isinstance(cmd, Prepared):
            return self.run_prepared(cmd.argv, cmd.assigns, cmd.redirs)
        if isinstance(cmd, FuncDef):
            self.st.functions[cmd.name] = cmd.body
            return 0
        if isinstance(cmd, Subshell):
            return self.jobs.foreground_node(cmd)
        try:
            saved = redirect.apply(redirect.plan(self, cmd.redirs))
        except redirect.RedirError as e:
            self.error(str(e))
            return 2
        try:
            with self.reporting():
                return self._compound(cmd)
        finally:
            redirect.restore(saved)

    def _compound(self, cmd: Group | If | Loop | For | Case) -> int:
        if isinstance(cmd, Group):
            return self.run_script(cmd.body)
        if isinstance(cmd, If):
            return self._if(cmd)
        if isinstance(cmd, Loop):
            return self._loop(cmd)
        if isinstance(cmd, For):
            return self._for(cmd)
        return self._case(cmd)

    def _cond(self, script: Script) -> int:
        self.errexit_off += 1
        try:
            return self.run_script(script)
        finally:
            self.errexit_off -= 1

    def _if(self, cmd: If) -> int:
        for cond, body in cmd.arms:
            if self._cond(cond) == 0:
                return self.run_script(body)
        if cmd.orelse is not None:
            return self.run_script(cmd.orelse)
        return 0

    def _run_body(self, body: Script) -> tuple[int, bool]:
        """Run a loop body: (status, stop the loop?)."""
        try:
            return self.run_script(body), False
        except BreakLoop as b:
            if b.count > 1:
                b.count -= 1
                raise
            return 0, True
        except ContinueLoop as c:
            if c.count > 1:
                c.count -= 1
                raise
            return 0, False

    def _loop(self, cmd: Loop) -> int:
        status = 0
        self.loop_depth += 1
        try:
            while True:
                ok = self._cond(cmd.cond) == 0
                if ok == cmd.until:
                    break
                status, stop = self._run_body(cmd.body)
                if stop:
                    break
        finally:
            self.loop_depth -= 1
        return status

    def _for(self, cmd: For) -> int:
        items = list(self.st.positional) if cmd.words is None else expand_words(self, cmd.words)
        status = 0
        self.loop_depth += 1
        try:
            for item in items:
                self.set_var(cmd.name, item)
                status, stop = self._run_body(cmd.body)
                if stop:
                    break
        finally:
            self.loop_depth -= 1
        return status

    def _case(self, cmd: Case) -> int:
        word = expand_string(self, cmd.word.parts)
        for item in cmd.items:
            for pat in item.patterns:
                if match(expand_pattern(self, pat.parts), word):
                    return self.run_script(item.body) if item.body.items else 0
        return 0

    # --- simple commands --------------------------------------------------------------------

    def expand_simple(self, cmd: Simple, here: bool = False
                      ) -> tuple[list[str], list[tuple[str, str]]]:
        """Expand the words, then the assignments (which, with no command and `here`, take
        effect one by one: `a=1 b=$a`)."""
        self.sub_status = 0
        argv = expand_words(self, cmd.words)
        assigns = []
        for name, w in cmd.assigns:
            assigns.append((name, expand_string(self, w.parts)))
            if here and not argv:
                self.set_var(name, assigns[-1][1])
        return argv, assigns

    def run_simple(self, cmd: Simple) -> int:
        self.lineno = cmd.line
        if self.jobs.table:  # (as dash: a background job that ended is reaped at once,
            self.jobs.reap_quiet()  # so `kill -0 $!` fails then, and `wait` has its status)
        if not cmd.words:
            return self._assign_only(cmd)
        argv, assigns = self.expand_simple(cmd, here=True)
        return self.run_prepared(argv, assigns, cmd.redirs, cmd)

    def _assign_only(self, cmd: Simple) -> int:
        """`a=1 b=$a >f`: as dash does it, the redirections first, then each assignment
        expanded and made in turn (their errors go where the redirections say)."""
        self.sub_status = 0
        try:
            saved = redirect.apply(redirect.plan(self, cmd.redirs))
        except redirect.RedirError as e:
            self.error(str(e))
            return 2
        done: list[tuple[str, str]] = []
        try:
            with self.reporting():
                for name, w in cmd.assigns:
                    done.append((name, expand_string(self, w.parts)))
                    self.set_var(*done[-1])
        finally:
            redirect.restore(saved)
        self.xtrace([], done)  # to the stderr from before the redirections, as dash
        return self.sub_status

    def xtrace(self, argv: list[str], assigns: list[tuple[str, str]]) -> None:
        if "x" in self.st.options:
            words = [f"{n}={v}" for n, v in assigns] + argv
            self.error_raw((self.get_var("PS4") or "") + " ".join(words) + "\n")

    def error_raw(self, text: str) -> None:
        with contextlib.suppress(OSError):
            write_fd(2, text)

    def run_prepared(self, argv: list[str], assigns: list[tuple[str, str]],
                     redirs: list[Redir], cmd: Simple | None = None) -> int:
        from pith.shell.builtins import BUILTINS

        self.xtrace(argv, assigns)
        if not argv:
            try:
                saved = redirect.apply(redirect.plan(self, redirs))
            except redirect.RedirError as e:
                self.error(str(e))
                return 2
            try:
                with self.reporting():
                    for name, value in assigns:
                        self.set_var(name, value)
            finally:
                redirect.restore(saved)
            return self.sub_status
        name = argv[0]
        special = name in SPECIAL_BUILTINS
        if special or name in self.st.functions or name in BUILTINS:
            return self._run_in_process(argv, assigns, redirs, special)
        return self.jobs.foreground_program(argv, assigns, redirs)

    def _run_in_process(self, argv: list[str], assigns: list[tuple[str, str]], redirs: list[Redir],
                        special: bool) -> int:
        from pith.shell.builtins import BUILTINS

        try:
            steps = redirect.plan(self, redirs)
        except redirect.RedirError as e:
            if special:
                raise
            self.error(str(e))
            return 2
        old: list[tuple[str, str | None, bool]] = []
        saved = redirect.apply(steps) if not (argv[0] == "exec" and len(argv) == 1) else None
        if saved is None:
            redirect.apply_forever(steps)
        try:
            with self.reporting():
                for name, value in assigns:
                    if not special:
                        old.append((name, self.st.vars.get(name), name in self.st.exported))
                        self.st.exported.add(name)
                    self.set_var(name, value)
                if argv[0] in self.st.functions and not special:
                    return self.call_function(argv)
                try:
                    return BUILTINS[argv[0]](self, argv)
                except ShellError as e:
                    if special:
                        raise
                    # an ordinary builtin's error (`read` into a readonly variable) is its
                    # status, not the end of the script
                    msg = str(e)
                    self.error(msg if msg.startswith(f"{argv[0]}:") else f"{argv[0]}: {msg}")
                    return e.status
                except BrokenPipeError:
                    return 1
                except OSError as e:
                    self.error(f"{argv[0]}: {e.strerror}")
                    return 1
        finally:
            if saved is not None:
                redirect.restore(saved)
            for name, old_value, exported in reversed(old):
                if old_value is None:
                    self.st.vars.pop(name, None)
                else:
                    self.st.vars[name] = old_value
                if not exported:
                    self.st.exported.discard(name)

    def call_function(self, argv: list[str]) -> int:
        body = self.st.functions[argv[0]]
        if self.func_depth >= MAX_FUNC_DEPTH:
            raise ShellError(f"Maximum function recursion depth ({MAX_FUNC_DEPTH}) reached")
        saved = self.st.positional, self.st.optind, self.st.optoff
        self.st.positional, self.st.optind, self.st.optoff = argv[1:], 1, -1
        self.func_depth += 1
        loops, self.loop_depth = self.loop_depth, 0  # `break` in a function leaves no caller's loop
        self.st.local_stack.append({})
        try:
            return self.run_command(body)
        except ReturnFunc as r:
            return r.status
        finally:
            self.func_depth -= 1
            self.loop_depth = loops
            self.st.positional, self.st.optind, self.st.optoff = saved
            for name, value in self.st.local_stack.pop().items():
                if value is None:
                    self.st.vars.pop(name, None)
                else:
                    self.st.vars[name] = value

    # --- starting processes -----------------------------------------------------------------

    def resolve(self, argv: list[str]) -> tuple[str, list[str]] | NotFound:
        """The path to spawn and the argv to give it, for a program's argv."""
        path = self.get_var("PATH")  # unset: a default; empty: nothing to search
        found = find_program(argv[0], "/bin:/usr/bin" if path is None else path)
        if not isinstance(found, Found):
            return found
        if found.prefix:
            return found.prefix[0], [*found.prefix, found.path, *argv[1:]]
        return found.path, argv

    def spawn_program(self, program: tuple[str, list[str]], assigns: list[tuple[str, str]],
                      actions: list[Action], pgroup: int | None) -> int:
        """Start a resolved program; returns the pid."""
        env = self.st.environ()
        env.update(assigns)
        path, argv = program
        return spawn(argv, env, actions, pgroup, self.sigdef, path=path)

    def spawn_shell(self, node: Command | Script | str, actions: list[Action],
                    pgroup: int | None = None) -> int:
        """Start a new shell process running `node` with this shell's state."""
        env = self.st.environ()
        self.st.errexit_ignored = self.errexit_off > 0
        env[STATE_VAR] = encode(self.st, node)  # type: ignore[arg-type]
        self.st.errexit_ignored = False
        return spawn(shell_argv(), env, actions, pgroup, self.sigdef)

    def command_sub(self, code: str) -> str:
        r, w = os.pipe()
        actions: list[Action] = [(os.POSIX_SPAWN_DUP2, w, 1), (os.POSIX_SPAWN_CLOSE, w),
                                 (os.POSIX_SPAWN_CLOSE, r)]
        tested, self.errexit_off = self.errexit_off, 0  # set -e applies again inside $( )
        try:
            pid = self.spawn_shell(code, actions)
        except OSError as e:
            os.close(r)
            os.close(w)
            raise ShellError(f"cannot start a shell: {e}") from None
        finally:
            self.errexit_off = tested
        os.close(w)
        chunks = []
        while True:
            try:
                data = os.read(r, 65536)
            except InterruptedError:
                continue
            if not data:
                break
            chunks.append(data)
        os.close(r)
        _, status = os.waitpid(pid, 0)
        self.sub_status = wait_status(status)
        return b"".join(chunks).decode("utf-8", "surrogateescape").rstrip("\n")

    # --- files ------------------------------------------------------------------------------

    def run_source(self, text: str) -> int:
        """Run a program text (eval, `.`): parse and run one complete command at a time."""
        from pith.shell.lexer import Lexer, Source
        from pith.shell.parser import Parser

        parser = Parser(Lexer(Source(text)), self.st.aliases)
        status = 0
        while (script := parser.next_command()) is not None:
            if script.items:  # (an empty line runs nothing and keeps the status)
                status = self.run_script(script)
        return status
