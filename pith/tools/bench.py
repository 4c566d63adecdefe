"""`pith bench`: the microkernel against the monolithic kernel and the host, in one run.

The same ordinary Python program (pith/tools/guest/bench.py) times what a user program
sees through the posix layer, on four systems: the host (Linux, the same program run by
plain Python), and Pith booted in each isolation mode (docs/design.md §4) on one disk
image: **monolithic** (every server collocated in the kernel), **hybrid** (the disk
driver and the file systems collocated) and **microkernel** (every server isolated, the
default). Operations: a null IPC, getpid, getppid (which asks pm), stat, read 4 KiB and
1 MiB, write 4 KiB + fsync, create + unlink, spawn + wait, pipe throughput between two
processes and a macro workload (unpack a tarball of a few hundred files, grep them, sort,
count, remove them: a shell line of Pith's own commands, of the host's on the host).

Each round boots every mode once (and runs the host once), in turn, so the noise of a
shared machine falls on every system alike; each figure is the median of the rounds, and
the ratios are of medians: against the host and against the monolithic mode, beside the
microkernel/monolithic figures textbooks quote. TCP runs over the loopback (inet alone, in
every mode; over the TAP it would need root and the host's own stack on the far side).
`--json FILE` writes everything (samples too), `--chart FILE.png` a bar chart (log scale).
"""

from __future__ import annotations

import io
import json
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pith.tools.boot_cli import MODES, manifest_path

__all__ = ["OPERATIONS", "SYSTEMS", "BenchError", "Operation", "main", "make_tarball",
           "measure", "report"]

ROOT = Path(__file__).resolve().parents[2]
GUEST = Path(__file__).resolve().parent / "guest" / "bench.py"
TRUE_PY = ROOT / "pith" / "bin" / "true.py"
SYSTEMS = ("host", "monolithic", "hybrid", "microkernel")
PITH_MODES = tuple(m for m in SYSTEMS if m in MODES)
ROUNDS, REPEAT, FILES = 7, 200, 300
IMAGE_SIZE = 64 << 20
WORDS = ("the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "while", "a", "kernel",
         "passes", "messages", "between", "servers", "holding", "capabilities", "to", "memory")


@dataclass(frozen=True)
class Operation:
    key: str  # the guest's name for it
    label: str
    textbook: float | None = None  # microkernel / monolithic, as textbooks quote it
    measured: bool = True


OPERATIONS = (
    Operation("null_ipc", "null IPC (call + reply)"),
    Operation("getpid", "getpid", 5.0),
    Operation("getppid", "getppid (asks pm)"),
    Operation("stat", "stat", 3.0),
    Operation("read_4k", "read 4 KiB", 3.0),
    Operation("read_1m", "read 1 MiB", 1.15),
    Operation("write_fsync", "write 4 KiB + fsync"),
    Operation("create_unlink", "create + unlink"),
    Operation("spawn", "spawn + wait", 2.0),
    Operation("pipe", "pipe, time per MiB"),
    Operation("macro", "macro: untar, grep, sort, wc"),
    Operation("tcp_echo", "TCP echo, 64 B (loopback)", 2.5),
    Operation("tcp_mib", "TCP echoed, time per MiB"),
)
NOT_MEASURED = "not measured yet"
NOTES = (
    "null IPC: inside Pith a Ping call to vfs through the kernel, on the host a "
    "SOCK_SEQPACKET round trip between two processes",
    "getpid: Pith answers it from the process's own memory (pm gave the pid at spawn); "
    "getppid asks pm, the call that crosses the kernel",
    "read: lseek + read on an open fd; fsync: Pith's syncs the file system",
    "spawn: posix_spawn of true.py and waitpid; on the host a fresh python, in Pith a fork "
    "of the zygote",
    "TCP: a 64-byte request and its echo, and a stream echoed back, between two threads "
    "over 127.0.0.1 (TCP_NODELAY); in Pith through inet, on the host Linux's loopback",
    "monolithic: every server collocated; rs (the root) and user processes are processes "
    "in every mode",
)


class BenchError(Exception):
    """A system failed to run the benchmark (the message says which and why)."""


def make_tarball(path: Path, files: int, seed: int = 7) -> None:
    """`files` text files of random words (about 2 KiB each) in ten directories."""
    rng = random.Random(seed)
    with tarfile.open(path, "w") as tar:
        for i in range(files):
            lines = (" ".join(rng.choice(WORDS) for _ in range(8)) for _ in range(40))
            data = "".join(line + "\n" for line in lines).encode()
            info = tarfile.TarInfo(f"d{i % 10:02d}/f{i:04d}.txt")
            info.size, info.mode, info.mtime = len(data), 0o644, 1_700_000_000
            tar.addfile(info, io.BytesIO(data))


def _guest_json(argv: list[str], system: str) -> dict[str, Any]:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=900,
                              stdin=subprocess.DEVNULL, cwd=ROOT)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{system}: no result after 900 s") from None
    lines = done.stdout.strip().splitlines()
    try:
        result: dict[str, Any] = json.loads(lines[-1]) if done.returncode == 0 else {}
    except (IndexError, json.JSONDecodeError):
        result = {}
    if not result:
        why = (done.stderr.strip().splitlines() or lines or ["no output"])[-1]
        raise BenchError(f"{system}: the benchmark failed (status {done.returncode}): {why}")
    return result


def _run_once(system: str, tmp: Path, image: Path, repeat: int) -> dict[str, Any]:
    if system == "host":
        work = tmp / "host"
        work.mkdir(exist_ok=True)
        return _guest_json([sys.executable, str(GUEST), "host", str(work), str(TRUE_PY),
                            str(tmp / "src" / "bench.tar"), str(repeat)], system)
    line = f"python /bench.py pith / /bin/true.py /bench.tar {repeat}"
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", str(manifest_path(system)),
            "--image", str(image), "--command", line]
    return _guest_json(argv, system)


@contextmanager
def _progress(shown: bool, total: int) -> Iterator[Callable[[str], None]]:
    if not shown:
        yield lambda _: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("pith bench", total=total)
        yield lambda what: bar.update(task, advance=1, description=f"pith bench: {what}")


def measure(rounds: int = ROUNDS, repeat: int = REPEAT, files: int = FILES,
            progress: bool = False) -> dict[str, Any]:
    """Every operation on every system, `rounds` times; the results as `report` takes them."""
    from pith.tools.mkfs import make_image

    samples: dict[str, dict[str, list[float]]] = {
        op.key: {s: [] for s in SYSTEMS} for op in OPERATIONS if op.measured}
    outputs: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="pith-bench-") as d:
        tmp = Path(d)
        (tmp / "src").mkdir()
        make_tarball(tmp / "src" / "bench.tar", files)
        shutil.copy(GUEST, tmp / "src" / "bench.py")
        image = tmp / "disk.img"
        device = make_image(image, IMAGE_SIZE, tmp / "src").dev
        getattr(device, "close", lambda: None)()
        with _progress(progress, rounds * len(SYSTEMS)) as step:
            for n in range(rounds):
                for system in SYSTEMS:
                    step(f"round {n + 1} of {rounds}, {system}")
                    result = _run_once(system, tmp, image, repeat)
                    outputs.setdefault(system, result["macro_output"])
                    for key, times in samples.items():
                        times[system].append(float(result[key]))
    expected = outputs["host"]
    for system, output in outputs.items():
        if output != expected:
            raise BenchError(f"{system}: the macro workload printed {' '.join(output)}, "
                             f"the host {' '.join(expected)}")
    return {"rounds": rounds, "repeat": repeat, "files": files, "macro_output": expected,
            "samples": samples}


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("inf")


def results(measured: dict[str, Any], command: str) -> dict[str, Any]:
    """The JSON document: medians, ratios, textbook figures, samples."""
    operations = []
    for op in OPERATIONS:
        entry: dict[str, Any] = {"key": op.key, "label": op.label, "measured": op.measured,
                                 "textbook_microkernel_vs_monolithic": op.textbook}
        if not op.measured:
            operations.append(entry | {"note": NOT_MEASURED})
            continue
        samples = measured["samples"][op.key]
        median = {s: statistics.median(samples[s]) for s in SYSTEMS}
        entry |= {
            "seconds": median,
            "vs_host": {m: _ratio(median[m], median["host"]) for m in PITH_MODES},
            "vs_monolithic": {m: _ratio(median[m], median["monolithic"])
                              for m in PITH_MODES if m != "monolithic"},
            "samples": samples,
        }
        operations.append(entry)
    return {
        "command": command,
        "rounds": measured["rounds"], "repeat": measured["repeat"], "files": measured["files"],
        "systems": list(SYSTEMS),
        "unit": "seconds per operation (pipe: per MiB; macro: per run); medians of the rounds",
        "manifests": {m: str(manifest_path(m).relative_to(ROOT)) for m in PITH_MODES},
        "macro_output": measured["macro_output"],
        "operations": operations,
        "notes": list(NOTES),
    }


def _time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:,.1f} µs" if seconds >= 1e-6 else f"{seconds * 1e9:,.0f} ns"
    return f"{seconds * 1e3:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def _times(ratio: float | None) -> str:
    if ratio is None:
        return ""
    return f"{ratio:.2f}×" if ratio < 10 else f"{ratio:,.0f}×"


def report(doc: dict[str, Any], width: int | None = None) -> None:
    """The table, on stdout (160 columns when it is not a terminal)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=width) if width else Console()
    if not console.is_terminal and width is None:
        console = Console(width=160)
    table = Table(title=f"pith bench: medians of {doc['rounds']} rounds", title_justify="left",
                  caption="ratios of medians; textbook: microkernel / monolithic as "
                          "textbooks quote it", caption_justify="left")
    table.add_column("operation", no_wrap=True)
    for system in SYSTEMS:
        table.add_column(system, justify="right", no_wrap=True)
    for label in ("mono/host", "hybrid/host", "micro/host", "hybrid/mono", "micro/mono",
                  "textbook"):
        table.add_column(label, justify="right", no_wrap=True)
    for op in doc["operations"]:
        quoted = op["textbook_microkernel_vs_monolithic"]
        book = "" if quoted is None else f"{quoted:g}×"
        if not op["measured"]:
            table.add_row(f"{op['label']} (not measured yet)", *(["—"] * 4), *([""] * 5), book,
                          style="dim")
            continue
        t, host, mono = op["seconds"], op["vs_host"], op["vs_monolithic"]
        table.add_row(op["label"], *(_time(t[s]) for s in SYSTEMS),
                      _times(host["monolithic"]), _times(host["hybrid"]),
                      _times(host["microkernel"]), _times(mono["hybrid"]),
                      _times(mono["microkernel"]), book)
    console.print(table)


def chart(doc: dict[str, Any], path: Path) -> None:
    """Bars per operation and system, log scale, microkernel/monolithic above each group."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ops = [op for op in doc["operations"] if op["measured"]]
    colours = {"host": "#7f7f7f", "monolithic": "#2ca02c", "hybrid": "#1f77b4",
               "microkernel": "#d62728"}
    fig, ax = plt.subplots(figsize=(12, 5), dpi=100)
    width = 0.8 / len(SYSTEMS)
    for i, system in enumerate(SYSTEMS):
        xs = [n + (i - (len(SYSTEMS) - 1) / 2) * width for n in range(len(ops))]
        ax.bar(xs, [op["seconds"][system] * 1e6 for op in ops], width, label=system,
               color=colours[system])
    for n, op in enumerate(ops):
        top = max(op["seconds"].values()) * 1e6
        book = op["textbook_microkernel_vs_monolithic"]
        text = _times(op["vs_monolithic"]["microkernel"])
        ax.annotate(text + (f"\n(book {book:g}×)" if book else ""), (n, top * 1.15),
                    ha="center", fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("µs per operation (log scale)")
    ax.set_xticks(range(len(ops)), [op["label"] for op in ops], rotation=25, ha="right",
                  fontsize=8)
    ax.set_title(f"pith bench: medians of {doc['rounds']} rounds (above each group: "
                 "microkernel / monolithic, and the textbook figure)", fontsize=10)
    ax.legend(fontsize=8, ncols=4, loc="upper left")
    ax.set_ylim(top=ax.get_ylim()[1] * 4)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(json_path: Path | None = None, chart_path: Path | None = None,
         rounds: int = ROUNDS, repeat: int = REPEAT, files: int = FILES,
         progress: bool | None = None) -> int:
    """The whole benchmark: table on stdout, and the JSON and chart if asked; exit status."""
    if rounds < 1 or repeat < 1 or files < 1:
        print("pith bench: --rounds, --repeat and --files must be at least 1", file=sys.stderr)
        return 2
    if chart_path is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print("pith bench: --chart needs matplotlib (pip install matplotlib)",
                  file=sys.stderr)
            return 2
    for path in (json_path, chart_path):  # (found out now, not after the benchmark)
        try:
            if path is not None:
                path.open("w").close()
        except OSError as e:
            print(f"pith bench: {path}: {e.strerror}", file=sys.stderr)
            return 2
    command = " ".join(["pith bench", *([f"--rounds {rounds}"] if rounds != ROUNDS else []),
                        *([f"--repeat {repeat}"] if repeat != REPEAT else []),
                        *([f"--files {files}"] if files != FILES else [])])
    shown = sys.stderr.isatty() if progress is None else progress
    try:
        doc = results(measure(rounds, repeat, files, shown), command)
    except (BenchError, OSError) as e:
        print(f"pith bench: {e}", file=sys.stderr)
        return 1
    report(doc)
    for path, write in ((json_path, lambda p: p.write_text(json.dumps(doc, indent=2) + "\n")),
                        (chart_path, lambda p: chart(doc, p))):
        if path is None:
            continue
        try:
            write(path)
        except OSError as e:
            print(f"pith bench: {path}: {e.strerror}", file=sys.stderr)
            return 1
    return 0
