"""Large reads and writes through the posix layer's shared buffer, on a booted Pith.

One boot (the microkernel: every server its own process) runs a program that reads and
writes a file at random offsets in random sizes (a few bytes to a few MiB) and checks
every byte, offset and end of file against a model; moves a pipe's bytes between two
threads (one holds the buffer, the other falls back to messages); gets EBADF as before;
goes on reading and writing one open file while mfs is killed from the host and comes
back; and spawns processes that each make a buffer, whose Memory objects (memfds of the
kernel process, mappings in vfs) all go when they die.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from tests.kernel.host.conftest import (
    Running,
    boot_argv,
    named,
    no_leaks,  # noqa: F401  (the leak check)
)

GUEST = r"""
import errno, os, random, sys, threading
rng = random.Random(11)

def waits(word):
    print(word, flush=True)
    sys.stdin.readline()

fd = os.open("/random.dat", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
model = bytearray()
for step in range(70):
    offset = rng.randrange(len(model) + 200_000)
    size = rng.choice([rng.randrange(1, 20_000), rng.randrange(20_000, 3_000_000)])
    os.lseek(fd, offset, os.SEEK_SET)
    if rng.random() < 0.5:
        data = rng.randbytes(size)
        assert os.write(fd, data) == size, step
        model[len(model):] = bytes(max(0, offset - len(model)))
        model[offset:offset + size] = data
        moved = size
    else:
        got = os.read(fd, size)
        assert got == model[offset:offset + size], (step, offset, size, len(got))
        moved = len(got)
    assert os.lseek(fd, 0, os.SEEK_CUR) == offset + moved, step
    assert os.pread(fd, size, offset) == model[offset:offset + size], step
here = os.lseek(fd, 0, os.SEEK_CUR)
assert os.read(fd, 1 << 20) == model[here:here + (1 << 20)]
os.lseek(fd, 0, os.SEEK_END)
assert os.read(fd, 2 << 20) == b""
assert os.fstat(fd).st_size == len(model)
os.close(fd)
with open("/random.dat", "rb") as f:
    assert f.read() == model
print("random", len(model), flush=True)

r, w = os.pipe()
data = rng.randbytes(700_000)
writer = threading.Thread(target=lambda: (os.write(w, data), os.close(w)))
writer.start()
got = bytearray()
while chunk := os.read(r, 1 << 20):
    got += chunk
writer.join()
os.close(r)
assert got == data
print("pipe", len(got), flush=True)

fd = os.open("/random.dat", os.O_RDONLY)
for call in (lambda: os.write(fd, b"x" * 100_000), lambda: os.read(12345, 100_000)):
    try:
        call()
        raise SystemExit("no EBADF")
    except OSError as e:
        assert e.errno == errno.EBADF, e
os.close(fd)

big = rng.randbytes(3 << 20)
with open("/across.dat", "wb") as f:
    f.write(big)
fd = os.open("/across.dat", os.O_RDWR)
assert os.read(fd, 1 << 20) == big[:1 << 20]
waits("kill mfs")
assert os.read(fd, 5 << 20) == big[1 << 20:]
more = rng.randbytes(2 << 20)
assert os.pwrite(fd, more, 100_000) == len(more)
big = big[:100_000] + more + big[100_000 + len(more):]
os.lseek(fd, 0, os.SEEK_SET)
assert os.read(fd, 4 << 20) == big
os.close(fd)
print("across", len(big), flush=True)

def children(n):
    code = "import os; assert len(os.read(os.open('/across.dat', 0), 4 << 20)) == 3 << 20"
    for _ in range(n):
        pid = os.posix_spawn(sys.executable, [sys.executable, "-c", code], dict(os.environ))
        assert os.waitpid(pid, 0)[1] == 0

children(1)
waits("counted")
children(5)
waits("counted again")
"""


def memfds() -> int:
    """The Memory objects alive: memfds held by the kernel process."""
    fds = Path(f"/proc/{named('pith:kernel')}/fd")
    links = []
    for fd in fds.iterdir():
        try:
            links.append(os.readlink(fd))
        except OSError:
            continue
    return sum("pith-memory-" in link for link in links)


def mapped_by_vfs() -> int:
    """The Memory objects vfs has mapped."""
    maps = Path(f"/proc/{named('pith:vfs')}/maps").read_text()
    return sum("pith-memory-" in line for line in maps.splitlines())


def test_large_reads_and_writes_across_an_mfs_restart_and_no_memory_left(
        tmp_path: Path) -> None:
    argv = boot_argv(GUEST, "microkernel", tmp_path / "disk.img")
    with Running(argv) as pith:
        assert pith.line(timeout=120).startswith(b"random ")
        assert pith.line(timeout=60) == b"pipe 700000\n"
        assert pith.line(timeout=60) == b"kill mfs\n"
        mfs, before = named("pith:mfs"), memfds()
        os.kill(mfs, signal.SIGKILL)
        pith.say()
        assert pith.line(timeout=60) == b"across 3145728\n"
        assert named("pith:mfs") != mfs
        assert memfds() == before, "the dead mfs's Memory objects were left"
        assert pith.line(timeout=60) == b"counted\n"
        alive, mapped = memfds(), mapped_by_vfs()
        pith.say()
        assert pith.line(timeout=60) == b"counted again\n"
        assert memfds() == alive, "Memory objects of processes that died were left"
        assert mapped_by_vfs() == mapped, "vfs kept the buffers of processes that died"
        pith.say()
        _, err = pith.finish()
    assert pith.kernel.returncode == 0, err
    assert b"service mfs died (status -9); restarting it" in err
