"""Shared helpers for the MINIX file-system tests: util-linux tools and tree listings."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from pith.servers.mfs.cache import FileDevice
from pith.servers.mfs.check import check
from pith.servers.mfs.fs import MinixFS

MKFS_MINIX = shutil.which("mkfs.minix") or "/usr/sbin/mkfs.minix"
FSCK_MINIX = shutil.which("fsck.minix") or "/usr/sbin/fsck.minix"

needs_util_linux = pytest.mark.skipif(
    not (Path(MKFS_MINIX).exists() and Path(FSCK_MINIX).exists()),
    reason="util-linux mkfs.minix/fsck.minix not installed",
)


class Clock:
    """A test clock: `now()` returns `t`, which the test moves."""

    def __init__(self, t: int = 1_700_000_000) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def blank(path: Path, blocks: int) -> Path:
    with open(path, "wb") as f:
        f.truncate(blocks * 1024)
    return path


def mkfs_minix(path: Path, blocks: int, inodes: int | None = None) -> Path:
    blank(path, blocks)
    cmd = [MKFS_MINIX, "-3", *(["-i", str(inodes)] if inodes else []), str(path), str(blocks)]
    subprocess.run(cmd, check=True, capture_output=True)
    return path


def fsck_minix(path: Path, *flags: str) -> tuple[int, str]:
    """(exit code, stdout+stderr without the 'Forcing' banner) of fsck.minix -f FLAGS."""
    proc = subprocess.run([FSCK_MINIX, "-f", *flags, str(path)], capture_output=True, text=True)
    lines = [line for line in (proc.stdout + proc.stderr).splitlines()
             if not line.startswith("Forcing filesystem check")]
    return proc.returncode, "\n".join(lines)


def assert_minix_clean(path: Path) -> None:
    rc, out = fsck_minix(path)
    assert rc == 0 and out == "", f"fsck.minix complains (exit {rc}):\n{out}"


def assert_pith_clean(path: Path) -> None:
    with FileDevice(path, readonly=True) as dev:
        problems = check(dev)
    assert problems == [], problems


def assert_clean(path: Path) -> None:
    assert_minix_clean(path)
    assert_pith_clean(path)


def minix_listing(path: Path) -> list[str]:
    """The paths `fsck.minix -fl` lists ("/dir:" for directories), in its order."""
    rc, out = fsck_minix(path, "-l")
    assert rc == 0, out
    return [line for line in out.splitlines() if line]


def pith_listing(fs: MinixFS, ino: int = 1, prefix: str = "") -> list[str]:
    """The same listing, made by walking the tree through MinixFS in directory order.

    fsck.minix prints at most 59 bytes of a name (xstrncpy into a namelen buffer keeps
    room for the NUL), so names are cut there to compare with its listing."""
    out: list[str] = []
    start = 0
    while True:
        entries, more = fs.readdir(ino, start)
        for name, child in entries:
            if name in (".", ".."):
                continue
            path = f"{prefix}/{name.encode()[:59].decode()}"
            attr = fs.stat(child)
            if stat.S_ISDIR(attr.mode):
                out.append(path + ":")
                out.extend(pith_listing(fs, child, path))
            else:
                out.append(path)
        start += len(entries)
        if not more:
            return out


def new_fs(tmp_path: Path, blocks: int = 4096, inodes: int | None = None,
           clock: Clock | None = None, name: str = "fs.img") -> tuple[Path, MinixFS]:
    path = blank(tmp_path / name, blocks)
    fs = MinixFS.format(FileDevice(path), inodes, now=clock or Clock())
    return path, fs
