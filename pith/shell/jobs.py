"""Jobs: starting foreground and background commands as processes, waiting for them, and
(interactive shells only) job control — a process group per job, the terminal handed to
the foreground job and taken back after, `jobs`, `fg`, `bg`.

Entry points (used by run.py): Jobs.foreground_program, foreground_node (a subshell),
foreground_pipeline, background; wait_pids for the `wait` builtin.

^C while a foreground job starts. Until the shell has made the new job the terminal's
foreground group, a ^C is signalled to the shell's own group (the tty looks the group up
when the key comes; a start through pm takes a while). It is meant for the job: the shell
holds a SIGINT that comes while it starts a foreground job (`_held_interrupt`) and one that
comes while it waits for it, and passes it on to the job's group, so the job ends by it
and the shell goes on as after any ^C'd job; a KeyboardInterrupt there would leave the job
running unseen, and one raised later, in the read of the next line, would eat what was
typed (the reply of the read it cut short is dropped).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pith.shell import redirect
from pith.shell.errors import ShellError
from pith.shell.nodes import AndOr, Command, Prepared, Redir, Script, Simple
from pith.shell.spawn import Action, NotFound, wait_status

if TYPE_CHECKING:
    from pith.shell.run import Shell

__all__ = ["Job", "Jobs"]

DEVNULL = "/dev/null"


@dataclass
class Job:
    id: int
    pgid: int
    pids: list[int]
    text: str
    status: dict[int, int] = field(default_factory=dict)  # reaped pid -> shell status
    stopped: bool = False

    @property
    def done(self) -> bool:
        return len(self.status) == len(self.pids)

    def last_status(self) -> int:
        return self.status.get(self.pids[-1], 0)


class Jobs:
    def __init__(self, sh: Shell, job_control: bool) -> None:
        self.sh = sh
        self.jc = job_control
        self.table: list[Job] = []
        self.shell_pgid = os.getpgid(0) if job_control else 0
        self.text = ""  # the command line being run (for job listings)

    # --- starting ---------------------------------------------------------------------------

    def _pgroup(self, pgid: int | None) -> int | None:
        if not self.jc:
            return None
        return 0 if pgid is None else pgid

    def start(self, cmd: Command, actions: list[Action], pgid: int | None) -> int | str:
        """Start one command as a process: its pid, or (as a str) the status of a failure."""
        sh = self.sh
        pgroup = self._pgroup(pgid)
        if isinstance(cmd, Simple):
            from pith.shell.builtins import BUILTINS
            from pith.shell.run import SPECIAL_BUILTINS

            try:
                argv, assigns = sh.expand_simple(cmd)
            except ShellError as e:
                sh.report(e)
                return str(e.status)
            name = argv[0] if argv else ""
            if name and not (name in BUILTINS or name in SPECIAL_BUILTINS
                             or name in sh.st.functions):
                return self._start_program(argv, assigns, cmd.redirs, actions, pgroup)
            cmd = Prepared(argv, assigns, cmd.redirs)
        return sh.spawn_shell(cmd, actions, pgroup)

    def _start_program(self, argv: list[str], assigns: list[tuple[str, str]], redirs: list[Redir],
                       actions: list[Action], pgroup: int | None) -> int | str:
        sh = self.sh
        sh.xtrace(argv, assigns)
        try:
            steps = redirect.plan(sh, redirs)
        except redirect.RedirError as e:
            sh.error(str(e))
            return "2"
        program = sh.resolve(argv)
        if isinstance(program, NotFound):
            self._failed(program.message, actions, steps)
            return str(program.status)
        more, to_close = redirect.spawn_actions(steps)
        try:
            return sh.spawn_program(program, assigns, actions + more, pgroup)
        except OSError as e:
            # (a script whose #! interpreter is missing: not found, 127, as in dash)
            missing = e.errno == errno.ENOENT
            self._failed(f"{argv[0]}: " + ("not found" if missing else e.strerror or str(e)),
                         actions, steps)
            return "127" if missing else "126"
        finally:
            for fd in to_close:
                os.close(fd)

    def _failed(self, message: str, actions: list[Action], steps: list[redirect.Step]) -> None:
        """A command that could not start: its message goes where its stderr would have,
        through the pipeline's fds (`actions`) and its own redirections (`steps`)."""
        pipe_steps = []
        for a in actions:
            if a[0] == os.POSIX_SPAWN_DUP2:
                pipe_steps.append(redirect.Step("dup", a[2], src=a[1]))
        try:
            saved = redirect.apply(pipe_steps + steps)
        except redirect.RedirError:
            saved = []
        try:
            self.sh.error(message)
        finally:
            redirect.restore(saved)

    def _start_pipeline(self, cmds: list[Command], first_actions: list[Action]
                        ) -> tuple[list[int | str], int | None]:
        results: list[int | str] = []
        pgid: int | None = None
        prev_r = -1
        for k, cmd in enumerate(cmds):
            last = k == len(cmds) - 1
            r, w = (-1, -1) if last else os.pipe()
            actions: list[Action] = list(first_actions) if k == 0 else []
            if prev_r >= 0:
                actions.append((os.POSIX_SPAWN_DUP2, prev_r, 0))
            if w >= 0:
                actions.append((os.POSIX_SPAWN_DUP2, w, 1))
            actions += [(os.POSIX_SPAWN_CLOSE, fd) for fd in (prev_r, w, r) if fd > 1]
            try:
                res = self.start(cmd, actions, pgid)
            finally:
                for fd in (prev_r, w):
                    if fd >= 0:
                        os.close(fd)
            prev_r = r
            if isinstance(res, int):
                if pgid is None and self.jc:
                    pgid = res
                    _setpgid(res, res)
                elif self.jc and pgid is not None:
                    _setpgid(res, pgid)
            results.append(res)
        return results, pgid

    # --- foreground -------------------------------------------------------------------------

    def foreground_program(self, argv: list[str], assigns: list[tuple[str, str]],
                           redirs: list[Redir]) -> int:
        with self._held_interrupt() as held:
            res = self._start_program(argv, assigns, redirs, [], self._pgroup(None))
            if isinstance(res, str):
                return int(res)
            if self.jc:
                _setpgid(res, res)
            self._take_terminal(res, held)
        return self.wait_foreground([res], res)

    def foreground_node(self, node: Command) -> int:
        with self._held_interrupt() as held:
            try:
                pid = self.sh.spawn_shell(node, [], self._pgroup(None))
            except OSError as e:
                raise ShellError(f"cannot start a shell: {e}") from None
            self._take_terminal(pid, held)
        return self.wait_foreground([pid], pid if self.jc else None)

    def foreground_pipeline(self, cmds: list[Command]) -> int:
        with self._held_interrupt() as held:
            results, pgid = self._start_pipeline(cmds, [])
            self._take_terminal(pgid, held)
        pids = [r for r in results if isinstance(r, int)]
        statuses = self.wait_foreground(pids, pgid, results=results)
        return statuses

    def _holds(self) -> bool:
        """Whether ^C is held for the foreground job: job control, and SIGINT not trapped."""
        return self.jc and signal.getsignal(signal.SIGINT) is signal.default_int_handler

    @contextlib.contextmanager
    def _held_interrupt(self) -> Iterator[_Held]:
        """SIGINTs that come while a foreground job starts, counted, not raised (the start
        goes on) and passed on to the job once it has the terminal (see the module's top);
        when no job started, raised as the ^C they were."""
        held = _Held()
        if not self._holds():
            yield held
            return
        signal.signal(signal.SIGINT, held.take)
        try:
            yield held
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            held.pass_on()
        if held.count:
            raise KeyboardInterrupt

    def _take_terminal(self, pgid: int | None, held: _Held) -> None:
        """Make the new job's group `pgid` the foreground group; pass on a held ^C."""
        if self.jc and pgid is not None:
            _tcsetpgrp(pgid)
            held.pgid = pgid
            held.pass_on()

    def wait_foreground(self, pids: list[int], pgid: int | None,
                        results: list[int | str] | None = None) -> int:
        if self.jc and pgid is not None:
            _tcsetpgrp(pgid)
        job = Job(0, pgid or 0, pids, self.text)
        try:
            for pid in pids:
                while True:
                    try:
                        status = self._wait(pid, self.jc)
                        break
                    except KeyboardInterrupt:  # (signalled before the job had the
                        if pgid is None or not self._holds():  # terminal: the job's ^C)
                            raise
                        with contextlib.suppress(OSError):
                            os.killpg(pgid, signal.SIGINT)
                if status is None:
                    job.stopped = True
                    break
                job.status[pid] = status
        finally:
            if self.jc:
                _tcsetpgrp(self.shell_pgid)
        if job.stopped:
            self._add(job)
            self.sh.error_raw(f"\n[{job.id}] + Stopped   {job.text}\n")
            return 128 + signal.SIGTSTP
        last = (results or pids)[-1]
        if isinstance(last, str):
            return int(last)
        status = job.status.get(last, 0)
        if self.sh.interactive and status == 128 + signal.SIGINT:
            self.sh.error_raw("\n")
        return status

    def _wait(self, pid: int, untraced: bool) -> int | None:
        """Wait for pid: its shell status, or None if it stopped."""
        while True:
            try:
                _, st = os.waitpid(pid, os.WUNTRACED if untraced else 0)
            except InterruptedError:
                continue
            except ChildProcessError:
                return 127
            if os.WIFSTOPPED(st):
                return None
            if os.WIFSIGNALED(st) and os.WTERMSIG(st) not in (signal.SIGINT, signal.SIGPIPE):
                self.sh.error_raw(f"{signal.strsignal(os.WTERMSIG(st)) or 'Killed'}\n")
            return wait_status(st)

    # --- background -------------------------------------------------------------------------

    def background(self, ao: AndOr) -> int:
        sh = self.sh
        stdin: list[Action] = [] if self.jc else [
            (os.POSIX_SPAWN_OPEN, 0, DEVNULL, os.O_RDONLY, 0)]
        if not ao.rest and not ao.first.negate:
            results, pgid = self._start_pipeline(ao.first.cmds, stdin)
        else:
            res = sh.spawn_shell(Script([(ao, False)]), stdin, self._pgroup(None))
            results, pgid = [res], (res if self.jc else None)
        pids = [r for r in results if isinstance(r, int)]
        if not pids:
            return 0
        job = Job(0, pgid or pids[0], pids, self.text)
        self._add(job)
        sh.st.last_bg = pids[-1]
        if sh.interactive:
            sh.error_raw(f"[{job.id}] {pids[-1]}\n")
        return 0

    def _add(self, job: Job) -> None:
        job.id = max((j.id for j in self.table), default=0) + 1
        self.table.append(job)

    def find(self, spec: str) -> Job | None:
        if not self.table:
            return None
        if spec in ("", "%", "%%", "%+"):
            return self.table[-1]
        if spec.startswith("%") and spec[1:].isdigit():
            return next((j for j in self.table if j.id == int(spec[1:])), None)
        if spec.isdigit():
            return next((j for j in self.table if int(spec) in j.pids), None)
        return None

    def wait_job(self, job: Job) -> int:
        for pid in job.pids:
            if pid not in job.status:
                status = self._wait(pid, False)
                job.status[pid] = 127 if status is None else status
        self.table.remove(job)
        return job.last_status()

    def wait_pid(self, pid: int) -> int:
        for job in self.table:
            if pid in job.pids:
                if pid not in job.status:
                    status = self._wait(pid, False)
                    job.status[pid] = 127 if status is None else status
                result = job.status[pid]
                if job.done:
                    self.table.remove(job)
                return result
        return 127

    def wait_all(self) -> int:
        for job in list(self.table):
            self.wait_job(job)
        return 0

    def continue_job(self, job: Job, foreground: bool) -> int:
        job.stopped = False
        if self.jc and foreground:
            _tcsetpgrp(job.pgid)
        if self.jc:
            with contextlib.suppress(OSError):
                os.killpg(job.pgid, signal.SIGCONT)
        if not foreground:
            return 0
        self.table.remove(job)
        pending = [p for p in job.pids if p not in job.status]
        status = self.wait_foreground(pending, job.pgid) if pending else 0
        return status

    def reap_quiet(self) -> None:
        self.reap(report=False)

    def reap(self, report: bool = True) -> None:
        """Notice background jobs that finished; report them (interactive, before a prompt)."""
        for job in list(self.table):
            for pid in job.pids:
                if pid in job.status:
                    continue
                try:
                    got, st = os.waitpid(pid, os.WNOHANG)
                except OSError:
                    got, st = pid, 0
                if got == pid and not os.WIFSTOPPED(st):
                    job.status[pid] = wait_status(st)
            if job.done and report:
                self.table.remove(job)
                self.sh.error_raw(f"[{job.id}] + Done   {job.text}\n")


@dataclass
class _Held:
    """The ^Cs the shell took while it started a foreground job, and that job's group."""

    count: int = 0
    pgid: int | None = None

    def take(self, signo: int, frame: object) -> None:  # (the SIGINT handler meanwhile)
        self.count += 1

    def pass_on(self) -> None:
        if self.count and self.pgid is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.pgid, signal.SIGINT)
            self.count = 0


def _setpgid(pid: int, pgid: int) -> None:
    with contextlib.suppress(OSError):
        os.setpgid(pid, pgid)


def _tcsetpgrp(pgid: int) -> None:
    with contextlib.suppress(OSError):
        os.tcsetpgrp(0, pgid)

