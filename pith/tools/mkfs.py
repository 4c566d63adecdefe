"""`pith mkfs IMAGE [--size SIZE] [--from DIR] [--inodes N]`: make a MINIX v3 image.

The image file is created (or resized) to SIZE (64M, 1G, 512K or a plain block
count of 1 KiB blocks; default 64 MiB) and formatted as `mkfs.minix -3` would.
With `--from DIR` the host tree is copied in, as `mkfs.ext4 -d` does: regular
files, directories and symlinks, with their permission bits and mtimes (owners
are not copied; other file types are skipped with a warning). Pith's commands
(`pith/bin/*.py`) are installed into `/bin`. Entry points: `parse_size`,
`make_image`, `copy_tree`, `install_bin`, `main`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pith.protocols.fs import MAX_IO, ROOT
from pith.servers.mfs.cache import FileDevice
from pith.servers.mfs.fs import FsError, MinixFS
from pith.servers.mfs.layout import BLOCK_SIZE

__all__ = ["DEFAULT_SIZE", "copy_tree", "install_bin", "main", "make_image", "parse_size"]

DEFAULT_SIZE = 64 * 1024 * 1024
_UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
BIN = Path(__file__).resolve().parents[1] / "bin"  # Pith's commands, installed into /bin


def parse_size(text: str) -> int:
    """Bytes for "64M", "1G", "512K", "65536" (a block count) or "1048576B"."""
    text = text.strip().upper().removesuffix("IB")
    try:
        if text and text[-1] in _UNITS:
            return int(text[:-1]) * _UNITS[text[-1]]
        if text.endswith("B"):
            return int(text[:-1])
        return int(text) * BLOCK_SIZE
    except ValueError:
        raise ValueError(f"bad size {text!r}: use e.g. 64M, 1G, 512K or a block count") from None


def copy_tree(fs: MinixFS, src: Path, warn: Callable[[str], None] | None = None) -> int:
    """Copy the host tree under `src` into the root of `fs`; the number of entries copied."""
    count = 0

    def copy_dir(host: Path, ino: int) -> None:
        nonlocal count
        for entry in sorted(os.scandir(host), key=lambda e: e.name):
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                attr = fs.mkdir(ino, entry.name, stat.S_IMODE(st.st_mode))
                copy_dir(Path(entry.path), attr.ino)
            elif stat.S_ISREG(st.st_mode):
                attr = fs.create(ino, entry.name, stat.S_IFREG | stat.S_IMODE(st.st_mode))
                with open(entry.path, "rb") as f:
                    offset = 0
                    while chunk := f.read(MAX_IO):
                        fs.write(attr.ino, offset, chunk)
                        offset += len(chunk)
            elif stat.S_ISLNK(st.st_mode):
                attr = fs.symlink(ino, entry.name, os.readlink(entry.path))
            else:
                if warn is not None:
                    warn(f"skipping {entry.path}: not a file, directory or symlink")
                continue
            fs.set_attr(attr.ino, atime=int(st.st_atime), mtime=int(st.st_mtime))
            count += 1
        st = host.stat()
        fs.set_attr(ino, mode=stat.S_IMODE(st.st_mode), atime=int(st.st_atime),
                    mtime=int(st.st_mtime))

    copy_dir(src, ROOT)
    return count


def make_image(image: Path, size: int = DEFAULT_SIZE, source: Path | None = None,
               inodes: int | None = None, warn: Callable[[str], None] | None = None) -> MinixFS:
    """Create `image` of `size` bytes, format it, fill it from `source`, sync it."""
    blocks = size // BLOCK_SIZE
    with open(image, "ab") as f:
        f.truncate(blocks * BLOCK_SIZE)
    dev = FileDevice(image)
    fs = MinixFS.format(dev, inodes)
    if source is not None:
        copy_tree(fs, source, warn)
    install_bin(fs)
    fs.sync()
    return fs


def install_bin(fs: MinixFS, changed_only: bool = False) -> int:
    """Put Pith's commands (pith/bin/NAME.py) in /bin of `fs`, mode 0755, and /bin/sh
    (a symlink to sh.py); how many commands were written.

    A /bin that `--from` brought is kept; Pith's commands replace same-named files in it.
    With `changed_only`, a command already there byte for byte is left alone (how
    `pith boot` keeps the default image's /bin in step with this Pith)."""
    commands = sorted(p for p in BIN.glob("*.py") if p.name != "__init__.py")
    if not commands:
        return 0
    try:
        bin_ino = fs.lookup(ROOT, "bin").ino
    except FsError:
        bin_ino = fs.mkdir(ROOT, "bin", 0o755).ino
    written = 0
    for command in commands:
        if changed_only and _same(fs, bin_ino, command):
            continue
        written += 1
        with contextlib.suppress(FsError):
            fs.unlink(bin_ino, command.name)
        ino = fs.create(bin_ino, command.name, stat.S_IFREG | 0o755).ino
        data = command.read_bytes()
        for offset in range(0, len(data), MAX_IO):
            fs.write(ino, offset, data[offset:offset + MAX_IO])
    with contextlib.suppress(FsError):  # /bin/sh, as POSIX has it (#!/bin/sh scripts)
        fs.symlink(bin_ino, "sh", "sh.py")
    return written


def _same(fs: MinixFS, bin_ino: int, command: Path) -> bool:
    try:
        attr = fs.lookup(bin_ino, command.name)
    except FsError:
        return False
    data = command.read_bytes()
    return attr.size == len(data) and fs.read(attr.ino, 0, len(data)) == data


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pith mkfs", description=__doc__.splitlines()[0])
    parser.add_argument("image", type=Path)
    parser.add_argument("--size", default="64M", help="64M, 1G, 512K or a block count")
    parser.add_argument("--from", dest="source", type=Path, help="host directory to copy in")
    parser.add_argument("--inodes", type=int, help="number of inodes (default as mkfs.minix)")
    args = parser.parse_args(argv)
    try:
        size = parse_size(args.size)
    except ValueError as exc:
        print(f"pith mkfs: {exc}", file=sys.stderr)
        return 2
    if args.source is not None and not args.source.is_dir():
        print(f"pith mkfs: {args.source} is not a directory", file=sys.stderr)
        return 2
    try:
        fs = make_image(args.image, size, args.source, args.inodes,
                        warn=lambda m: print(f"pith mkfs: {m}", file=sys.stderr))
    except FsError as exc:
        print(f"pith mkfs: {args.image}: {exc.error}: {exc.message}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"pith mkfs: {exc}", file=sys.stderr)
        return 1
    info = fs.statfs()
    print(f"{args.image}: MINIX v3, {info.blocks} blocks, {info.inodes} inodes, "
          f"{info.free_blocks} blocks and {info.free_inodes} inodes free")
    return 0


if __name__ == "__main__":
    sys.exit(main())
