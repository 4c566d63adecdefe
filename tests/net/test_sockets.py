"""Python's socket module inside Pith against real host peers, in the test's own namespace:
the host's curl fetches from `python -m http.server` run in Pith, Pith's urllib.request
fetches from the host's http.server, a megabyte both ways checked by its SHA-256, UDP
echo both ways, and the right errors (a refused connection, a name not found)."""

from __future__ import annotations

import hashlib
import shlex
import sys
from pathlib import Path

import pytest

from pith.tools.mkfs import make_image
from tests.net.conftest import HOST_IP, PITH_IP, Netns, finish, read_until

SIZE = 1 << 20  # bytes of each checksummed transfer


@pytest.fixture
def image(tmp_path: Path) -> Path:
    image = tmp_path / "disk.img"
    make_image(image)
    return image


def python_line(source: str) -> str:
    return f"python -c {shlex.quote(source)}"


MAKE_BIG = f"""
import hashlib, random
data = random.Random(7).randbytes({SIZE})
open("/tmp/big", "wb").write(data)
print("made", hashlib.sha256(data).hexdigest(), flush=True)
"""


def test_host_curl_fetches_from_http_server_in_pith(netns: Netns, image: Path) -> None:
    line = (python_line(MAKE_BIG) + "; cd /tmp && python -u -m http.server 8000 & read x; "
            "kill $!")  # (the end of the boot's input ends it: no process left dying)
    pith = netns.boot(line, "--image", str(image))
    out = read_until(pith, "Serving HTTP on")
    digest = out.split("made ", 1)[1].split()[0]
    got = netns.run(["curl", "-sS", "--max-time", "60", f"http://{PITH_IP}:8000/big"],
                    text=False)
    assert got.returncode == 0, got.stderr
    assert (len(got.stdout), hashlib.sha256(got.stdout).hexdigest()) == (SIZE, digest)
    listing = netns.run(["curl", "-sS", "--max-time", "60", f"http://{PITH_IP}:8000/"])
    assert '<a href="big">big</a>' in listing.stdout, listing
    missing = netns.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                         f"http://{PITH_IP}:8000/nothing"])
    assert missing.stdout == "404"
    status, _, err = finish(pith)
    assert status == 0, err


FETCH = f"""
import hashlib, socket, urllib.request, urllib.error
data = urllib.request.urlopen("http://{HOST_IP}:8080/big", timeout=60).read()
print("got", len(data), hashlib.sha256(data).hexdigest())
try:
    urllib.request.urlopen("http://{HOST_IP}:8080/nothing", timeout=60)
except urllib.error.HTTPError as e:
    print("status", e.code)
try:
    socket.create_connection(("{HOST_IP}", 1), timeout=60)
except ConnectionRefusedError as e:
    print("refused", e.errno)
try:
    socket.getaddrinfo("no-such-name.invalid", 80)
except socket.gaierror as e:
    print("gaierror", e.errno)
"""


def test_pith_urllib_fetches_from_host_http_server(netns: Netns, image: Path,
                                                     tmp_path: Path) -> None:
    served = tmp_path / "served"
    served.mkdir()
    data = bytes(range(256)) * (SIZE // 256)
    (served / "big").write_bytes(data)
    peer = netns.start([sys.executable, "-u", "-m", "http.server", "8080", "--directory",
                        str(served)])
    read_until(peer, "Serving HTTP on")
    pith = netns.boot(python_line(FETCH), "--image", str(image))
    status, out, err = finish(pith)
    assert status == 0, err
    assert out.splitlines() == [f"got {SIZE} {hashlib.sha256(data).hexdigest()}",
                                "status 404", "refused 111", f"gaierror {-2}"], err


UDP_ECHO = """
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 7000))
print("bound", flush=True)
for _ in range(3):
    data, peer = s.recvfrom(2048)
    s.sendto(data.upper(), peer)
print("echoed", flush=True)
"""

UDP_PEER = f"""
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(60)
for word in (b"one", b"two", b"three"):
    s.sendto(word, ("{PITH_IP}", 7000))
    print(s.recvfrom(2048)[0].decode())
"""


def test_udp_echo_between_host_and_pith(netns: Netns, image: Path) -> None:
    pith = netns.boot(python_line(UDP_ECHO), "--image", str(image))
    read_until(pith, "bound")
    got = netns.run([sys.executable, "-c", UDP_PEER])
    assert got.stdout.split() == ["ONE", "TWO", "THREE"], got.stderr
    status, out, err = finish(pith)
    assert status == 0 and "echoed" in out, err


MANY = 100  # connections open at once

COUNTER = f"""
import socket, threading
server = socket.create_server(("0.0.0.0", 7001), backlog={MANY})
print("listening", flush=True)
conns = [server.accept()[0] for _ in range({MANY})]
print("accepted", len(conns), flush=True)
for i, c in enumerate(conns):
    c.sendall(c.recv(100) + b" %d" % i)
    c.close()
"""

MANY_PEER = f"""
import socket
conns = [socket.create_connection(("{PITH_IP}", 7001), timeout=60) for _ in range({MANY})]
for i, c in enumerate(conns):
    c.sendall(b"c%d" % i)
print(sorted(int(c.recv(100).split()[0][1:]) for c in conns) == list(range({MANY})))
"""


def test_a_hundred_connections_at_once_and_ping_from_the_host(netns: Netns,
                                                              image: Path) -> None:
    pith = netns.boot(python_line(COUNTER), "--image", str(image))
    read_until(pith, "listening")
    ping = netns.run(["ping", "-c", "2", "-W", "10", PITH_IP])
    assert ping.returncode == 0 and " 0% packet loss" in ping.stdout, ping.stdout
    got = netns.run([sys.executable, "-c", MANY_PEER])
    assert got.stdout == "True\n", got.stderr
    status, out, err = finish(pith)
    assert status == 0 and f"accepted {MANY}" in out, err
