"""Kill blk or mfs from the host while files are in use: they come back, nothing
acknowledged is lost, the image stays fsck-clean."""

from __future__ import annotations

import os
import select
import shlex
import signal
import subprocess
import sys
from pathlib import Path

from tests.kernel.host.conftest import ROOT, no_leaks, pith_processes  # noqa: F401

CLIENT = """
import hashlib
from pith.lib.server import Client
from pith.servers.vfs import protocol as vp
v = Client(CAPS["vfs"], vp.VfsReply)
data = bytes(i * 7 % 251 for i in range(300_000))
fd = v.call(vp.Open("/big", vp.O_CREAT | vp.O_RDWR, 0o644)).fd
for at in range(0, len(data), 40_000):
    v.call(vp.Write(fd, data[at:at + 40_000]))
def check():
    v.call(vp.Seek(fd, 0, vp.SEEK_SET))
    back = b""
    while chunk := v.call(vp.Read(fd, 50_000)).data:
        back += chunk
    return "SAME" if back == data else f"DIFFERENT {len(back)}"
print("WRITTEN", flush=True)
for victim in ("blk", "mfs"):
    input()  # the test kills the victim, then says go
    print(check(), flush=True)
"""


def victim(name: str) -> int:
    found = [p for p in pith_processes() if Path(f"/proc/{p}/comm").read_text().strip() == name]
    assert len(found) == 1, found
    return found[0]


def test_killing_blk_and_mfs_during_use_loses_nothing(tmp_path: Path) -> None:
    image = tmp_path / "disk.img"
    image.write_bytes(bytes(8 << 20))
    subprocess.run(["mkfs.minix", "-3", str(image)], check=True, capture_output=True)
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", "examples/storage.toml",
            "--image", str(image), "--command", f"python -c {shlex.quote(CLIENT)}"]
    kernel = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    assert kernel.stdout is not None and kernel.stdin is not None
    try:
        assert select.select([kernel.stdout], [], [], 60)[0]
        assert kernel.stdout.readline() == b"WRITTEN\n"
        for name in ("pith:blk", "pith:mfs"):
            os.kill(victim(name), signal.SIGKILL)
            kernel.stdin.write(b"go\n")
            kernel.stdin.flush()
            assert select.select([kernel.stdout], [], [], 60)[0]
            assert kernel.stdout.readline() == b"SAME\n"
        _, err = kernel.communicate(timeout=60)
        assert kernel.returncode == 0, err
        assert err.count(b"restarting it") == 2, err  # rs reported each death and restart
        assert b"not restarting" not in err
    finally:
        if kernel.poll() is None:
            kernel.kill()
            kernel.communicate()
    fsck = subprocess.run(["fsck.minix", "-f", str(image)], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
