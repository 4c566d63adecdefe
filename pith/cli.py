"""The `pith` command: the host-side entry point to every Pith tool (docs/design.md §5).

Each command is a thin wrapper that imports its tool lazily, so `pith --help`
stays fast and a tool still being written does not break the others.
Entry point: `app` (the console script `pith`).
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from pith import __version__
from pith.tools.fs_cli import fsck_command, mkfs_command

__all__ = ["BenchTarget", "app"]

app = typer.Typer(
    help="Pith: a microkernel operating system in Python, hosted on Linux.",
    no_args_is_help=True,
    add_completion=False,
)


class BenchTarget(enum.StrEnum):
    """What `pith bench` measures: all of it, or one of the older, narrower parts."""

    ALL = "all"
    CORE = "core"
    IPC = "ipc"
    FS = "fs"
    SYSTEM = "system"


DEFAULT_MANIFEST = "microkernel"

# Each benchmark's module; imported only when asked for. Its `main()` runs it.
_BENCH_MODULES = {
    BenchTarget.CORE: "pith.tools.bench_core",
    BenchTarget.IPC: "pith.tools.bench_ipc",
    BenchTarget.FS: "pith.tools.bench_fs",
    BenchTarget.SYSTEM: "pith.tools.bench_system",
}


app.command("mkfs")(mkfs_command)
app.command("fsck")(fsck_command)


@app.command()
def inject(
    target: Annotated[str, typer.Option(help="A server (blk, mfs, tmpfs, procfs, vfs) or all.")]
    = "all",
    faults: Annotated[int, typer.Option(help="How many faults to inject.")] = 20,
    kinds: Annotated[str, typer.Option(
        help="Comma-separated: crash, hang, exception, deadlock, leak, corrupt-reply, "
             "corrupt-state.")] = "crash,hang,exception,deadlock,leak,corrupt-reply,corrupt-state",
    manifest: Annotated[Path | None, typer.Option(
        help="A storage manifest (default examples/storage.toml; "
             "examples/storage-collocated.toml shows the contrast).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same campaign.")]
    = 1,
    heartbeat: Annotated[float, typer.Option(help="rs's heartbeat period, s (timeout 2x).")]
    = 0.3,
    progress: Annotated[bool | None, typer.Option(
        help="A progress bar on stderr (default: when stderr is a terminal).")] = None,
    json_path: Annotated[Path | None, typer.Option(
        "--json", help="Also write the report as JSON here.")] = None,
) -> None:
    """Inject faults into running servers under a file workload; report survival."""
    from pith.tools import inject as tool

    argv = ["--target", target, "--faults", str(faults), "--kinds", kinds, "--seed", str(seed),
            "--heartbeat", str(heartbeat)]
    argv += ["--manifest", str(manifest)] if manifest is not None else []
    argv += [] if progress is None else ["--progress" if progress else "--no-progress"]
    argv += [] if json_path is None else ["--json", str(json_path)]
    raise typer.Exit(tool.main(argv))


@app.command()
def version() -> None:
    """Print the Pith version."""
    typer.echo(f"pith {__version__}")


@app.command("kernel-size")
def kernel_size(
    limit: Annotated[int | None, typer.Option(help="Maximum kernel code lines.")] = None,
    root: Annotated[Path | None, typer.Option(help="Directory to count.")] = None,
) -> None:
    """Count the kernel's code lines; fail above the limit."""
    from pith.tools import kernel_size as tool

    argv: list[str] = []
    if limit is not None:
        argv += ["--limit", str(limit)]
    if root is not None:
        argv += ["--root", str(root)]
    raise typer.Exit(tool.main(argv))


@app.command()
def bench(
    what: Annotated[BenchTarget, typer.Argument(
        help="all: every operation, every isolation mode and the host, in one run; core, ipc, "
             "fs, system: the narrower benchmarks, each with its own table.")] = BenchTarget.ALL,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the results as JSON here.")
    ] = None,
    chart: Annotated[Path | None, typer.Option(
        help="Also draw a bar chart (PNG, log scale) here; all only.")] = None,
    rounds: Annotated[int | None, typer.Option(
        help="Rounds, each booting every mode once; medians are of the rounds (default 7). "
             "all only.")] = None,
    repeat: Annotated[int | None, typer.Option(
        help="Repetitions of a small operation per round (default 200; fewer of the big "
             "ones). all only.")] = None,
    files: Annotated[int | None, typer.Option(
        help="Files in the macro workload's tarball (default 300). all only.")] = None,
    progress: Annotated[bool | None, typer.Option(
        help="A progress bar on stderr (default: when stderr is a terminal). all only.")]
    = None,
) -> None:
    """Measure Pith: microkernel, hybrid and monolithic against the host (ratios, medians)."""
    if what is BenchTarget.ALL:
        from pith.tools import bench as full

        raise typer.Exit(full.main(
            json_path, chart, full.ROUNDS if rounds is None else rounds,
            full.REPEAT if repeat is None else repeat, full.FILES if files is None else files,
            progress))
    if chart is not None or rounds is not None or repeat is not None or files is not None \
            or progress is not None:
        typer.echo(f"pith bench: --chart, --rounds, --repeat, --files and --progress are for "
                   f"pith bench all, not {what.value}", err=True)
        raise typer.Exit(2)
    module_name = _BENCH_MODULES[what]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name != module_name:
            raise
        typer.echo(f"pith bench: {what.value} benchmark not available yet", err=True)
        raise typer.Exit(2) from None
    run: Callable[[Path | None], object] = module.main
    result = run(json_path)
    raise typer.Exit(result if isinstance(result, int) else 0)


@app.command()
def boot(
    manifest: Annotated[str, typer.Option(
        help="microkernel (every server isolated), hybrid (the disk driver and file systems "
             "in the kernel), monolithic (every server in the kernel), or a boot manifest "
             "file (TOML): the servers and their modes.")] = DEFAULT_MANIFEST,
    command: Annotated[
        str | None, typer.Option(help="Run this one shell line, print its output, shut down.")
    ] = None,
    image: Annotated[
        Path | None, typer.Option(help="Disk image (default: $PITH_IMAGE or "
                                  "~/.local/share/pith/disk.img, made if missing).")
    ] = None,
    record: Annotated[Path | None, typer.Option(
        help="Record every event the host feeds the kernel core to this file, for "
             "pith replay and pith trace.")] = None,
    net: Annotated[str | None, typer.Option(
        help="tap[:NAME]: a network, on a new TAP device (default name pith0; needs root or "
             "CAP_NET_ADMIN, e.g. in `unshare -rn`), host side 10.0.2.2/24. Off by default."
    )] = None,
    ip: Annotated[str | None, typer.Option(
        help="Pith's address with --net, ADDR/PREFIX (default 10.0.2.15/24).")] = None,
    gateway: Annotated[str | None, typer.Option(
        help="Pith's gateway and DNS server with --net: the host side of the TAP "
             "(default 10.0.2.2).")] = None,
) -> None:
    """Boot Pith to its shell; with --command, run one shell line and exit with its status."""
    from pith.tools.boot_cli import BootError, manifest_path
    from pith.tools.boot_cli import boot as boot_system
    from pith.tools.tap import NetConfig, NetError

    try:
        if net is None and (ip is not None or gateway is not None):
            raise BootError("--ip and --gateway configure the network: give --net tap too")
        try:
            config = None if net is None else NetConfig.parse(net, ip, gateway)
        except NetError as e:
            raise BootError(str(e)) from None
        status = boot_system(manifest_path(manifest), command, image, config, record)
    except BootError as e:
        typer.echo(f"pith: boot: {e}", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(status)


@app.command()
def replay(
    file: Annotated[Path, typer.Argument(help="A recording (pith boot --record FILE).")],
    until: Annotated[int | None, typer.Option(
        help="Stop after event N and print the kernel's objects, caps and queues.")] = None,
    json_path: Annotated[Path | None, typer.Option(
        "--json", help="Also write the report as JSON here.")] = None,
) -> None:
    """Replay a recording into a fresh kernel core; report the first divergence."""
    from pith.tools import replay as tool

    argv = [str(file)] + ([] if until is None else ["--until", str(until)])
    argv += [] if json_path is None else ["--json", str(json_path)]
    raise typer.Exit(tool.main(argv))


@app.command()
def trace(
    command: Annotated[str, typer.Option(help="The shell line to run and trace.")],
    manifest: Annotated[str, typer.Option(
        help="microkernel, hybrid, monolithic, or a boot manifest file (as pith boot).")]
    = DEFAULT_MANIFEST,
    image: Annotated[Path | None, typer.Option(
        help="Disk image (as pith boot: default $PITH_IMAGE or ~/.local/share/pith/disk.img)."
    )] = None,
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="The trace: Perfetto/Chrome trace-event JSON, for "
                               "ui.perfetto.dev or chrome://tracing.")] = Path("trace.json"),
    chart: Annotated[Path | None, typer.Option(
        help="Also draw a message sequence chart here (.svg or .png).")] = None,
    skip: Annotated[int, typer.Option(
        "--from", help="Chart: leave out the first N rows.")] = 0,
    limit: Annotated[int | None, typer.Option(
        help="Chart: draw at most N rows (default 120).")] = None,
    process: Annotated[str, typer.Option(
        help="Cut the trace to the life of the first process of this name (default sh: the "
             "shell that runs the line; cat: only cat's own part).")] = "sh",
    whole: Annotated[bool, typer.Option(
        "--all", help="The whole run, boot and shutdown too.")] = False,
    record: Annotated[Path | None, typer.Option(
        help="Keep the recording here (for pith replay).")] = None,
) -> None:
    """Boot, run one shell line, and write every message it caused as a trace (and chart)."""
    from pith.tools import trace as tool

    argv = ["--command", command, "--manifest", manifest, "-o", str(output),
            "--from", str(skip), "--process", process]
    argv += [] if image is None else ["--image", str(image)]
    argv += [] if chart is None else ["--chart", str(chart)]
    argv += [] if limit is None else ["--limit", str(limit)]
    argv += ["--all"] if whole else []
    argv += [] if record is None else ["--record", str(record)]
    raise typer.Exit(tool.main(argv))
