"""Pith's nc and wget against host peers in the test's own namespace: the host's OpenBSD nc
sends a file to `nc -l` in Pith, Pith's nc sends to a host listener, wget fetches a page
and reports a missing one (8) and a refused connection (4) with GNU wget's statuses."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pith.tools.mkfs import make_image
from tests.net.conftest import HOST_IP, PITH_IP, Netns, finish, read_until


@pytest.fixture
def image(tmp_path: Path) -> Path:
    image = tmp_path / "disk.img"
    make_image(image)
    return image


def test_host_nc_sends_a_file_to_nc_listening_in_pith(netns: Netns, image: Path,
                                                      tmp_path: Path) -> None:
    sent = tmp_path / "sent"
    sent.write_bytes(b"".join(b"line %d\n" % i for i in range(20000)))
    line = "nc -v -l 9100 2>&1 > /tmp/in; wc -c < /tmp/in; tail -n 1 /tmp/in"
    pith = netns.boot(line, "--image", str(image))
    read_until(pith, "Listening on 0.0.0.0 9100")
    with sent.open("rb") as f:
        got = netns.run(["nc", "-N", PITH_IP, "9100"], stdin=f)
    assert got.returncode == 0, got.stderr
    status, out, err = finish(pith)
    assert status == 0, err
    assert out.split("\n", 1)[1].splitlines() == [str(sent.stat().st_size), "line 19999"], out


LISTENER = """
import socket
s = socket.create_server(("0.0.0.0", 9200))
print("ready", flush=True)
c, _ = s.accept()
data = b""
while chunk := c.recv(65536):
    data += chunk
print(repr(data), flush=True)
"""


def test_nc_in_pith_sends_to_a_host_listener(netns: Netns, image: Path) -> None:
    peer = netns.start([sys.executable, "-c", LISTENER])
    read_until(peer, "ready")
    pith = netns.boot(f"echo hello from pith | nc -N {HOST_IP} 9200; echo status=$?; "
                      f"nc -z -v {HOST_IP} 1; echo refused=$?", "--image", str(image))
    status, out, err = finish(pith)
    assert status == 0, err
    assert out.splitlines() == ["status=0", "refused=1"], (out, err)
    assert f"nc: connect to {HOST_IP} port 1 (tcp) failed: Connection refused" in err
    peer_out, _ = peer.communicate(timeout=60)
    assert peer_out.splitlines()[-1] == repr(b"hello from pith\n")


def test_wget_fetches_a_page_and_reports_failures(netns: Netns, image: Path,
                                                  tmp_path: Path) -> None:
    served = tmp_path / "served"
    served.mkdir()
    (served / "page.txt").write_text("a page from the host\n")
    peer = netns.start([sys.executable, "-u", "-m", "http.server", "8080", "--directory",
                        str(served)])
    read_until(peer, "Serving HTTP on")
    url = f"http://{HOST_IP}:8080"
    line = (f"cd /tmp && wget -q {url}/page.txt; echo got=$?; cat page.txt; "
            f"wget -q -O - {url}/page.txt; wget {url}/nothing; echo missing=$?; "
            f"wget -q http://{HOST_IP}:1/; echo refused=$?")
    pith = netns.boot(line, "--image", str(image))
    status, out, err = finish(pith)
    assert status == 0, err
    assert out.splitlines() == ["got=0", "a page from the host", "a page from the host",
                                "missing=8", "refused=4"], (out, err)
    assert "ERROR 404: File not found." in err, err
