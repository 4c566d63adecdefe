"""`pith trace`: a traced `cat /etc/motd` is valid trace-event JSON that Perfetto binds as
meant (named tracks, nested slices, every flow joined to the slices it links), shows cat
asking vfs and vfs answering, in order, and draws a message sequence chart.

(The `perfetto` package's trace processor downloads its binary when first used, which
this machine cannot; the checks below are the rules its JSON importer applies.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pith.tools import ipc_log, trace_chart
from pith.tools.mkfs import make_image
from tests.kernel.host.conftest import no_leaks  # noqa: F401  (the leak check)

MOTD = "Welcome to Pith.\n"
Event = dict[str, Any]


class Traced:
    """One traced run: its outputs and the document."""

    def __init__(self, tmp: Path, done: subprocess.CompletedProcess[str]) -> None:
        self.tmp, self.done = tmp, done
        self.doc: dict[str, Any] = json.loads((tmp / "trace.json").read_text())
        self.events: list[Event] = self.doc["traceEvents"]

    def pid(self, name: str) -> int:
        return next(int(e["pid"]) for e in self.events
                    if e["ph"] == "M" and e["name"] == "process_name" and
                    e["args"]["name"] == name)

    def slices(self, pid: int, name: str) -> list[Event]:
        return [e for e in self.events if e["ph"] == "X" and e["pid"] == pid and
                e["name"] == name]


def pith(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pith", *argv], capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Traced]:
    tmp = tmp_path_factory.mktemp("trace")
    (tmp / "src" / "etc").mkdir(parents=True)
    (tmp / "src" / "etc" / "motd").write_text(MOTD)
    make_image(tmp / "disk.img", 8 << 20, tmp / "src").dev.close()  # type: ignore[attr-defined]
    done = pith("trace", "--image", str(tmp / "disk.img"), "--command", "cat /etc/motd",
                "-o", str(tmp / "trace.json"), "--chart", str(tmp / "chart.png"),
                "--record", str(tmp / "run.rec"))
    assert done.returncode == 0, done.stderr
    yield Traced(tmp, done)


def ns(us: float) -> int:
    return round(us * 1000)


def innermost(slices: list[Event], t: int) -> Event | None:
    """The shortest slice holding time `t` strictly inside."""
    holding = [s for s in slices if ns(s["ts"]) < t < ns(s["ts"]) + ns(s["dur"])]
    return min(holding, key=lambda s: s["dur"], default=None)


def test_the_line_runs_and_the_trace_says_what_it_wrote(traced: Traced) -> None:
    assert traced.done.stdout == MOTD
    assert "pith: trace: " in traced.done.stderr and "trace.json" in traced.done.stderr
    assert traced.doc["displayTimeUnit"] == "ns"
    assert traced.doc["otherData"]["calls"] > 10


def test_it_is_trace_event_json_with_named_tracks(traced: Traced) -> None:
    assert isinstance(traced.events, list) and traced.events
    assert {e["ph"] for e in traced.events} <= set("MXbeisf")
    assert {"M", "X", "s", "f", "i"} <= {e["ph"] for e in traced.events}
    names = {(e["name"], e["pid"], e.get("tid")) for e in traced.events if e["ph"] == "M"}
    threads = {(pid, tid) for name, pid, tid in names if name == "thread_name"}
    processes = {pid for name, pid, _ in names if name == "process_name"}
    for e in traced.events:
        assert isinstance(e["pid"], int) and isinstance(e["tid"], int)
        if e["ph"] != "M":
            assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0
            assert (e["pid"], e["tid"]) in threads and e["pid"] in processes
    for server in ("vfs", "mfs", "blk", "tty", "pm", "cat", "sh"):
        assert traced.pid(server)


def test_slices_nest_on_every_thread(traced: Traced) -> None:
    by_thread: dict[tuple[int, int], list[Event]] = defaultdict(list)
    for e in traced.events:
        if e["ph"] == "X":
            assert e["dur"] >= 0
            by_thread[e["pid"], e["tid"]].append(e)
    for slices in by_thread.values():
        stack: list[int] = []
        for s in sorted(slices, key=lambda s: (ns(s["ts"]), -ns(s["dur"]))):
            start, end = ns(s["ts"]), ns(s["ts"]) + ns(s["dur"])
            while stack and stack[-1] <= start:
                stack.pop()
            assert not stack or end <= stack[-1], s
            stack.append(end)


def test_every_flow_joins_the_slices_it_means(traced: Traced) -> None:
    """Each flow has one start and one end (same cat, name and id, the end no earlier),
    each strictly inside the slice it binds to: the message leaving the caller, the
    server's slice, the reply arriving."""
    slices: dict[tuple[int, int], list[Event]] = defaultdict(list)
    for e in traced.events:
        if e["ph"] == "X":
            slices[e["pid"], e["tid"]].append(e)
    flows: dict[tuple[str, str, int], dict[str, Event]] = defaultdict(dict)
    for e in traced.events:
        if e["ph"] in "sf":
            assert e["ph"] not in flows[e["cat"], e["name"], e["id"]]
            flows[e["cat"], e["name"], e["id"]][e["ph"]] = e
    assert len(flows) > 20
    for (_, kind, _), ends in flows.items():
        assert set(ends) == {"s", "f"}
        assert ends["f"].get("bp") == "e" and ends["f"]["ts"] >= ends["s"]["ts"]
        bound = {ph: innermost(slices[e["pid"], e["tid"]], ns(e["ts"]))
                 for ph, e in ends.items()}
        assert bound["s"] is not None and bound["f"] is not None, ends
        if kind == "call":
            assert bound["s"]["name"].startswith("send ")
            assert "←" in bound["f"]["name"]
        else:
            assert "←" in bound["s"]["name"] or bound["s"]["name"].startswith("answer ")
            assert bound["f"]["name"].startswith("reply ")


def test_cat_reads_from_vfs_and_vfs_answers_in_order(traced: Traced) -> None:
    cat, vfs = traced.pid("cat"), traced.pid("vfs")
    for request in ("Open", "Read"):
        asked = traced.slices(cat, f"{request} → vfs")
        served = traced.slices(vfs, f"{request} ← cat")
        assert asked and served
        for a, s in zip(asked, served, strict=True):
            assert a["ts"] <= s["ts"] and s["ts"] + s["dur"] <= a["ts"] + a["dur"] + 0.001
            assert a["args"]["server"] == "vfs" and a["args"]["badge"] != 0
            assert a["args"]["reply"] in ("Opened", "Data")
    opened = traced.slices(cat, "Open → vfs")[-1]["ts"]
    reads = [r["ts"] for r in traced.slices(cat, "Read → vfs") if r["ts"] > opened]
    writes = [w for w in traced.slices(cat, "Write → vfs") if w["ts"] > opened]
    assert reads and writes and reads[0] < writes[0]["ts"]
    assert writes[0]["args"]["bytes"] > len(MOTD) and writes[0]["args"]["reply"] == "Written"
    tty = traced.pid("tty")
    assert any(writes[0]["ts"] < o["ts"] < writes[0]["ts"] + writes[0]["dur"]
               for o in traced.slices(tty, "Output ← vfs"))


def test_deferred_replies_and_deaths_are_shown(traced: Traced) -> None:
    """sh's Wait is answered by pm after it has taken cat's calls: deferred. cat dies."""
    pm = traced.pid("pm")
    deferred = [e for e in traced.events if e.get("cat") == "deferred" and e["pid"] == pm]
    assert {e["ph"] for e in deferred} == {"b", "e"}
    assert any(e["name"] == "Wait ← sh (deferred)" for e in deferred)
    cat = traced.pid("cat")
    marks = [e["name"] for e in traced.events if e["ph"] == "i" and e["pid"] == cat]
    assert "start: cat" in marks and "death: status 0" in marks


def test_the_chart_is_drawn(traced: Traced, tmp_path: Path) -> None:
    png = (traced.tmp / "chart.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    log = ipc_log.read(traced.tmp / "run.rec")
    cat = ipc_log.window(log, ipc_log.find_shell(log, ("cat",)) or 0)
    rows = trace_chart.rows(cat)
    assert any(r.label.startswith("Read (") and r.back.startswith("Data (") for r in rows)
    # (in a process of its own: matplotlib keeps its font files open, which is no leak)
    draw = ("import sys; from pathlib import Path; from pith.tools import ipc_log, trace_chart;"
            "log = ipc_log.read(Path(sys.argv[1]));"
            "log = ipc_log.window(log, ipc_log.find_shell(log, ('cat',)));"
            "print(trace_chart.draw(log, Path(sys.argv[2]), 2, 10))")
    done = subprocess.run([sys.executable, "-c", draw, str(traced.tmp / "run.rec"),
                           str(tmp_path / "c.svg")], capture_output=True, text=True, timeout=120)
    assert done.stdout == "10\n", done.stderr
    svg = (tmp_path / "c.svg").read_text()
    assert svg.startswith("<?xml") and ">cat<" in svg and "rows before" in svg


def test_a_process_that_never_ran_and_bad_options_are_refused(tmp_path: Path) -> None:
    image = tmp_path / "disk.img"
    make_image(image, 8 << 20).dev.close()  # type: ignore[attr-defined]
    done = pith("trace", "--image", str(image), "--command", "true", "-o",
                str(tmp_path / "t.json"), "--process", "nope")
    assert done.returncode == 2
    assert done.stderr == "pith: trace: no process named 'nope' ran (see --all)\n"
    assert not (tmp_path / "t.json").exists()
    done = pith("trace", "--command", "true", "--limit", "0")
    assert done.returncode == 2 and "--limit 1 or more" in done.stderr


def test_a_restart_is_a_new_track_with_its_own_name(tmp_path: Path) -> None:
    """`service restart blk` in the line: blk's death, then a new blk process marked as a
    restart, which mfs attaches to again (the whole run, --all, also has the boot)."""
    image = tmp_path / "disk.img"
    make_image(image, 8 << 20).dev.close()  # type: ignore[attr-defined]
    done = pith("trace", "--image", str(image), "--command",
                "service restart blk >/dev/null; echo ok", "-o", str(tmp_path / "t.json"),
                "--all")
    assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr
    events = json.loads((tmp_path / "t.json").read_text())["traceEvents"]
    blks = [e["pid"] for e in events if e["ph"] == "M" and e["name"] == "process_name"
            and e["args"]["name"] == "blk"]
    assert len(blks) == 2
    marks = {(e["pid"], e["name"]) for e in events if e["ph"] == "i"}
    assert (blks[0], "start: blk") in marks and (blks[1], "restart: blk") in marks
    assert any(pid == blks[0] and name.startswith("death: ") for pid, name in marks)
    restarted = next(e["ts"] for e in events if e["ph"] == "i" and e["pid"] == blks[1])
    assert any(e["ph"] == "X" and e["name"] == "Attach → blk" and e["ts"] > restarted
               for e in events)
