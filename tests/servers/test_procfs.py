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
from pith.protocols import vfs as vp
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


class GoneGate:
    """A gate on which every call finds its server dead (pm or rs killed, restarting)."""

    def call(self, slot: int, msg: bytes, caps: tuple[int, ...] = (),
             timeout: float | None = None) -> object:
        from pith.kernel.core.errors import ServerDied

        raise ServerDied("server process 38 died")


def test_rs_or_pm_gone_is_eio_and_procfs_goes_on() -> None:
    import msgspec

    from pith.lib.server import Caller, Failure
    from pith.protocols import fs as fp
    from pith.servers.procfs.server import SERVICES, ProcfsServer

    procfs = ProcfsServer({"rs": 1, "pm": 2}, (), lambda: GoneGate())  # type: ignore[arg-type, return-value]
    for request in (fp.Read(SERVICES, 0, 100), fp.Readdir(fp.ROOT, 0), fp.Lookup(fp.ROOT, "7")):
        reply = procfs.dispatch(msgspec.msgpack.encode(request), Caller(1, None))
        assert msgspec.msgpack.decode(reply or b"", type=Failure).error == "EIO", request
