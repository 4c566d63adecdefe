"""`pith inject`: a software fault-injection campaign against a running Pith.

It boots the storage system (blk, mfs, tmpfs, procfs, vfs; every service with a
heartbeat and no restart limit) on a fresh image, runs a workload inside Pith
— files written with checksums through vfs, read back and checked — and, while
it runs, injects faults from the host into the servers' processes:

    crash   SIGKILL: the process dies at once
    hang    SIGSTOP: the process stops answering (its heartbeat finds it)

It then reports: faults injected (per kind), detected (rs reported the death or
the missed heartbeat), recovered (the workload completed an operation after
it), time from fault to the next completed operation (median, p99), whether
the system survived (the workload finished and Pith shut down cleanly), the
requests that failed, the acknowledged writes lost, and whether the image is
`fsck.minix -f` clean. Kinds that need a hook inside a server (exception,
deadlock, leak, corrupt-reply, corrupt-state) are not injected yet.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import select
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pith.servers.mfs.cache import FileDevice

__all__ = ["KINDS", "campaign", "main", "workload"]

KINDS = ("crash", "hang")
SERVERS = ("blk", "mfs", "tmpfs", "procfs", "vfs")
MANIFEST = """
[servers.{name}]
program = "{program}"
provides = {provides}
uses = {uses}
depends = {depends}
devices = {devices}
args = {args}
intensity = 1000000
heartbeat = 0.3
heartbeat_timeout = 0.6
"""
STORAGE = Path(__file__).resolve().parents[2] / "examples" / "storage.toml"
MAX_FILE = 100_000  # bytes: the workload's largest file
STALL = 30.0  # seconds without a completed operation: the system did not survive


def workload(caps: dict[str, int]) -> None:
    """Inside Pith: write, read back and check files until told to stop; report as JSON."""
    from pith.kernel.core.errors import KernelError
    from pith.lib.server import Client, ServiceError
    from pith.servers.vfs import protocol as vp

    vfs, rng = Client(caps["vfs"], vp.VfsReply), random.Random(1)
    acked: dict[str, str] = {}  # path -> checksum of what an acknowledged write stored
    failed = 0

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

    n = 0
    while not select.select([sys.stdin], [], [], 0)[0]:
        path, data = f"/f{n % 20}", rng.randbytes(rng.randrange(1, MAX_FILE))
        try:
            put(path, data)
            acked[path] = hashlib.sha256(data).hexdigest()
            if hashlib.sha256(get(path)).hexdigest() != acked[path]:
                print("BAD", path, flush=True)
            print("OK", time.monotonic(), flush=True)
            n += 1
        except (KernelError, ServiceError):
            failed += 1  # a request a dying server was serving; the next one goes on
    lost = 0
    for path, digest in acked.items():
        for _ in range(3):
            try:
                lost += hashlib.sha256(get(path)).hexdigest() != digest
                break
            except (KernelError, ServiceError):
                failed += 1
    print("DONE", json.dumps({"operations": n, "failed": failed, "lost": lost}), flush=True)


def _manifest(path: Path) -> None:
    from pith.lib.manifest import Manifest

    storage = Manifest.parse(STORAGE.read_text())
    text = ""
    for name, s in storage.servers.items():
        fields = {k: json.dumps(getattr(s, k)) for k in ("provides", "uses", "depends",
                                                          "devices", "args")}
        text += MANIFEST.format(name=name, program=s.program, **fields)
    path.write_text(text)


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


def campaign(faults: int, kinds: tuple[str, ...], targets: tuple[str, ...],
             seed: int) -> dict[str, object]:
    """Run one campaign; the report."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        from pith.tools import mkfs

        image, manifest = Path(tmp) / "disk.img", Path(tmp) / "inject.toml"
        made = mkfs.make_image(image, 16 << 20)
        if isinstance(made.dev, FileDevice):
            made.dev.close()
        _manifest(manifest)
        code = "from pith.tools.inject import workload; workload(CAPS)"
        argv = [sys.executable, "-m", "pith", "boot", "--manifest", str(manifest), "--image",
                str(image), "--command", f"python -c {shlex.quote(code)}"]
        pith = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        errors: list[str] = []
        threading.Thread(target=lambda: errors.extend(pith.stderr or []), daemon=True).start()
        report = _inject(pith, rng, faults, kinds, targets)
        assert pith.stdin is not None and pith.stdout is not None
        pith.stdin.write("stop\n")
        pith.stdin.flush()
        done: dict[str, int] = {}
        for line in pith.stdout:
            if line.startswith("DONE"):
                done = json.loads(line.split(" ", 1)[1])
        status = pith.wait(timeout=120)
        fsck = subprocess.run(["fsck.minix", "-f", str(image)], capture_output=True)
    detected = sum("died" in e or "missed its heartbeat" in e for e in errors)
    times = report.pop("recovery", [])
    assert isinstance(times, list)
    times.sort()
    return report | {
        "detected": min(detected, int(str(report["injected"]))),
        "recovered": len(times),
        "recovery_ms_median": statistics.median(times) if times else None,
        "recovery_ms_p99": times[min(len(times) - 1, int(len(times) * 0.99))] if times else None,
        "survived": status == 0 and bool(done) and not report.pop("stalled", False),
        "operations": done.get("operations", 0), "failed": done.get("failed", 0),
        "lost": done.get("lost", 0), "fsck_clean": fsck.returncode == 0,
    } | ({} if fsck.returncode == 0 else {"fsck": fsck.stdout.decode()[-300:]}) | (
        {} if status == 0 and done else {"status": status, "errors": errors[-5:]})


def _next_ok(pith: subprocess.Popen[str], timeout: float) -> float | None:
    """Wait for the workload's next completed operation; its time (monotonic)."""
    assert pith.stdout is not None
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not select.select([pith.stdout], [], [], end - time.monotonic())[0]:
            return None
        line = pith.stdout.readline()
        if line.startswith("OK"):
            return float(line.split()[1])
        if not line:
            return None
    return None


def _inject(pith: subprocess.Popen[str], rng: random.Random, faults: int,
            kinds: tuple[str, ...], targets: tuple[str, ...]) -> dict[str, object]:
    per_kind = dict.fromkeys(kinds, 0)
    recovery: list[float] = []
    if _next_ok(pith, 60) is None:
        raise RuntimeError("the workload never started")
    for _ in range(faults):
        for _ in range(rng.randrange(1, 4)):  # let it run a little between faults
            if _next_ok(pith, STALL) is None:
                return {"injected": sum(per_kind.values()), "per_kind": per_kind,
                        "recovery": recovery, "stalled": True}
        kind, target = rng.choice(kinds), rng.choice(targets)
        pid = _pids(pith.pid).get(target)
        if pid is None:
            continue
        t0 = time.monotonic()
        os.kill(pid, signal.SIGKILL if kind == "crash" else signal.SIGSTOP)
        per_kind[kind] += 1
        back = _next_ok(pith, STALL)
        if back is None:
            return {"injected": sum(per_kind.values()), "per_kind": per_kind,
                    "recovery": recovery, "stalled": True}
        recovery.append((back - t0) * 1000)
    return {"injected": sum(per_kind.values()), "per_kind": per_kind, "recovery": recovery}


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="pith inject", description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="all", help="a server (blk, mfs, …) or all")
    parser.add_argument("--faults", type=int, default=20)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    unknown = [k for k in kinds if k not in KINDS]
    targets = SERVERS if args.target == "all" else (args.target,)
    if unknown or not kinds or any(t not in SERVERS for t in targets):
        print(f"pith inject: kinds are {', '.join(KINDS)}; targets {', '.join(SERVERS)} or all",
              file=sys.stderr)
        return 2
    report = campaign(args.faults, kinds, targets, args.seed)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"pith inject: {report['injected']} faults into {args.target}")
        table.add_column("measure")
        table.add_column("value", justify="right")
        for key, value in report.items():
            table.add_row(key, f"{value:.1f}" if isinstance(value, float) else str(value))
        Console().print(table)
    return 0 if report["survived"] and not report["lost"] and report["fsck_clean"] else 1


if __name__ == "__main__":
    sys.exit(main())
