"""Booting Pith: one command through the echo server, isolated and collocated."""

from __future__ import annotations

import os
import select
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kernel.host.conftest import ROOT, Running, boot, named, pith_processes

MANIFESTS = ["examples/echo.toml", "examples/echo-collocated.toml"]


def parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


@pytest.mark.parametrize("manifest", MANIFESTS)
def test_echo_goes_through_the_echo_server(manifest: str) -> None:
    done = boot("echo hello,   world", manifest)
    assert (done.stdout, done.stderr, done.returncode) == ("hello, world\n", "", 0)


@pytest.mark.parametrize("manifest", MANIFESTS)
def test_command_exit_status_is_pith_boots_exit_status(manifest: str) -> None:
    assert boot("python -c 'import sys; sys.exit(7)'", manifest).returncode == 7


def test_unknown_command_is_not_found_with_status_127() -> None:
    done = boot("frobnicate now")
    assert done.returncode == 127
    assert "frobnicate: not found" in done.stderr


def test_a_crashing_command_gives_status_1_and_its_traceback() -> None:
    done = boot("python -c 'raise ValueError(42)'")
    assert done.returncode == 1
    assert "ValueError: 42" in done.stderr


def test_bad_manifest_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[servers.x]\nprogram = "a:b"\nuses = ["nowhere"]\n')
    done = boot("echo hi", str(bad))
    assert done.returncode == 2
    assert "uses endpoint nowhere" in done.stderr


def test_servers_see_the_badge_rs_gives_the_command() -> None:
    code = ("from pith.lib.server import Client; from pith.protocols.echo import Echo, Echoed; "
            "print(Client(CAPS['echo'], Echoed).call(Echo('x')).badge)")
    assert boot(f"python -c {shlex.quote(code)}").stdout == "1000\n"


def test_processes_carry_their_pith_names_and_all_go_at_shutdown() -> None:
    code = "import sys; print('READY', flush=True); sys.stdin.readline()"  # blocks: no input
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", "examples/echo.toml",
            "--command", f"python -c {shlex.quote(code)}"]
    kernel = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.PIPE)
    try:
        assert kernel.stdout is not None
        ready, _, _ = select.select([kernel.stdout], [], [], 30)
        assert ready and kernel.stdout.readline() == b"READY\n"
        names = {Path(f"/proc/{pid}/comm").read_text().strip() for pid in pith_processes()}
        assert {"pith:kernel", "pith:zygote", "pith:root", "pith:echo", "pith:python"} <= names
        kernel.send_signal(signal.SIGINT)  # ^C to the kernel: a clean shutdown
        assert kernel.wait(timeout=30) == 130
    finally:
        if kernel.poll() is None:
            os.kill(kernel.pid, signal.SIGKILL)
            kernel.wait()
        kernel.stdout.close()  # type: ignore[union-attr]
        kernel.stdin.close()  # type: ignore[union-attr]


def test_killing_the_kernel_with_sigkill_leaves_no_process_behind() -> None:
    code = "import sys; print('READY', flush=True); sys.stdin.readline()"  # blocks: no input
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", "examples/echo.toml",
            "--command", f"python -c {shlex.quote(code)}"]
    kernel = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.PIPE)
    assert kernel.stdout is not None
    with kernel.stdout:
        ready, _, _ = select.select([kernel.stdout], [], [], 30)
        assert ready and kernel.stdout.readline() == b"READY\n"
        children = {pid for pid in pith_processes() if parent(pid) == kernel.pid}
        assert len(children) >= 4  # zygote, root, echo, python: all the kernel's children
        kernel.kill()
        kernel.wait(timeout=30)
        kernel.stdin.close()  # type: ignore[union-attr]
        # each orphan is killed by its parent-death signal; wait for them to be gone
        pidfds = [os.pidfd_open(pid) for pid in children if os.path.exists(f"/proc/{pid}")]
        try:
            for fd in pidfds:
                assert select.select([fd], [], [], 10)[0], "a Pith process outlived the kernel"
        finally:
            for fd in pidfds:
                os.close(fd)


def test_a_killed_zygote_is_replaced_at_the_next_spawn() -> None:
    """The zygote holds nothing but imports: killed from the host, the kernel forks a new
    one when it next needs it, and the running shell's next command works."""
    line = "echo up; read go; echo spawned $(echo x | wc -c)"
    argv = [sys.executable, "-m", "pith", "boot", "--command", line]
    with Running(argv) as pith:
        assert pith.line() == b"up\n"
        os.kill(named("pith:zygote"), signal.SIGKILL)
        pith.say()
        out, err = pith.finish()
    assert out == b"spawned 2\n", err
    assert pith.kernel.returncode == 0
