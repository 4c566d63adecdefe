"""/proc through vfs: services, IPC counts and process status, always current."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.kernel.host.conftest import (
    ROOT,
    boot_argv,
    minix_image,
    no_leaks,  # noqa: F401  (the leak check)
)

READER = """
from pith.lib.server import Client
from pith.servers.vfs import protocol as vp
v = Client(CAPS["vfs"], vp.VfsReply)
def cat(path):
    fd = v.call(vp.Open(path, vp.O_RDONLY, 0)).fd
    text = v.call(vp.Read(fd, 4096)).data.decode()
    v.call(vp.Close(fd))
    return text
print(cat("/proc/services"), end="")
def calls():
    return int(dict(line.split() for line in cat("/proc/ipc").splitlines())["call"])
print("calls grow:", calls() < calls())
pids = [name for name in v.call(vp.Listdir("/proc")).names if name.isdigit()]
print(sorted(cat(f"/proc/{pid}/status").split()[1] for pid in pids))
try:
    v.call(vp.Write(v.call(vp.Open("/proc/services", vp.O_WRONLY, 0)).fd, b"x"))
except Exception as e:
    print(type(e).__name__, e.error)
"""


def test_proc_shows_the_running_system(tmp_path: Path) -> None:
    image = minix_image(tmp_path / "disk.img", 4)
    done = subprocess.run(boot_argv(READER, "examples/storage.toml", image), cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    lines = done.stdout.splitlines()
    assert lines[0] == "NAME PID MODE STATE RESTARTS LAST-FAILURE", done.stderr
    services = {line.split()[0]: line.split()[3] for line in lines[1:6]}
    assert services == dict.fromkeys(["blk", "tmpfs", "procfs", "mfs", "vfs"], "running")
    assert lines[6] == "calls grow: True"
    assert lines[7] == str(sorted(["blk", "tmpfs", "procfs", "mfs", "vfs", "python"]))
    assert lines[8] == "ServiceError EROFS"
