"""`pith bench fs`: file operations through Pith's storage stack against the host's.

The same operations, in one run, as medians of repeated rounds:
- through Pith, a client → vfs → mfs → blk → the disk image, with every server
  isolated (a microkernel) and with all four collocated in the kernel;
- on the host file system, with plain os calls.
Operations: stat of a cached path; read 4 KiB and 1 MiB from an open file
(seek, then read); write 4 KiB and fsync; create and unlink a file.
"""

from __future__ import annotations

import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pith.lib.start import Context

__all__ = ["client", "main"]

ROUNDS, REPEAT = 5, 200
MIB = 1 << 20
MANIFEST = Path(__file__).resolve().parents[2] / "examples" / "storage.toml"


def _median_each(ops: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    out: dict[str, list[float]] = {name: [] for name in ops}
    for _ in range(ROUNDS):
        for name, op in ops.items():
            n = max(2, repeat // 20) if "1 MiB" in name else repeat
            start = time.perf_counter()
            for _ in range(n):
                op()
            out[name].append((time.perf_counter() - start) / n)
    return {name: statistics.median(times) for name, times in out.items()}


def client(ctx: Context) -> int:
    """The benchmark inside Pith: the operations through vfs; prints JSON."""
    from pith.lib.server import Client
    from pith.protocols import vfs as vp

    vfs = Client(ctx.caps["vfs"], vp.VfsReply)
    fd = vfs.call(vp.Open("/bench", vp.O_CREAT | vp.O_RDWR, 0o644)).fd
    for _ in range(0, MIB, 32768):
        vfs.call(vp.Write(fd, bytes(32768)))

    def read(size: int) -> None:
        vfs.call(vp.Seek(fd, 0, vp.SEEK_SET))
        got = 0
        while got < size:
            got += len(vfs.call(vp.Read(fd, min(size - got, vp.MAX_READ))).data)

    def write_sync() -> None:
        vfs.call(vp.Seek(fd, 0, vp.SEEK_SET))
        vfs.call(vp.Write(fd, b"w" * 4096))
        vfs.call(vp.Sync())

    def create_unlink() -> None:
        vfs.call(vp.Close(vfs.call(vp.Open("/new", vp.O_CREAT | vp.O_WRONLY, 0o644)).fd))
        vfs.call(vp.Unlink("/new"))

    ops = {"stat (cached)": lambda: vfs.call(vp.Stat("/bench")),
           "read 4 KiB": lambda: read(4096), "read 1 MiB": lambda: read(MIB),
           "write 4 KiB + fsync": write_sync, "create + unlink": create_unlink}
    print(json.dumps(_median_each(ops, int(ctx.args[0]) if ctx.args else REPEAT)))
    return 0


def _host(directory: str) -> dict[str, float]:
    path = os.path.join(directory, "bench")
    with open(path, "wb") as f:
        f.write(bytes(MIB))
    fd = os.open(path, os.O_RDWR)

    def read(size: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        got = 0
        while got < size:
            got += len(os.read(fd, size - got))

    def write_sync() -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, b"w" * 4096)
        os.fsync(fd)

    def create_unlink() -> None:
        os.close(os.open(os.path.join(directory, "new"), os.O_CREAT | os.O_WRONLY, 0o644))
        os.unlink(os.path.join(directory, "new"))

    ops = {"stat (cached)": lambda: os.stat(path), "read 4 KiB": lambda: read(4096),
           "read 1 MiB": lambda: read(MIB), "write 4 KiB + fsync": write_sync,
           "create + unlink": create_unlink}
    try:
        return _median_each(ops, REPEAT)
    finally:
        os.close(fd)


def _pith(directory: str, mode: str, repeat: int) -> dict[str, float]:
    from pith.tools import mkfs

    image = os.path.join(directory, f"{mode}.img")
    mkfs.main([image, "--size", "64M"])
    manifest = os.path.join(directory, f"{mode}.toml")
    text = MANIFEST.read_text()
    if mode == "collocated":
        text = text.replace('provides = [', 'mode = "collocated"\nprovides = [')
    Path(manifest).write_text(text)
    command = f"python -c {shlex.quote(_CLIENT)} {repeat}"
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", manifest, "--image", image,
            "--command", command]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=900)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


_CLIENT = ("import sys; from pith.tools.bench_fs import client; from pith.lib.start import "
           "Context; client(Context(CAPS, tuple(sys.argv[1:])))")


def measure(repeat: int = REPEAT) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as directory:
        return {"host": _host(directory), "isolated": _pith(directory, "isolated", repeat),
                "collocated": _pith(directory, "collocated", repeat)}


def main(json_path: Path | None = None) -> int:
    from rich.console import Console
    from rich.table import Table

    r = measure()
    table = Table(title=f"Pith file operations (medians of {ROUNDS} rounds), µs and × host")
    for column in ("operation", "host", "isolated", "collocated", "iso/colo"):
        table.add_column(column, justify="left" if column == "operation" else "right")
    for op, host in r["host"].items():
        iso, colo = r["isolated"][op], r["collocated"][op]
        table.add_row(op, f"{host * 1e6:,.1f}", f"{iso * 1e6:,.1f} ({iso / host:.0f}×)",
                      f"{colo * 1e6:,.1f} ({colo / host:.0f}×)", f"{iso / colo:.2f}")
    Console().print(table)
    if json_path is not None:
        json_path.write_text(json.dumps(r, indent=2) + "\n")
    return 0
