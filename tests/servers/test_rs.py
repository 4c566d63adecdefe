"""rs supervises: a crashed or killed service comes back on the same endpoint, by policy."""

from __future__ import annotations

import os
import shlex
import signal
from pathlib import Path

import pytest

from tests.kernel.host.conftest import (
    Running,
    boot,
    boot_argv,
    named,
    no_leaks,  # noqa: F401  (the leak check)
)

CRASH_TWICE = """
from pith.kernel.core.errors import ServerDied, Timeout
from pith.lib.server import Client
from pith.protocols.echo import Crash, Echo, Echoed
echo = Client(CAPS["echo"], Echoed)
for attempt in range(3):
    try:
        print(echo.call(Echo(f"call {attempt}"), timeout=5).text)
    except Timeout:
        print("nobody serves")
        break
    try:
        echo.call(Crash())
    except ServerDied:
        print("crashed")
"""


def manifest(tmp_path: Path, restart: str, intensity: int = 1) -> str:
    path = tmp_path / "echo.toml"
    path.write_text(f"""
[servers.echo]
program = "pith.servers.echo.server:EchoServer"
provides = ["echo"]
restart = "{restart}"
intensity = {intensity}
""")
    return str(path)


def test_a_crashed_server_is_restarted_then_given_up_on(tmp_path: Path) -> None:
    done = boot(f"python -c {shlex.quote(CRASH_TWICE)}", manifest(tmp_path, "permanent"))
    assert done.stdout.splitlines() == ["call 0", "crashed", "call 1", "crashed", "nobody serves"]
    assert "service echo died (status 70); restarting it" in done.stderr
    assert "service echo died 2 times in 5 s (last status 70); not restarting it" in done.stderr


def test_restart_intensity_is_the_manifests_and_repeats_back_off(tmp_path: Path) -> None:
    done = boot(f"python -c {shlex.quote(CRASH_TWICE)}", manifest(tmp_path, "permanent", 2))
    assert done.stdout.splitlines() == [
        "call 0", "crashed", "call 1", "crashed", "call 2", "crashed"]
    assert done.stderr.count("); restarting it") == 2
    assert "died 3 times in 5 s (last status 70); not restarting it" in done.stderr


@pytest.mark.parametrize("restart", ["temporary", "transient"])
def test_temporary_and_transient_crashes(tmp_path: Path, restart: str) -> None:
    done = boot(f"python -c {shlex.quote(CRASH_TWICE)}", manifest(tmp_path, restart))
    lines = done.stdout.splitlines()
    if restart == "temporary":  # never restarted
        assert lines == ["call 0", "crashed", "nobody serves"]
    else:  # restarted after an abnormal exit (status 70)
        assert lines[:3] == ["call 0", "crashed", "call 1"]


def test_a_server_killed_from_the_host_comes_back(tmp_path: Path) -> None:
    code = ("from pith.lib.server import Client; from pith.protocols.echo import Echo, Echoed\n"
            "echo = Client(CAPS['echo'], Echoed)\n"
            "print(echo.call(Echo('before')).text, flush=True)\n"
            "input()\n"  # the test kills the echo server meanwhile, then answers
            "from pith.kernel.core.errors import ServerDied\n"
            "try:\n"  # a call that reached the server before its death was noticed fails
            "    print(echo.call(Echo('after'), timeout=10).text)\n"
            "except ServerDied:\n"
            "    print(echo.call(Echo('after'), timeout=10).text)\n")
    with Running(boot_argv(code)) as pith:
        assert pith.line() == b"before\n"
        os.kill(named("pith:echo"), signal.SIGKILL)
        pith.say()
        out, err = pith.finish()
        assert out == b"after\n", err
        assert b"service echo died" in err


HANG = """
import time
from pith.kernel.core.errors import ServerDied
from pith.lib.server import Client
from pith.protocols.echo import Echo, Echoed, Hang
echo = Client(CAPS["echo"], Echoed)
start = time.monotonic()
try:
    echo.call(Hang())
except ServerDied:
    print("hung server killed after", time.monotonic() - start)
print(echo.call(Echo("and back"), timeout=10).text)
"""


def test_a_hung_server_misses_its_heartbeat_and_is_restarted(tmp_path: Path) -> None:
    path = tmp_path / "echo.toml"
    path.write_text('[servers.echo]\nprogram = "pith.servers.echo.server:EchoServer"\n'
                    'provides = ["echo"]\nheartbeat = 0.5\nheartbeat_timeout = 0.5\n')
    done = boot(f"python -c {shlex.quote(HANG)}", str(path))
    lines = done.stdout.splitlines()
    assert lines[0].startswith("hung server killed after"), lines
    assert float(lines[0].split()[-1]) < 0.5 + 0.5 + 2.0  # period + timeout, and some slack
    assert lines[1] == "and back"
    assert "service echo missed its heartbeat; killing it" in done.stderr
    assert "service echo died" in done.stderr


OPERATOR = """
from pith.programs import service
from pith.lib.server import Client
from pith.lib.start import Context
from pith.protocols.echo import Echo, Echoed
for args in (["stop", "echo"], ["list"], ["start", "echo"], ["restart", "echo"], ["stop", "x"]):
    print("status", service.main(Context(CAPS, tuple(args))))
print(Client(CAPS["echo"], Echoed).call(Echo("still here"), timeout=10).text)
"""


def test_service_stops_starts_and_restarts_servers() -> None:
    done = boot(f"python -c {shlex.quote(OPERATOR)}")
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith("echo")]
    assert [row[3] for row in rows] == ["stopped", "stopped", "running", "running"]
    assert rows[2][1] != rows[1][1] != rows[3][1]  # a new process each start
    assert rows[3][4] == "1"  # the restart is counted
    assert done.stdout.count("status 0") == 4 and "status 1" in done.stdout
    assert "no service 'x'" in done.stderr
    assert done.stdout.splitlines()[-1] == "still here"


def test_service_command_checks_its_arguments() -> None:
    assert boot("service frobnicate").returncode == 2
    assert "usage: service" in boot("service --help").stdout


REST = """
from pith.kernel.core.errors import ServerDied
from pith.lib.server import Client
from pith.protocols.echo import Crash, Echo, Echoed
from pith.protocols.rs import RsReply, Services
def pids():
    return {row.name: row.pid for row in Client(CAPS["rs"], RsReply).call(Services()).rows}
before = pids()
try:
    Client(CAPS["echo"], Echoed).call(Crash())
except ServerDied:
    pass
relay = Client(CAPS["relay"], Echoed)
try:  # (under rest_for_one a call the old relay had taken fails as it is restarted)
    print(relay.call(Echo("relayed"), timeout=10).text)
except ServerDied:
    print(relay.call(Echo("relayed"), timeout=10).text)
after = pids()
print(sorted(name for name in before if before[name] != after[name]))
"""


@pytest.mark.parametrize(("strategy", "restarted"), [
    ("one_for_one", ["echo"]), ("rest_for_one", ["echo", "relay"]),
])
def test_restart_strategies(tmp_path: Path, strategy: str, restarted: list[str]) -> None:
    relay = Path(__file__).parents[1] / "kernel" / "host" / "relay_server.py"
    path = tmp_path / "pair.toml"
    path.write_text(f"""strategy = "{strategy}"

[servers.echo]
program = "pith.servers.echo.server:EchoServer"
provides = ["echo"]

[servers.relay]
program = "{relay}:RelayServer"
provides = ["relay"]
uses = ["echo"]
depends = ["echo"]
""")
    done = boot(f"python -c {shlex.quote(REST)}", str(path))
    assert done.stdout.splitlines() == ["RELAYED", str(restarted)], done.stderr
