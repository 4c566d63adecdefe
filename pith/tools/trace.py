"""`pith trace --command LINE`: boot, run one shell line, and show its messages.

The boot is `pith boot --command LINE --record FILE` (pith/tools/boot_cli.py, record.py):
the kernel core's every input goes to a recording, and nothing is added to the kernel.
After the shutdown the recording is replayed (pith/tools/ipc_log.py) into calls,
replies, sends, starts, deaths and the other syscalls, cut to the life of the shell
that ran the line (`--process NAME`: of another process, `--all`: the whole run, boot
and shutdown too), and written as
Perfetto / Chrome trace-event JSON (`-o`, pith/tools/trace_json.py) for ui.perfetto.dev,
and with `--chart` as a message sequence chart (pith/tools/trace_chart.py).

The line's output goes to stdout as with `pith boot`; the exit status is the line's.
The recording is a temporary file unless `--record FILE` keeps it (for pith replay).
Entry point: `main(argv)`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from pith.tools import ipc_log, trace_chart, trace_json
from pith.tools.boot_cli import BootError, manifest_path
from pith.tools.boot_cli import boot as boot_system
from pith.tools.record import RecordError

__all__ = ["TraceError", "main", "trace"]


class TraceError(Exception):
    """A trace that cannot be cut as asked (no process of that name ran)."""


def trace(manifest: str, command: str, image: Path | None, record: Path,
          process: str | None = "sh") -> tuple[int, ipc_log.IpcLog]:
    """Boot `manifest` on `image`, run `command`, record to `record`: the line's status
    and the log, cut to the life of the first `process` (None: the whole run). Raises
    BootError, RecordError, TraceError."""
    status = boot_system(manifest_path(manifest), command, image, None, record)
    log = ipc_log.read(record)
    if process is None:
        return status, log
    pid = ipc_log.find_shell(log, (process,))
    if pid is None:
        if process == "sh":  # (a manifest without pm runs its program alone: all of it)
            return status, log
        raise TraceError(f"no process named {process!r} ran (see --all)")
    return status, ipc_log.window(log, pid)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pith trace", description=__doc__.splitlines()[0])
    p.add_argument("--command", required=True, help="the shell line to run and trace")
    p.add_argument("--manifest", default="microkernel",
                   help="microkernel, hybrid, monolithic or a manifest file")
    p.add_argument("--image", type=Path, default=None, help="disk image (as pith boot)")
    p.add_argument("-o", "--output", type=Path, default=Path("trace.json"),
                   help="the trace-event JSON (default trace.json)")
    p.add_argument("--chart", type=Path, default=None,
                   help="also draw a message sequence chart here (.svg, .png)")
    p.add_argument("--from", dest="skip", type=int, default=0,
                   help="chart: leave out the first N rows")
    p.add_argument("--limit", type=int, default=trace_chart.LIMIT,
                   help=f"chart: draw at most N rows (default {trace_chart.LIMIT})")
    p.add_argument("--process", default="sh",
                   help="cut the trace to the life of the first process of this name "
                        "(default sh: the shell that runs the line; e.g. cat)")
    p.add_argument("--all", dest="whole", action="store_true",
                   help="the whole run (boot and shutdown), not only the line's")
    p.add_argument("--record", type=Path, default=None,
                   help="keep the recording here (for pith replay)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.skip < 0 or args.limit < 1:
        parser().error("--from must be 0 or more and --limit 1 or more")
    with tempfile.TemporaryDirectory(prefix="pith-trace.") as tmp:
        record = args.record or Path(tmp) / "boot.rec"
        try:
            status, log = trace(args.manifest, args.command, args.image, record,
                                None if args.whole else args.process)
        except (BootError, RecordError, TraceError) as e:
            print(f"pith: trace: {e}", file=sys.stderr)
            return 2
    try:
        trace_json.write(log, args.output)
        drawn = None if args.chart is None else trace_chart.draw(
            log, args.chart, args.skip, args.limit)
    except OSError as e:
        print(f"pith: trace: {e.filename}: {e.strerror}", file=sys.stderr)
        return 2
    chart = "" if drawn is None else f"; {drawn} rows drawn to {args.chart}"
    print(f"pith: trace: {len(log.calls)} calls, {len(log.sends)} sends among "
          f"{len(log.procs)} processes, {(log.last - log.first) / 1e6:.1f} ms: wrote "
          f"{args.output}{chart}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
