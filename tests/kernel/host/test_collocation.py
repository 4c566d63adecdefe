"""Servers that call servers: isolated, collocated (direct calls in the kernel), and mixed."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tests.kernel.host.conftest import boot

RELAY = Path(__file__).parent / "relay_server.py"
CLIENT = ("from pith.lib.server import Client; from pith.protocols.echo import Echo, Echoed; "
          "print(Client(CAPS['relay'], Echoed).call(Echo('quiet')).text)")


def manifest(tmp_path: Path, echo_mode: str, relay_mode: str) -> str:
    path = tmp_path / "relay.toml"
    path.write_text(f"""
[servers.echo]
program = "pith.servers.echo.server:EchoServer"
mode = "{echo_mode}"
provides = ["echo"]

[servers.relay]
program = "{RELAY}:RelayServer"
mode = "{relay_mode}"
provides = ["relay"]
uses = ["echo"]
depends = ["echo"]
""")
    return str(path)


@pytest.mark.parametrize(("echo_mode", "relay_mode"), [
    ("isolated", "isolated"), ("collocated", "collocated"), ("collocated", "isolated"),
    ("isolated", "collocated"),
])
def test_a_server_calls_a_server(tmp_path: Path, echo_mode: str, relay_mode: str) -> None:
    done = boot(f"python -c {shlex.quote(CLIENT)}", manifest(tmp_path, echo_mode, relay_mode))
    assert (done.stdout, done.returncode) == ("QUIET\n", 0), done.stderr


def test_a_collocated_server_waits_for_an_isolated_one_again_and_again(tmp_path: Path) -> None:
    """The collocated relay waits for the isolated echo server each time (a regression:
    that was a kernel panic), and each wait ends with its own answer."""
    code = ("from pith.lib.server import Client; from pith.protocols.echo import Echo, Echoed; "
            "c = Client(CAPS['relay'], Echoed); "
            "print(sum(c.call(Echo(f'x{i}')).text == f'X{i}' for i in range(100)))")
    done = boot(f"python -c {shlex.quote(code)}", manifest(tmp_path, "isolated", "collocated"))
    assert (done.stdout, done.returncode) == ("100\n", 0), done.stderr
