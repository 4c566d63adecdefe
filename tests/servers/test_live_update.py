"""Live update (`service update NAME [--code PROGRAM]`): the server hands its state over
through ds, requests that arrive during the swap wait in the endpoint's queue and go to the
new code (none lost, none answered twice), new code that fails to start is rolled back; the
kvstore example keeps its data across an update and a restart; and an mfs updated again and
again under a writer loses or doubles no record, and leaves a clean image."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.kernel.host.conftest import (
    Running,
    boot,
    boot_argv,
    minix_image,
    no_leaks,  # noqa: F401  (the leak check)
)
from tests.servers.test_ds import PROTOCOL

HERE = Path(__file__).parent
ROOT = HERE.parents[1]

UPDATES = """
import threading
from pith.lib.server import Client, ServiceError
from pith.lib.start import Context
from pith.lib.syscall import gate, with_gate
from pith.programs import service
from pith.protocols.rs import RsReply, Update
from examples_kv import Get, Put, Value
exec(PROTOCOL)
counter, rs = Client(CAPS["counter"], Count), Client(CAPS["rs"], RsReply)
for _ in range(3):
    counter.call(Bump())
rs.call(Update("counter", SERVER + ":CounterV2"))
s = counter.call(Stats())
print("updated", s.version, s.count, s.start_reason)
try:
    rs.call(Update("counter", SERVER + ":Broken"))
except ServiceError as e:
    print("refused", e.error)
s = counter.call(Stats())
print("rolled back", s.version, s.count, s.start_reason)
seen, stop = [], threading.Event()
def bumper():
    while not stop.is_set() or len(seen) < 50:
        seen.append(counter.call(Bump(), timeout=20).count)
t = threading.Thread(target=with_gate(gate().thread_create(), bumper))
t.start()
while len(seen) < 10:
    threading.Event().wait(0.01)
print("service", service.main(Context(CAPS, ("update", "counter"))))
stop.set()
t.join(30)
print("during the swap", seen == list(range(seen[0], seen[0] + len(seen))))
kv = Client(CAPS["kv"], Value)
kv.call(Put("color", "blue"))
rs.call(Update("kv", None))
print("kv after an update", kv.call(Get("color")).value)
service.main(Context(CAPS, ("restart", "kv")))
kv.call(Put("size", "L"))
print("kv after a restart", kv.call(Get("color")).value, kv.call(Get("size")).value)
"""

KV = """
import msgspec
class Put(msgspec.Struct, tag=True):
    key: str
    value: str
class Get(msgspec.Struct, tag=True):
    key: str
class Value(msgspec.Struct, tag=True):
    value: str | list[str] | None
"""  # examples/kvstore.py's protocol


def test_live_update_hands_state_over_loses_no_request_and_rolls_back(tmp_path: Path) -> None:
    manifest = tmp_path / "system.toml"
    manifest.write_text(f"""
[servers.ds]
program = "pith.servers.ds.server:DsServer"
provides = ["ds"]

[servers.counter]
program = "{HERE / 'counter_server.py'}:CounterServer"
provides = ["counter"]
uses = ["ds"]
depends = ["ds"]

[servers.kv]
program = "{ROOT / 'examples' / 'kvstore.py'}:KVServer"
provides = ["kv"]
uses = ["ds"]
depends = ["ds"]
""")
    code = (f"PROTOCOL = {PROTOCOL!r}\nSERVER = {str(HERE / 'counter_server.py')!r}\n"
            + UPDATES.replace("from examples_kv import Get, Put, Value\n", KV))
    done = boot(f"python -c {shlex.quote(code)}", str(manifest))
    row = re.compile(r"\S+ +(PID|\d+) +(MODE|isolated|collocated) ")  # the service table
    lines = [line for line in done.stdout.splitlines() if not row.match(line)]
    assert lines == [
        "updated v2 3 update",
        "refused ENOEXEC",
        "rolled back v2 3 update",
        "service 0",
        "during the swap True",
        "kv after an update blue",
        "kv after a restart blue L",
    ], done.stderr
    assert "update of counter failed: the new code exited with status 1; rolling back" \
        in done.stderr
    assert "broken on purpose" in done.stderr  # the new code's own traceback
    assert done.returncode == 0


WRITER = """
import threading
from pith.lib.server import Client
from pith.lib.syscall import gate, with_gate
from pith.protocols.rs import RsReply, Update
from pith.protocols import vfs as vp
v = Client(CAPS["vfs"], vp.VfsReply)
fd = v.call(vp.Open("/log", vp.O_CREAT | vp.O_WRONLY | vp.O_APPEND, 0o644)).fd
written, stop, progress = [], threading.Event(), threading.Condition()
def writer():
    while not stop.is_set():
        n = len(written)
        v.call(vp.Write(fd, f"record {n:06d}\\n".encode()), timeout=30)
        with progress:
            written.append(n)
            progress.notify_all()
t = threading.Thread(target=with_gate(gate().thread_create(), writer))
t.start()
rs = Client(CAPS["rs"], RsReply)
for round in range(1, 5):
    with progress:
        progress.wait_for(lambda: len(written) >= 25 * round, timeout=30)
    if round < 4:
        rs.call(Update("mfs"), timeout=30)
stop.set()
t.join(30)
v.call(vp.Close(fd))
fd = v.call(vp.Open("/log", vp.O_RDONLY)).fd
back = b""
while chunk := v.call(vp.Read(fd, 50_000)).data:
    back += chunk
lines = back.decode().splitlines()
print("records", len(lines), lines == [f"record {n:06d}" for n in range(len(written))])
"""


def test_updating_mfs_under_a_writer_loses_or_doubles_no_record(tmp_path: Path) -> None:
    image = minix_image(tmp_path / "disk.img", 8)
    with Running(boot_argv(WRITER, "examples/storage.toml", image)) as pith:
        out, err = pith.finish(timeout=90)
    assert pith.kernel.returncode == 0, err
    words = out.decode().split()
    assert words[0] == "records" and int(words[1]) >= 100 and words[2] == "True", out + err
    assert err.count(b"service mfs updated to") == 3, err
    assert b"died" not in err  # nothing crashed: every swap was an update
    fsck = subprocess.run(["fsck.minix", "-f", str(image)], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr


def test_a_pith_process_may_not_update_a_server_to_a_host_file_of_its_choosing(
        tmp_path: Path) -> None:
    image = tmp_path / "disk.img"
    argv = [sys.executable, "-m", "pith", "boot", "--image", str(image), "--command",
            "service update mfs --code /tmp/evil.py:Evil; echo status=$?"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.stdout == "status=1\n"
    assert "Pith's own modules" in done.stderr
