"""Kill blk or mfs from the host while files are in use: they come back, nothing
acknowledged is lost, the image stays fsck-clean."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from tests.kernel.host.conftest import (
    Running,
    boot_argv,
    minix_image,
    named,
    no_leaks,  # noqa: F401  (the leak check)
)

CLIENT = """
import hashlib
from pith.lib.server import Client
from pith.protocols import vfs as vp
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


def test_killing_blk_and_mfs_during_use_loses_nothing(tmp_path: Path) -> None:
    image = minix_image(tmp_path / "disk.img", 8)
    with Running(boot_argv(CLIENT, "examples/storage.toml", image)) as pith:
        assert pith.line() == b"WRITTEN\n"
        for name in ("pith:blk", "pith:mfs"):
            os.kill(named(name), signal.SIGKILL)
            pith.say()
            assert pith.line() == b"SAME\n"
        _, err = pith.finish()
        assert pith.kernel.returncode == 0, err
        assert err.count(b"restarting it") == 2, err  # rs reported each death and restart
        assert b"not restarting" not in err
    fsck = subprocess.run(["fsck.minix", "-f", str(image)], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
