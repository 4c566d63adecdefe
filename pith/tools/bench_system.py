"""`pith bench system`: the whole system, booted, against the host.

Medians, in one run, for each of:
- isolated: the default manifest, microkernel.toml (every server in its own sandboxed process);
- hybrid: pith/manifests/hybrid.toml (blk and the file systems collocated in the kernel);
- host: the same work on Linux (dash, coreutils, python), the baseline;
- host-python: Pith's own shell and commands (the same Python files) run by Linux:
  what the Python code costs without Pith.

What is measured:
- `boot --command true`: wall time of `pith boot --command true` (boot, init, sh,
  shutdown); on the host, `sh -c true`;
- boot to shell: from starting `pith boot` until the shell has run `echo ready`
  read from stdin; on the host, the same with `sh`;
- spawn: posix_spawn of a trivial program (true.py) until waitpid has its status;
  on the host, `python3 true.py`;
- pipeline: `cat | tr a-z A-Z | sort | wc -l` over a 1 MiB file, as `sh -c`.
Spawn and pipeline are timed inside Pith by an ordinary Python script
(pith/tools/guest/bench_system.py), the same script as on the host.
"""

from __future__ import annotations

import json
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pith.tools.mkfs import make_image

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[2]
GUEST = Path(__file__).resolve().parent / "guest" / "bench_system.py"
MODES = {"isolated": ROOT / "pith" / "manifests" / "microkernel.toml",
         "hybrid": ROOT / "pith" / "manifests" / "hybrid.toml"}
BOOTS, SPAWNS, PIPELINES = 5, 20, 5
PITH = [sys.executable, "-m", "pith", "boot"]


def _median_wall(argv: list[str], times: int) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       timeout=120)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _to_ready(argv: list[str]) -> float:
    """Seconds from starting `argv` (a shell reading stdin) until it printed "ready"."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(b"echo ready\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], 120)
        line = proc.stdout.readline() if ready else b""
        took = time.perf_counter() - start
        if line != b"ready\n":
            raise RuntimeError(f"{argv[0]} did not get ready: {line!r}")
        return took
    finally:
        proc.stdin.close()
        proc.wait(timeout=120)
        proc.stdout.close()


def _pith(mode: str, image: Path) -> dict[str, float]:
    boot = [*PITH, "--manifest", str(MODES[mode]), "--image", str(image)]
    guest = [*boot, "--command",
             f"python /bench_system.py pith /boot/bin/true.py /tmp {SPAWNS} {PIPELINES}"]
    out = subprocess.run(guest, check=True, capture_output=True, text=True, timeout=600,
                         stdin=subprocess.DEVNULL).stdout
    result: dict[str, float] = json.loads(out)
    result["boot_true"] = _median_wall([*boot, "--command", "true"], BOOTS)
    result["boot_to_shell"] = statistics.median(_to_ready(boot) for _ in range(3))
    return result


def _host(tmp: Path, where: str = "host") -> dict[str, float]:
    guest = [sys.executable, str(GUEST), where, str(ROOT / "pith" / "bin" / "true.py"),
             str(tmp), str(SPAWNS), str(PIPELINES)]
    result: dict[str, float] = json.loads(subprocess.run(guest, check=True, text=True,
                                                         capture_output=True).stdout)
    sh = ["/bin/sh"] if where == "host" else [sys.executable, str(ROOT / "pith/bin/sh.py")]
    result["boot_true"] = _median_wall([*sh, "-c", "true"], BOOTS * 4)
    result["boot_to_shell"] = statistics.median(_to_ready(sh) for _ in range(5))
    return result


ROWS = (("boot --command true", "boot_true"), ("boot to shell", "boot_to_shell"),
        ("spawn true.py", "spawn"), ("pipeline of 4 over 1 MiB", "pipeline"))


def report(results: dict[str, dict[str, float]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="pith bench system (medians, ms)")
    for column in ("", "isolated", "hybrid", "host", "host-python", "isolated / hybrid",
                   "isolated / host", "isolated / host-python"):
        table.add_column(column, justify="right" if column else "left")
    for label, key in ROWS:
        iso, hyb, host, py = (results[m][key] for m in ("isolated", "hybrid", "host",
                                                        "host-python"))
        table.add_row(label, f"{iso * 1e3:.1f}", f"{hyb * 1e3:.1f}", f"{host * 1e3:.1f}",
                      f"{py * 1e3:.1f}", f"{iso / hyb:.2f}", f"{iso / host:.1f}",
                      f"{iso / py:.1f}")
    Console().print(table)


def main(json_path: Path | None = None) -> int:
    with tempfile.TemporaryDirectory(prefix="pith-bench-") as d:
        tmp = Path(d)
        (tmp / "src").mkdir()
        shutil.copy(GUEST, tmp / "src" / "bench_system.py")
        results: dict[str, dict[str, float]] = {}
        for mode in MODES:
            image = tmp / f"{mode}.img"
            device = make_image(image, 64 << 20, tmp / "src").dev
            getattr(device, "close", lambda: None)()
            results[mode] = _pith(mode, image)
        results["host"] = _host(tmp)
        results["host-python"] = _host(tmp, "host-python")
    expected = results["host"]["pipeline_lines"]
    for mode, result in results.items():
        if result.pop("pipeline_lines") != expected:
            print(f"pith bench system: the {mode} pipeline counted wrong", file=sys.stderr)
            return 1
    report(results)
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
