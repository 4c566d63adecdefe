"""Typer commands for `pith mkfs` and `pith fsck`, to be registered in pith/cli.py:

    from pith.tools.fs_cli import fsck_command, mkfs_command
    app.command("mkfs")(mkfs_command)
    app.command("fsck")(fsck_command)

The tools themselves are imported only when a command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["fsck_command", "mkfs_command"]


def mkfs_command(
    image: Annotated[Path, typer.Argument(help="Image file to create or overwrite.")],
    size: Annotated[str, typer.Option(help="Size: 64M, 1G, 512K or a block count.")] = "64M",
    source: Annotated[
        Path | None,
        typer.Option("--from", help="Host directory to copy into the image.",
                     exists=True, file_okay=False),
    ] = None,
    inodes: Annotated[int | None, typer.Option(help="Number of inodes.")] = None,
) -> None:
    """Make a MINIX v3 file-system image (as mkfs.minix -3), optionally filled from DIR."""
    from pith.tools import mkfs

    argv = [str(image), "--size", size]
    if source is not None:
        argv += ["--from", str(source)]
    if inodes is not None:
        argv += ["--inodes", str(inodes)]
    raise typer.Exit(mkfs.main(argv))


def fsck_command(
    image: Annotated[Path, typer.Argument(help="Image file to check.")],
) -> None:
    """Check a MINIX v3 image with Pith's own checker (reads only)."""
    from pith.tools import fsck

    raise typer.Exit(fsck.main([str(image)]))
