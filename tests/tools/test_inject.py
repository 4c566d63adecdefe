"""Fault-injection campaigns: isolated servers survive every kind of fault and lose nothing;
a collocated server's fault brings the system down; only rs may inject."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

from pith.tools import mkfs
from pith.tools.inject import KINDS, SERVERS, campaign
from tests.kernel.host.conftest import ROOT, no_leaks  # noqa: F401  (the leak check)

FAULTS = 200  # (about a minute on 2 cores with 0.1 s heartbeats; `make soak` runs 10,000)


def test_a_campaign_of_every_kind_into_every_server_is_survived() -> None:
    report = campaign(faults=FAULTS, kinds=KINDS, targets=SERVERS, seed=3, heartbeat=0.1)
    assert report["survived"] is True, report.get("reason")
    assert report["injected"] >= FAULTS * 0.9  # (a fault rs could not hand over is not one)
    assert all(report["per_kind"][k]["injected"] > 0 for k in KINDS)
    assert report["detected"] + report["latent"] == report["injected"]
    assert report["recovered"] == report["injected"]
    assert report["lost"] == 0
    # Known gap (docs/design.md, crash consistency): a write-through cut short by a fault
    # (a garbled blk reply, say) can leave zones marked in use that no file uses; mfs
    # reclaims them when it next starts, but not if it is not restarted before the end.
    leaks_only = all("marked in use, no file uses it" in line
                     for line in report.get("fsck", "").splitlines()[1:])
    assert report["fsck_clean"] is True or leaks_only, report["fsck"]
    assert report["per_kind"]["corrupt-reply"]["detected_by_client"] > 0


def test_a_fault_in_a_collocated_server_is_a_kernel_panic() -> None:
    report = campaign(faults=3, kinds=("crash",), targets=("mfs",), seed=1,
                      manifest=ROOT / "examples" / "storage-collocated.toml")
    assert report["survived"] is False
    assert report["status"] == 70
    assert "kernel panic" in report["reason"] and "InjectedFault" in report["reason"]
    assert report["per_kind"]["exception"]["injected"] == 1  # (crash: no process to kill)
    assert report["recovered"] == 0


def test_the_command_prints_its_table_and_writes_json_to_the_file_named(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    argv = [sys.executable, "-m", "pith", "inject", "--faults", "2", "--kinds", "crash",
            "--target", "tmpfs", "--heartbeat", "0.1", "--no-progress", "--json", str(out)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "pith inject: 2 faults into tmpfs" in done.stdout  # (the table, as without --json)
    report = json.loads(out.read_text())
    assert (report["injected"], report["survived"], report["lost"]) == (2, True, 0)
    assert report["per_kind"]["crash"]["injected"] == 2


def test_a_json_file_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "pith", "inject", "--faults", "1", "--kinds", "crash",
            "--target", "tmpfs", "--heartbeat", "0.1", "--json", str(tmp_path / "no" / "r")]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().endswith(f"{tmp_path}/no/r: No such file or directory")


ATTEMPTS = """
from pith.lib.server import Client, Inject, Injected, ServiceError
from pith.protocols import rs
for slot in (CAPS["mfs"], CAPS["vfs"]):
    try:
        Client(slot, Injected).call(Inject("exception"))
        print("injected directly")
    except ServiceError as e:
        print(e.error)
try:
    Client(CAPS["rs"], rs.RsReply).call(rs.InjectFault("tmpfs", "meteor"))
except ServiceError as e:
    print(e.error)
print(Client(CAPS["rs"], rs.RsReply).call(rs.InjectFault("tmpfs", "corrupt-reply")).kind)
"""


def test_only_rs_may_inject_and_only_for_its_command(tmp_path: Path) -> None:
    image = tmp_path / "disk.img"
    made = mkfs.make_image(image, 4 << 20)
    made.dev.close()  # type: ignore[union-attr]
    argv = [sys.executable, "-m", "pith", "boot", "--manifest",
            str(ROOT / "examples" / "storage.toml"), "--image", str(image),
            "--command", f"python -c {shlex.quote(ATTEMPTS)}"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["EPERM", "EPERM", "EINVAL", "corrupt-reply"], done.stderr
    assert done.returncode == 0


def test_rs_refuses_inject_fault_from_anyone_but_its_command() -> None:
    import threading
    from types import SimpleNamespace

    import msgspec

    from pith.lib.server import Caller, Failure
    from pith.protocols import rs
    from pith.servers.rs.commands import Queries

    no_children = SimpleNamespace(lock=threading.RLock())  # (refused before any is looked at)
    queries = Queries({}, (), no_children, 0)  # type: ignore[arg-type]
    request = msgspec.msgpack.encode(rs.InjectFault("mfs", "exception"))
    for badge in (0, 1, rs.COMMAND_BADGE + 1, rs.COMMAND_BADGE + 42):
        out = queries.dispatch(request, Caller(badge, 1))
        refused = msgspec.msgpack.decode(out or b"", type=Failure)
        assert refused.error == "EPERM"
