"""The console: tty's line discipline as a pure unit; then booted on a pty pair, with vfs."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import termios
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pith.drivers.tty.discipline import MAX_LINE, Cooked, Discipline
from pith.lib.manifest import Manifest
from tests.kernel.host.conftest import ROOT, no_leaks  # noqa: F401  (the leak check)

# --- the line discipline -----------------------------------------------------------


def feed(*chunks: bytes) -> Cooked:
    line, out = Discipline(), Cooked()
    for chunk in chunks:
        step = line.feed(chunk)
        out.echo += step.echo
        out.events += step.events
    return out


def test_a_line_is_echoed_and_pushed_on_enter() -> None:
    assert feed(b"ls -l\r") == Cooked(b"ls -l\n", [b"ls -l\n"])
    assert feed(b"a\nb\n") == Cooked(b"a\nb\n", [b"a\n", b"b\n"])
    assert feed(b"\r").events == [b"\n"]


def test_editing() -> None:
    assert feed(b"cat\x7f\x7fp\r").events == [b"cp\n"]
    assert feed(b"ab\x08c\r").events == [b"ac\n"]
    assert feed(b"ab\x7f").echo == b"ab\b \b"
    assert feed(b"\x7f\x7fx\r") == Cooked(b"x\n", [b"x\n"])  # nothing to erase: no echo
    assert feed(b"rm -rf /\x15ls\r").events == [b"ls\n"]
    assert feed(b"abc\x15").echo == b"abc" + b"\b \b" * 3
    assert feed(b"echo one two  \x17three\r").events == [b"echo one three\n"]
    assert feed(b"word\x17\x17x\r").events == [b"x\n"]


def test_backspace_erases_a_whole_utf8_character() -> None:
    out = feed("né€\x7f\x7f".encode(), b"o\r")
    assert out.events == [b"no\n"] and out.echo.endswith(b"\b \b\b \bo\n")
    assert feed("día señor\x17\r".encode()).events == ["día \n".encode()]


def test_ctrl_d_ends_the_file_or_the_line() -> None:
    assert feed(b"\x04") == Cooked(b"", [b""])
    assert feed(b"part\x04rest\r").events == [b"part", b"rest\n"]


def test_ctrl_c_and_ctrl_backslash_drop_the_line_and_signal() -> None:
    assert feed(b"sleep 100\x03") == Cooked(b"sleep 100^C", [signal.SIGINT])
    assert feed(b"x\x1cy\r") == Cooked(b"x^\\y\n", [signal.SIGQUIT, b"y\n"])


def test_other_control_bytes_are_dropped_and_lines_are_bounded() -> None:
    assert feed(b"a\x1b[Ab\tc\r").events == [b"a[Ab\tc\n"]
    assert feed(b"x" * (MAX_LINE + 10) + b"\r").events == [b"x" * MAX_LINE + b"\n"]


printable = st.text(st.characters(min_codepoint=0x20, blacklist_categories=("Cs",)) |
                    st.just("\t"), max_size=30)


@given(printable, st.integers(0, 40))
def test_erasing_n_characters_leaves_the_rest(text: str, n: int) -> None:
    text = text.replace("\x7f", "")
    out = feed(text.encode(), b"\x7f" * n, b"\r")
    assert out.events == [text[:max(0, len(text) - n)].encode() + b"\n"]


@given(st.binary(max_size=60))
def test_any_input_is_safe_and_the_echo_only_prints(data: bytes) -> None:
    out = feed(data)
    for event in out.events:
        assert isinstance(event, int) or len(event) <= MAX_LINE + 1
    assert all(b >= 0x20 or b in b"\t\n\b" for b in out.echo)


# --- booted on a pty pair ------------------------------------------------------------

FAKE_PM = """
[servers.pm]
program = "{path}:FakePm"
provides = ["pm"]
uses = ["vfs", "tty"]
"""

KERNEL = """
import os, sys
from pith.kernel.host import boot
names = ("console_in", "console_out", "console_err")
devices = {name: os.dup(int(fd)) for name, fd in zip(names, sys.argv[2:5])}  # (one fd each)
sys.exit(boot("pith.servers.rs.main:main", (sys.argv[1], "python", "-c", *sys.argv[5:]), devices))
"""

# The command: opens /dev/tty through vfs, says READY once tty is up, then reads lines.
READER = textwrap.dedent("""
    from pith.protocols import tty as tp
    from pith.lib.server import Client, ServiceError
    from pith.protocols import vfs as vp
    v, t = Client(CAPS["vfs"], vp.VfsReply), Client(CAPS["tty"], tp.TtyReply)
    fd = v.call(vp.Open("/dev/tty", vp.O_RDWR)).fd
    t.call(tp.SetForeground(7))
    size = t.call(tp.WindowSize())
    print("READY", size.columns, size.lines, flush=True)
    for i in range(int(sys.argv[1])):
        if i == 1 and sys.argv[2:] == ["restart"]:  # rs kills tty and starts it again
            from pith.protocols.rs import Restart, RsReply
            Client(CAPS["rs"], RsReply).call(Restart("tty"))
            t.call(tp.WindowSize())  # (answered: the new tty is up, its terminal raw)
            print("RESTARTED", flush=True)
        try:
            print(repr(v.call(vp.Read(fd, 1000)).data), flush=True)
        except ServiceError as e:
            print(e.error, flush=True)
    v.call(vp.Write(fd, b"bye\\n"))
    v.call(vp.Write(v.call(vp.Open("/dev/console", vp.O_WRONLY)).fd, b"to stderr\\n"))
""").replace("from pith", "import sys\nfrom pith", 1)


class Console:
    """A Pith booted with a pty pair as its console; the test types on the master."""

    def __init__(self, tmp_path: Path, reads: int, pm: bool = False,
                 stdin: int | None = None, restart: bool = False) -> None:
        self.master, self.slave = os.openpty()
        self.before = termios.tcgetattr(self.slave)
        fake = FAKE_PM.format(path=Path(__file__).with_name("fake_pm.py")) if pm else ""
        text = (ROOT / "examples" / "console.toml").read_text()
        if pm:
            text = text.replace('uses = ["vfs"]', 'uses = ["vfs", "pm"]') + fake
        manifest = Manifest.parse(text, base=tmp_path).to_json()
        fd_in = self.slave if stdin is None else stdin
        self.err_r, err_w = os.pipe()
        argv = [sys.executable, "-c", KERNEL, manifest, str(fd_in), str(self.slave), str(err_w),
                READER, str(reads), *(["restart"] if restart else [])]
        self.kernel = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                       pass_fds=(fd_in, self.slave, err_w))
        os.close(err_w)
        self.echo = b""

    def line(self, timeout: float = 60) -> str:
        out = self.kernel.stdout
        assert out is not None and select.select([out], [], [], timeout)[0], "no output"
        return out.readline().decode().rstrip("\n")

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def shown(self, expected: bytes, timeout: float = 30) -> bytes:
        """What the console showed, read until it contains `expected`."""
        while expected not in self.echo:
            assert select.select([self.master], [], [], timeout)[0], self.echo
            self.echo += os.read(self.master, 4096)
        return self.echo

    def finish(self) -> tuple[int, str, bytes]:
        """Exit status, stderr, and what went to console_err."""
        _, err = self.kernel.communicate(timeout=60)
        with os.fdopen(os.dup(self.err_r), "rb") as f:
            return self.kernel.returncode, err.decode(), f.read()

    def close(self) -> None:
        if self.kernel.poll() is None:
            self.kernel.kill()
        self.kernel.communicate()
        for fd in (self.master, self.slave, self.err_r):
            os.close(fd)


@pytest.fixture
def console(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Console]:
    reads, pm, restart = request.param
    c = Console(tmp_path, reads, pm, restart=restart)
    yield c
    c.close()


@pytest.mark.parametrize("console", [(4, False, False)], indirect=True)
def test_typed_lines_reach_a_reader_through_dev_tty(console: Console) -> None:
    assert console.line() == "READY 80 24"
    raw = termios.tcgetattr(console.slave)
    assert not raw[3] & (termios.ICANON | termios.ECHO | termios.ISIG)
    console.type(b"hello\r")
    assert console.line() == "b'hello\\n'"
    console.type(b"cat\x7f\x7fp x\r")  # backspace
    assert console.line() == "b'cp x\\n'"
    console.type(b"rm -rf /\x15ls one two\x17\x17three\r")  # ^U, ^W
    assert console.line() == "b'ls three\\n'"
    console.type(b"\x04")  # ^D on an empty line: end of file
    assert console.line() == "b''"
    assert console.shown(b"bye\r\n").startswith(b"hello\r\n")
    status, err, to_stderr = console.finish()
    assert status == 0, err
    assert to_stderr == b"to stderr\n"
    assert termios.tcgetattr(console.slave) == console.before  # restored at shutdown


@pytest.mark.parametrize("console", [(2, True, False)], indirect=True)
def test_ctrl_c_flushes_the_reader_and_signals_the_foreground(console: Console) -> None:
    assert console.line().startswith("READY")
    console.type(b"half a line\x03")
    assert console.line() == "EINTR"
    console.shown(b"half a line^C")
    console.type(b"next\r")
    assert console.line() == "b'next\\n'"
    status, err, _ = console.finish()
    assert status == 0, err
    assert "pm: Kill(pid=-7, signo=2)" in err


@pytest.mark.parametrize("console", [(2, False, True)], indirect=True)
def test_a_restarted_tty_sets_raw_mode_again_and_restores_at_the_end(console: Console) -> None:
    assert console.line().startswith("READY")
    console.type(b"one\r")
    assert console.line() == "b'one\\n'"
    assert console.line() == "RESTARTED"
    assert not termios.tcgetattr(console.slave)[3] & termios.ICANON
    console.type(b"twx\x7fo\r")
    assert console.line() == "b'two\\n'"
    status, err, _ = console.finish()
    assert status == 0, err
    assert termios.tcgetattr(console.slave) == console.before


def test_piped_input_is_passed_on_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "input").write_bytes(b"first\nsecond\x7f\n")
    fd = os.open(tmp_path / "input", os.O_RDONLY)
    c = Console(tmp_path, 3, stdin=fd)
    try:
        assert c.line() == "READY 80 24"
        assert [c.line() for _ in range(3)] == ["b'first\\n'", "b'second\\x7f\\n'", "b''"]
        assert c.shown(b"bye\r\n") == b"bye\r\n"  # no echo of piped input
        status, err, _ = c.finish()
        assert status == 0, err
    finally:
        os.close(fd)
        c.close()
