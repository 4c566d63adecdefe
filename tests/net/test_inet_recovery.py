"""kill -9 of inet from the host while a Pith program holds a connection to a host peer:
inet is restarted, the connection it carried fails with a clear ECONNRESET (not a hang,
not EBADF), closing it is quiet, and a new connection to the same peer works at once.
(Connections that survive an inet restart are the goal the issue sets; not reached yet.)"""

from __future__ import annotations

import os
import shlex
import signal
import sys
from pathlib import Path

import pytest

from pith.tools.mkfs import make_image
from tests.kernel.host.conftest import named
from tests.net.conftest import HOST_IP, Netns, finish, read_until

PEER = """
import socketserver
class Upper(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line.upper())
socketserver.ThreadingTCPServer.allow_reuse_address = True
with socketserver.ThreadingTCPServer(("0.0.0.0", 9000), Upper) as s:
    print("ready", flush=True)
    s.serve_forever()
"""

CLIENT = f"""
import socket
c = socket.create_connection(("{HOST_IP}", 9000), timeout=60)
c.sendall(b"one\\n")
print(c.recv(100).decode().strip(), flush=True)
input()  # (the host kills inet)
try:
    c.sendall(b"two\\n")
    print("ALLOWED", c.recv(100))
except OSError as e:
    print("old connection:", type(e).__name__)
c.close()
d = socket.create_connection(("{HOST_IP}", 9000), timeout=60)
d.sendall(b"three\\n")
print(d.recv(100).decode().strip())
"""


@pytest.fixture
def image(tmp_path: Path) -> Path:
    image = tmp_path / "disk.img"
    make_image(image)
    return image


def test_a_killed_inet_resets_its_connections_and_takes_new_ones(netns: Netns,
                                                                 image: Path) -> None:
    peer = netns.start([sys.executable, "-c", PEER])
    read_until(peer, "ready")
    pith = netns.boot(f"python -c {shlex.quote(CLIENT)}", "--image", str(image))
    read_until(pith, "ONE")
    os.kill(named("pith:inet"), signal.SIGKILL)
    assert pith.stdin is not None
    pith.stdin.write("\n")
    pith.stdin.flush()
    status, out, err = finish(pith)
    assert status == 0, err
    assert out.splitlines()[-2:] == ["old connection: ConnectionResetError", "THREE"], err
    assert "service inet died (status -9); restarting it" in err, err
