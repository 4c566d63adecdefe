"""kill -9 of the eth driver in the middle of a transfer, each way, from the host: rs
restarts eth, inet re-attaches to it, TCP retransmits what was lost, and the transfer
completes with the right SHA-256 (MINIX 3's result on Ethernet drivers, on Pith)."""

from __future__ import annotations

import hashlib
import os
import select
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pith.tools.mkfs import make_image
from tests.kernel.host.conftest import named
from tests.net.conftest import HOST_IP, LIMIT, PITH_IP, Netns, finish, read_until

SIZE = 10 << 20  # bytes moved each way (the 10 MiB)


@pytest.fixture
def image(tmp_path: Path) -> Path:
    image = tmp_path / "disk.img"
    make_image(image)
    return image


def read_at_least(proc: subprocess.Popen[bytes], size: int) -> bytes:
    """`size` bytes or more of `proc`'s stdout, as they arrive (at most LIMIT seconds)."""
    assert proc.stdout is not None
    fd, got, end = proc.stdout.fileno(), b"", time.monotonic() + LIMIT
    while len(got) < size:
        ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        assert ready, f"only {len(got)} of {size} bytes within {LIMIT} s"
        chunk = os.read(fd, 1 << 20)
        assert chunk, f"the transfer ended after {len(got)} bytes"
        got += chunk
    return got


MAKE_BIG = f"""
import hashlib, random
data = random.Random(3).randbytes({SIZE})
open("/tmp/big", "wb").write(data)
print("made", hashlib.sha256(data).hexdigest(), flush=True)
"""


def test_a_download_from_pith_survives_a_killed_eth(netns: Netns, image: Path,
                                                     tmp_path: Path) -> None:
    line = (f"python -c {shlex.quote(MAKE_BIG)}; cd /tmp && python -u -m http.server 8000 & "
            "read x; kill $!")
    pith = netns.boot(line, "--image", str(image))
    out = read_until(pith, "Serving HTTP on")
    digest = out.split("made ", 1)[1].split()[0]
    curl = netns.start(["curl", "-sS", "--max-time", str(4 * LIMIT),
                        f"http://{PITH_IP}:8000/big"], text=False)
    first = read_at_least(curl, SIZE // 4)
    os.kill(named("pith:eth"), signal.SIGKILL)
    rest, err = curl.communicate(timeout=4 * LIMIT)
    assert curl.returncode == 0, err
    data = first + rest
    assert (len(data), hashlib.sha256(data).hexdigest()) == (SIZE, digest)
    _, _, log = finish(pith)  # (the end of its input ends the line: read, then kill)
    assert "service eth died (status -9); restarting it" in log, log


FETCH = f"""
import hashlib, urllib.request
digest, total, said = hashlib.sha256(), 0, False
with urllib.request.urlopen("http://{HOST_IP}:8080/big", timeout=120) as r:
    while chunk := r.read(65536):
        digest.update(chunk)
        total += len(chunk)
        if total >= {SIZE // 4} and not said:
            print("quarter", flush=True)
            said = True
            input()  # (the host kills eth, then says go on)
print("got", total, digest.hexdigest(), flush=True)
"""


def test_an_upload_to_pith_survives_a_killed_eth(netns: Netns, image: Path,
                                                  tmp_path: Path) -> None:
    served = tmp_path / "served"
    served.mkdir()
    data = os.urandom(SIZE)
    (served / "big").write_bytes(data)
    peer = netns.start([sys.executable, "-u", "-m", "http.server", "8080", "--directory",
                        str(served)])
    read_until(peer, "Serving HTTP on")
    pith = netns.boot(f"python -c {shlex.quote(FETCH)}", "--image", str(image))
    read_until(pith, "quarter")
    os.kill(named("pith:eth"), signal.SIGKILL)
    assert pith.stdin is not None
    pith.stdin.write("\n")
    pith.stdin.flush()
    status, out, err = finish(pith, 4 * LIMIT)
    assert status == 0, err
    assert out.splitlines()[-1] == f"got {SIZE} {hashlib.sha256(data).hexdigest()}", err
    assert "service eth died (status -9); restarting it" in err, err
