"""`pith inject`: a software fault-injection campaign against a running Pith.

It boots the storage system (blk, mfs, tmpfs, procfs, vfs: examples/storage.toml, or
`--manifest M`; every service given a heartbeat and no restart limit) on a fresh
image, runs a workload inside Pith — each round writes a file with a checksum on mfs
and one on tmpfs through vfs, reads both back and checks them, and reads
/proc/services — and, while it runs, injects faults into the servers:

    crash          from the host: SIGKILL of the server's process
    hang           from the host: SIGSTOP (its heartbeat finds it)
    exception      in the server (pith/lib/fault.py, through rs's InjectFault): the next
                   request's handler raises
    deadlock       the next handler waits on a lock nobody releases
    leak           every request keeps 128 MiB of address space until allocation fails
    corrupt-reply  the next reply is garbage: the client gets EBADMSG
    corrupt-state  one bit of the server's in-memory data flips (a cached block, a file)

A collocated server has no process of its own: crash and hang into one are injected as
their in-server equivalents, exception and deadlock. In the kernel those bring the
whole system down (a kernel panic, status 70; a deadlock stops the kernel), which is
the contrast with isolated servers that this tool is for.

The report: faults injected per kind; detected (by rs: a death, a missed or garbled
heartbeat; or by the client: an EBADMSG reply, a checksum mismatch); recovered (the
workload completed a round after the detection); time from fault to that round
(median, p99) and from detection to it ("serving again"); whether the system survived
(the workload finished, Pith shut down cleanly) and if not why; requests failed;
acknowledged writes lost; and whether the image is `fsck.minix -f` clean. Corrupted
state nobody notices within 3 rounds is counted as latent, and the server is restarted
anyway (through rs) so the campaign goes on from a sound state.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import random
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pith.lib.fault import HOOK_KINDS
from pith.servers.mfs.cache import FileDevice

__all__ = ["KINDS", "campaign", "main", "workload"]

HOST_KINDS = ("crash", "hang")
KINDS = (*HOST_KINDS, *HOOK_KINDS)
AS_HOOK = {"crash": "exception", "hang": "deadlock"}  # into a collocated server
SERVERS = ("blk", "mfs", "tmpfs", "procfs", "vfs")
ROOT = Path(__file__).resolve().parents[2]
STORAGE = ROOT / "examples" / "storage.toml"
MAX_FILE = 50_000  # bytes: the workload's largest file
STALL = 10.0  # seconds with no operation completed after a fault: the system did not survive
LATENT_OPS = 9  # operations a corrupt-state fault has to be noticed before rs restarts it
USES = {"mfs": {"vfs", "mfs", "blk"}, "tmpfs": {"vfs", "tmpfs"}, "procfs": {"vfs", "procfs"}}


def workload(caps: dict[str, int]) -> None:
    """Inside Pith: rounds of checked writes and reads, taking orders on stdin
    ("inject KIND SERVER", "restart SERVER", "stop"); lines on stdout say what happened."""
    from pith.kernel.core.errors import KernelError
    from pith.lib.server import Client, ServiceError
    from pith.protocols import rs
    from pith.protocols import vfs as vp

    vfs, rng = Client(caps["vfs"], vp.VfsReply), random.Random(1)
    rsc = Client(caps["rs"], rs.RsReply)
    acked: dict[str, str] = {}  # path on mfs -> checksum of what an acknowledged write stored
    failed = n = 0

    def put(path: str, data: bytes) -> None:
        fd = vfs.call(vp.Open(path, vp.O_CREAT | vp.O_WRONLY | vp.O_TRUNC, 0o644)).fd
        for at in range(0, len(data), 32768):
            vfs.call(vp.Write(fd, data[at:at + 32768]))
        vfs.call(vp.Close(fd))

    def get(path: str) -> bytes:
        fd = vfs.call(vp.Open(path, vp.O_RDONLY, 0)).fd
        out = b""
        while len(out) <= MAX_FILE and (chunk := vfs.call(vp.Read(fd, 50000)).data):
            out += chunk  # (no more than was ever written: a damaged file cannot stall it)
        vfs.call(vp.Close(fd))
        return out

    def order(line: str) -> bool:
        words = line.split()
        try:
            if words[0] == "inject":
                done = rsc.call(rs.InjectFault(words[2], words[1]))
                print("INJECTED", time.monotonic(), done.detail, flush=True)
            elif words[0] == "restart":
                rsc.call(rs.Restart(words[1]))
                print("RESTARTED", time.monotonic(), flush=True)
        except (KernelError, ServiceError) as e:
            print("REFUSED", time.monotonic(), e, flush=True)
        return words[0] != "stop"

    def check(path: str, data: bytes) -> None:
        acked.pop(path, None)  # (a write that fails leaves the file as it may)
        put(path, data)
        if path.startswith("/f"):
            acked[path] = hashlib.sha256(data).hexdigest()
        if hashlib.sha256(get(path)).digest() != hashlib.sha256(data).digest():
            print("BAD", time.monotonic(), path, flush=True)
            raise ServiceError("EBADCHECKSUM", path)

    orders: queue.Queue[str] = queue.Queue()  # (lines from the console, read by a thread)

    def read_orders() -> None:
        for line in sys.stdin:
            orders.put(line)

    threading.Thread(target=read_orders, daemon=True).start()

    def next_order() -> str | None:
        try:
            return orders.get_nowait()
        except queue.Empty:
            return None

    while (line := next_order()) is None or order(line):
        for fs in ("mfs", "tmpfs", "procfs"):
            try:
                if fs == "mfs":
                    check(f"/f{n % 20}", rng.randbytes(rng.randrange(1, MAX_FILE)))
                elif fs == "tmpfs":
                    check(f"/tmp/t{n % 5}", rng.randbytes(rng.randrange(1, MAX_FILE // 4)))
                else:
                    get("/proc/services")
                print("OK", time.monotonic(), fs, flush=True)
            except (KernelError, ServiceError) as e:
                failed += 1  # a request a dying or broken server was serving; go on
                name = e.error if isinstance(e, ServiceError) else type(e).__name__
                print("ERR", time.monotonic(), fs, name, flush=True)
        n += 1
    lost = 0
    for path, digest in acked.items():
        for _ in range(3):
            try:
                lost += hashlib.sha256(get(path)).hexdigest() != digest
                break
            except (KernelError, ServiceError):
                failed += 1
    print("DONE", json.dumps({"operations": n, "failed": failed, "lost": lost}), flush=True)


def inject_manifest(source: Path, dest: Path, heartbeat: float) -> dict[str, str]:
    """Write `source` with every service watched (heartbeat, no restart limit, no
    back-off worth the name) to `dest`; each server's mode."""
    from pith.lib.manifest import Manifest

    parsed = Manifest.parse(source.read_text(), source.parent)
    if "pm" in parsed.servers or "vfs" not in parsed.servers:
        raise ValueError(f"{source}: inject needs a storage manifest (vfs, no pm)")
    text = ""
    for name, s in parsed.servers.items():
        fields = {k: getattr(s, k) for k in ("program", "mode", "provides", "uses", "depends",
                                             "devices", "kernel", "args")}
        fields |= {"intensity": 1_000_000, "period": 1.0, "heartbeat": heartbeat,
                   "heartbeat_timeout": 2 * heartbeat}
        text += f"[servers.{name}]\n" + "".join(f"{k} = {json.dumps(v)}\n"
                                                 for k, v in fields.items())
    dest.write_text(text)
    return {name: s.mode for name, s in parsed.servers.items()}


def host_processes() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, state, name) of every host process (from /proc)."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                name = Path(f"/proc/{entry}/comm").read_text().strip()
            except OSError:
                continue
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            table[int(entry)] = (int(ppid), state, name)
    return table


def _pids(kernel: int) -> dict[str, int]:
    """The pith:NAME processes that are the kernel's children, by NAME."""
    return {name[5:]: pid for pid, (ppid, _, name) in host_processes().items()
            if ppid == kernel and name.startswith("pith:")}


class System:
    """A booted Pith running the workload: its output lines as timed events."""

    def __init__(self, manifest: Path, image: Path) -> None:
        code = "from pith.tools.inject import workload; workload(CAPS)"
        argv = [sys.executable, "-m", "pith", "boot", "--manifest", str(manifest), "--image",
                str(image), "--command", f"python -c {shlex.quote(code)}"]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, cwd=ROOT)
        self.events: queue.Queue[tuple[float, str, str]] = queue.Queue()
        self.errors: list[str] = []
        for stream, tag in ((self.proc.stdout, "out"), (self.proc.stderr, "err")):
            threading.Thread(target=self._read, args=(stream, tag), daemon=True).start()

    def _read(self, stream: Any, tag: str) -> None:
        for line in stream:
            if tag == "err":
                self.errors.append(line.rstrip())
            self.events.put((time.monotonic(), tag, line.rstrip()))
        self.events.put((time.monotonic(), tag, ""))  # (end of stream)

    def next(self, until: float) -> tuple[float, str, str] | None:
        """The next event, or None at `until` (monotonic)."""
        try:
            return self.events.get(timeout=max(0.0, until - time.monotonic()))
        except queue.Empty:
            return None

    def order(self, line: str) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass  # (it is down: the events say so)


@dataclass
class Tally:
    """What the faults of one kind came to."""

    injected: int = 0
    by_rs: int = 0
    by_client: int = 0
    latent: int = 0  # corrupt-state nobody noticed
    recovered: int = 0
    recovery: list[float] = field(default_factory=list)  # ms, fault to the next round
    serving: list[float] = field(default_factory=list)  # ms, detection to the next round

    def row(self) -> dict[str, Any]:
        return {"injected": self.injected, "detected": self.by_rs + self.by_client,
                "detected_by_rs": self.by_rs, "detected_by_client": self.by_client,
                "latent": self.latent, "recovered": self.recovered,
                "recovery_ms_median": _median(self.recovery),
                "recovery_ms_p99": _p99(self.recovery),
                "serving_again_ms_median": _median(self.serving)}


def _median(xs: list[float]) -> float | None:
    return round(statistics.median(xs), 1) if xs else None


def _p99(xs: list[float]) -> float | None:
    return round(sorted(xs)[min(len(xs) - 1, int(len(xs) * 0.99))], 1) if xs else None


class Down(Exception):
    """The system did not survive a fault: why."""


def _rs_saw(line: str, target: str) -> bool:
    return line.startswith(f"pith: rs: service {target} ") and (
        "died" in line or "heartbeat" in line)


def _one_fault(system: System, kind: str, target: str, tally: Tally,
               collocated: bool = False) -> None:
    """Inject one fault and follow it until the workload completes a round after it was
    detected (or, for corrupt-state, after rs restarted the server). Down if it never does."""
    t0 = time.monotonic()
    if kind in HOST_KINDS:
        pid = _pids(system.proc.pid).get(target)
        if pid is None:
            return
        os.kill(pid, signal.SIGKILL if kind == "crash" else signal.SIGSTOP)
    else:
        system.order(f"inject {kind} {target}")
    tally.injected += 1
    detected: float | None = None
    ordered, restarting, ops = kind in HOST_KINDS, False, 0
    deadline = time.monotonic() + STALL  # (moved on by each completed operation only)
    while (event := system.next(deadline)) is not None:
        t, tag, line = event
        if tag == "out" and line.startswith("OK"):
            deadline = time.monotonic() + STALL
        words = line.split()
        if tag == "err" and "kernel panic" in line:
            raise Down(line)
        if not line:
            raise Down(f"Pith ended ({tag} closed) after a {kind} in {target}")
        if tag == "err" and _rs_saw(line, target) and detected is None:
            detected, tally.by_rs = t, tally.by_rs + 1
        if tag != "out" or not words:
            continue
        at = float(words[1]) if len(words) > 1 and words[0] != "DONE" else t
        if words[0] == "INJECTED":
            ordered, t0 = True, at
        elif words[0] == "REFUSED" and not ordered:  # (not there to take it: restarting)
            tally.injected -= 1
            return
        elif words[0] in ("RESTARTED", "REFUSED") and restarting:
            restarting = False
            if detected is None:  # (latent: serving again once restarted)
                tally.recovered += 1
                tally.recovery.append((at - t0) * 1000)
                return
        elif restarting or not ordered:
            continue
        elif words[0] == "ERR" and detected is None and target in USES[words[2]] and (
                kind in ("corrupt-reply", "corrupt-state")):
            detected, tally.by_client = at, tally.by_client + 1
            if kind == "corrupt-state":
                system.order(f"restart {target}")
                restarting = True
        elif words[0] == "OK":
            if detected is not None and at >= detected and target in USES[words[2]]:
                tally.recovered += 1
                tally.recovery.append((at - t0) * 1000)
                tally.serving.append((at - detected) * 1000)
                return
            ops += 1
            if kind == "corrupt-state" and ops == LATENT_OPS and detected is None:
                tally.latent += 1
                system.order(f"restart {target}")
                restarting = True
    where = target + (" (collocated)" if collocated else "")
    raise Down(f"no operation completed for {STALL:g} s after a {kind} in {where}")


def _rounds(system: System, count: int) -> None:
    """Let the workload complete `count` rounds; Down if it stalls."""
    deadline = time.monotonic() + STALL
    while count > 0:
        event = system.next(deadline)
        if event is None:
            raise Down(f"no operation completed for {STALL:g} s")
        _, tag, line = event
        if tag == "err" and "kernel panic" in line:
            raise Down(line)
        if not line:
            raise Down(f"Pith ended ({tag} closed)")
        if tag == "out" and line.startswith("OK"):
            count, deadline = count - 1, time.monotonic() + STALL


def campaign(faults: int, kinds: tuple[str, ...], targets: tuple[str, ...], seed: int,
             manifest: Path = STORAGE, heartbeat: float = 0.3,
             progress: bool = False) -> dict[str, Any]:
    """Run one campaign; the report."""
    rng = random.Random(seed)
    tallies = {k: Tally() for k in KINDS}
    reason = ""
    with tempfile.TemporaryDirectory() as tmp:
        from pith.tools import mkfs

        image, watched = Path(tmp) / "disk.img", Path(tmp) / "inject.toml"
        made = mkfs.make_image(image, 16 << 20)
        if isinstance(made.dev, FileDevice):
            made.dev.close()
        modes = inject_manifest(manifest, watched, heartbeat)
        system = System(watched, image)
        bar = _Progress(faults, progress)
        try:
            _rounds(system, 1)
            for _ in range(faults):
                _rounds(system, rng.randrange(2, 7))  # let it run a little between faults
                kind, target = rng.choice(kinds), rng.choice(targets)
                if modes.get(target) == "collocated":
                    kind = AS_HOOK.get(kind, kind)
                _one_fault(system, kind, target, tallies[kind], modes.get(target) == "collocated")
                bar.advance()
        except Down as e:
            reason = str(e)
        finally:
            bar.close()
        done, status = _shut_down(system, bool(reason))
        fsck = subprocess.run(["fsck.minix", "-f", str(image)], capture_output=True)
    if not reason and (status != 0 or not done):
        reason = f"Pith exited with status {status}" + (" before the workload finished"
                                                           if not done else "")
    if status == 70 and "kernel panic" not in reason:
        reason = next((e for e in system.errors if "kernel panic" in e), reason)
    return _report(tallies, kinds, reason, status, done, fsck, system.errors)


def _shut_down(system: System, down: bool) -> tuple[dict[str, int], int | None]:
    """Stop the workload and Pith (kill it if it is stuck); the workload's totals, status."""
    done: dict[str, int] = {}
    system.order("stop")
    end = time.monotonic() + (10 if down else 120)
    while (event := system.next(end)) is not None:
        _, tag, line = event
        if tag == "out" and line.startswith("DONE"):
            done = json.loads(line.split(" ", 1)[1])
        if tag == "out" and not line:
            break
    try:
        status: int | None = system.proc.wait(timeout=max(1.0, end - time.monotonic()))
    except subprocess.TimeoutExpired:
        system.proc.kill()  # (a stuck kernel: its processes die with it)
        system.proc.wait()
        status = None
    return done, status


def _report(tallies: dict[str, Tally], kinds: tuple[str, ...], reason: str,
            status: int | None, done: dict[str, int], fsck: subprocess.CompletedProcess[bytes],
            errors: list[str]) -> dict[str, Any]:
    total = Tally()
    for t in tallies.values():
        total.injected += t.injected
        total.by_rs, total.by_client = total.by_rs + t.by_rs, total.by_client + t.by_client
        total.latent, total.recovered = total.latent + t.latent, total.recovered + t.recovered
        total.recovery += t.recovery
        total.serving += t.serving
    crashes = tallies["crash"].serving
    report = total.row() | {
        "per_kind": {k: tallies[k].row() for k in KINDS if k in kinds or tallies[k].injected},
        "crash_serving_again_ms_median": _median(crashes),
        "survived": not reason, "reason": reason or None, "status": status,
        "operations": done.get("operations", 0), "failed": done.get("failed", 0),
        "lost": done.get("lost"),  # (None: unknown, the workload did not finish)
        "fsck_clean": fsck.returncode == 0,
    }
    if fsck.returncode:
        out = fsck.stdout.decode()
        report["fsck"] = out if len(out) <= 600 else f"{out[:300]}…{out[-300:]}"
    if reason or fsck.returncode:
        report["errors"] = errors[-8:]
    return report


class _Progress:
    """A progress bar on stderr (rich), when asked for; otherwise nothing."""

    def __init__(self, total: int, shown: bool) -> None:
        self.bar: Any = None
        if shown:
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task("injecting faults", total=total)
            self.bar.start()

    def advance(self) -> None:
        if self.bar is not None:
            self.bar.advance(self.task)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def print_table(report: dict[str, Any], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    def cell(v: object) -> str:
        return "–" if v is None else f"{v:.1f}" if isinstance(v, float) else str(v)

    table = Table(title=title)
    columns = {"injected": "n", "detected_by_rs": "by rs", "detected_by_client": "by client",
               "latent": "latent", "recovered": "back", "recovery_ms_median": "ms med",
               "recovery_ms_p99": "ms p99", "serving_again_ms_median": "again ms"}
    table.add_column("kind")
    for header in columns.values():
        table.add_column(header, justify="right")
    for kind, row in [*report["per_kind"].items(), ("all", report)]:
        table.add_row(kind, *(cell(row[c]) for c in columns))
    Console().print(table)
    table.caption = ("by rs/client: detected by; back: recovered; ms: fault → next operation"
                     " using the server; again: detection → it")
    summary = Table(show_header=False)
    for key in ("survived", "reason", "failed", "lost", "fsck_clean", "operations"):
        if key != "reason" or report[key]:
            summary.add_row(key, cell(report[key]))
    Console().print(summary)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="pith inject", description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="all", help="a server (blk, mfs, …) or all")
    parser.add_argument("--faults", type=int, default=20)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--manifest", type=Path, default=STORAGE)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--heartbeat", type=float, default=0.3, help="seconds (timeout: 2×)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="a progress bar on stderr (default: if stderr is a terminal)")
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="also write the report as JSON to FILE")
    args = parser.parse_args(argv)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    unknown = [k for k in kinds if k not in KINDS]
    targets = SERVERS if args.target == "all" else (args.target,)
    if unknown or not kinds or any(t not in SERVERS for t in targets):
        print(f"pith inject: kinds are {', '.join(KINDS)}; targets {', '.join(SERVERS)} or all",
              file=sys.stderr)
        return 2
    try:  # (a report that could not be written is found out now, not after the campaign)
        if args.json is not None:
            args.json.open("w").close()
    except OSError as e:
        print(f"pith inject: {args.json}: {e.strerror}", file=sys.stderr)
        return 2
    shown = sys.stderr.isatty() if args.progress is None else args.progress
    try:
        report = campaign(args.faults, kinds, targets, args.seed, args.manifest,
                          args.heartbeat, shown)
    except (OSError, ValueError) as e:
        print(f"pith inject: {e}", file=sys.stderr)
        return 2
    print_table(report, f"pith inject: {report['injected']} faults into {args.target}"
                f" ({args.manifest.name})")
    if args.json is not None:
        try:
            args.json.write_text(json.dumps(report, indent=2) + "\n")
        except OSError as e:
            print(f"pith inject: {args.json}: {e.strerror}", file=sys.stderr)
            return 2
    return 0 if report["survived"] and not report["lost"] and report["fsck_clean"] else 1


if __name__ == "__main__":
    sys.exit(main())
