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

__all__ = ["BenchTarget", "app"]

app = typer.Typer(
    help="Pith: a microkernel operating system in Python, hosted on Linux.",
    no_args_is_help=True,
    add_completion=False,
)


class BenchTarget(enum.StrEnum):
    """What `pith bench` measures."""

    CORE = "core"


# Each benchmark's module; imported only when asked for. Its `main()` runs it.
_BENCH_MODULES = {BenchTarget.CORE: "pith.tools.bench_core"}


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
    what: Annotated[BenchTarget, typer.Argument(help="What to measure.")] = BenchTarget.CORE,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the results as JSON here.")
    ] = None,
) -> None:
    """Run a benchmark and print its table."""
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
def boot() -> None:
    """Boot Pith to a shell on this terminal."""
    typer.echo("pith boot: not yet — the kernel host lands with issue 4", err=True)
    raise typer.Exit(2)
