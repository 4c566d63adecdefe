"""sh as a command: -c with a name and arguments, script files, commands on stdin, its
error messages, child shells keeping the parent's state, and the interactive shell (prompt,
^C at the prompt, job control) on a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[2]
SH = [sys.executable, str(ROOT / "pith" / "bin" / "sh.py")]


def sh(*args: str, stdin: str | None = None, cwd: Path | None = None
       ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SH, *args], input=stdin, capture_output=True, text=True,
                          timeout=30, cwd=cwd)


def test_dash_c_takes_a_name_and_arguments() -> None:
    p = sh("-c", 'echo "$0" "$#" "$1" "$2"', "myname", "a", "b c")
    assert p.stdout == "myname 2 a b c\n"


def test_script_file_with_arguments(tmp_path: Path) -> None:
    script = tmp_path / "s.sh"
    script.write_text("# a script\nfor a in \"$@\"; do\n  echo \"arg: $a\"\ndone\nexit 4\n")
    p = sh(str(script), "x", "y z")
    assert p.stdout == "arg: x\narg: y z\n"
    assert p.returncode == 4


def test_script_runs_line_by_line_until_a_syntax_error(tmp_path: Path) -> None:
    script = tmp_path / "s.sh"
    script.write_text("echo before\nfi\necho after\n")
    p = sh(str(script))
    assert p.stdout == "before\n"
    assert p.returncode == 2
    assert "Syntax error" in p.stderr


def test_commands_from_stdin_leave_the_rest_for_programs() -> None:
    p = sh(stdin="echo one\nread line\nthe line read\necho \"got $line\"\nexit 3\n")
    assert p.stdout == "one\ngot the line read\n"
    assert p.returncode == 3


def test_not_found_message_and_status() -> None:
    p = sh("-c", "no_such_command_here")
    assert p.returncode == 127
    assert p.stderr == "sh: no_such_command_here: not found\n"


def test_permission_denied(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("echo hi\n")
    p = sh("-c", "./f", cwd=tmp_path)
    assert p.returncode == 126
    assert p.stderr == "sh: ./f: Permission denied\n"


def test_a_script_without_a_shebang_runs_with_sh(tmp_path: Path) -> None:
    f = tmp_path / "noshebang"
    f.write_text("echo from script $1\n")
    f.chmod(0o755)
    assert sh("-c", "./noshebang arg", cwd=tmp_path).stdout == "from script arg\n"


def test_py_files_found_on_path_run_with_python(tmp_path: Path) -> None:
    (tmp_path / "hello.py").write_text("import sys\nprint('hello', *sys.argv[1:])\n")
    p = sh("-c", f"PATH={tmp_path}; hello a b; ./hello.py c", cwd=tmp_path)
    assert p.stdout == "hello a b\nhello c\n"


def test_child_shells_keep_state_and_dollar_dollar() -> None:
    p = sh("-c", 'x=local; f() { echo "f $x $1"; }; set -- pos; '
                 'echo $$ > /dev/null; (f "$1"; echo $$) | cat; echo $$')
    lines = p.stdout.splitlines()
    assert lines[0] == "f local pos"
    assert lines[1] == lines[2]


def test_syntax_error_status_is_2() -> None:
    p = sh("-c", "if then")
    assert p.returncode == 2
    assert p.stderr.startswith("sh: Syntax error")


# --- interactive, on a pseudo-terminal ---------------------------------------------------------

# A foreground job that says so once the terminal is its own (so ^C and ^Z reach it), then
# waits for signals until one ends it. The shell hands it the terminal (tcsetpgrp) just
# after spawning it, and no signal or fd event tells a process it became the foreground:
# that one state is polled, for at most 10 s.
FOREGROUND_JOB = """\
import os, signal, time
def announce(*_):
    deadline = time.monotonic() + 10
    while os.tcgetpgrp(0) != os.getpgrp() and time.monotonic() < deadline:
        time.sleep(0.01)
    print('in the foreground', flush=True)
signal.signal(signal.SIGCONT, announce)
announce()
while True:
    signal.pause()
"""


class Terminal:
    def __init__(self, cwd: Path) -> None:
        (cwd / "fg.py").write_text(FOREGROUND_JOB)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the shell
            os.chdir(cwd)
            os.execv(sys.executable, [*SH, "-i"])
        self.seen = b""

    def expect(self, text: bytes, timeout: float = 15) -> bytes:
        end = time.monotonic() + timeout
        while text not in self.seen:
            left = end - time.monotonic()
            assert left > 0, f"timed out waiting for {text!r}; saw {self.seen!r}"
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    data = b""
                assert data, f"terminal closed waiting for {text!r}; saw {self.seen!r}"
                self.seen += data
        before, _, self.seen = self.seen.partition(text)
        return before

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def close(self) -> int:
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


@pytest.fixture
def term(tmp_path: Path) -> Iterator[Terminal]:
    t = Terminal(tmp_path)
    yield t
    try:
        os.kill(t.pid, 9)
        t.close()
    except (ProcessLookupError, ChildProcessError, OSError):
        pass


def test_interactive_prompt_and_exit_status(term: Terminal) -> None:
    term.expect(b"$ ")
    term.send(b"echo hi\n")
    term.expect(b"hi\r\n$ ")
    term.send(b"if true\n")
    term.expect(b"> ")
    term.send(b"then echo multi; fi\n")
    term.expect(b"multi\r\n$ ")
    term.send(b"exit 5\n")
    assert term.close() == 5


def test_ctrl_c_drops_the_line_and_interrupts_the_foreground_job(term: Terminal) -> None:
    term.expect(b"$ ")
    term.send(b"echo partial")
    term.send(b"\x03")
    term.expect(b"$ ")
    term.send(b"./fg.py\n")
    term.expect(b"in the foreground\r\n")
    term.send(b"\x03")
    term.expect(b"$ ")
    term.send(b"echo status $?\n")
    term.expect(b"status 130\r\n$ ")
    term.send(b"false; exit\n")
    assert term.close() == 1


def test_job_control_stop_and_fg(term: Terminal) -> None:
    term.expect(b"$ ")
    term.send(b"./fg.py\n")
    term.expect(b"in the foreground\r\n")
    term.send(b"\x1a")
    term.expect(b"Stopped")
    term.expect(b"$ ")
    term.send(b"jobs\n")
    term.expect(b"Stopped   ./fg.py")
    term.send(b"fg\n")
    term.expect(b"in the foreground\r\n")
    term.send(b"\x03")
    term.expect(b"$ ")
    term.send(b"sleep 0.1 &\n")
    term.expect(b"[1] ")
    term.send(b"wait; echo waited\n")
    term.expect(b"waited\r\n")
    term.send(b"exit 0\n")
    assert term.close() == 0
