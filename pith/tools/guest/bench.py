"""The guest half of `pith bench`: an ordinary Python program that runs inside Pith (and,
for the baseline, on the host) and times what a user program sees, through the posix layer:
os.stat, os.open/os.read/os.write/os.fsync/os.close, os.getpid, posix_spawn, pipes, TCP over
the loopback (a 64-byte echo, and throughput), a shell line. Prints one JSON object: for
each operation, seconds per operation (the mean of its repetitions in this round), and
`macro_output`, what the macro workload printed (so the caller can check every system
computed the same).

Usage: bench.py pith|host WORKDIR TRUE_PY TARBALL [REPEAT]
       bench.py untar TARBALL DIR     (the macro workload's unpacker: Pith has no tar)
       bench.py writer BYTES          (the pipe benchmark's other end: BYTES to stdout)

The one measurement that is not a posix call is the null IPC: inside Pith, a call with
the framework's `Ping` to vfs, answered at once (the cheapest round trip a program can make
through the kernel); on the host, a SOCK_SEQPACKET round trip to an echoing child process.
`getpid` is answered from the process's own memory in Pith (pm gives the pid at spawn);
`getppid` asks pm, so it is the call that crosses the kernel.
"""

from __future__ import annotations

import json
import os
import sys
import tarfile
import time
from collections.abc import Callable

MIB = 1 << 20
CHUNK = 64 * 1024


def per_op(run: Callable[[], object], times: int) -> float:
    """Seconds per call of `run`, over `times` calls (after one call not counted)."""
    run()
    start = time.perf_counter()
    for _ in range(times):
        run()
    return (time.perf_counter() - start) / times


def null_ipc(where: str) -> Callable[[], object]:
    """One null round trip: to vfs through the kernel (Pith), or to a child (host)."""
    if where == "pith":
        import msgspec

        from pith.lib.posix.services import services
        from pith.lib.server import Ping
        from pith.lib.syscall import gate

        g, slot, msg = gate(), services().caps["vfs"], msgspec.msgpack.encode(Ping())
        return lambda: g.call(slot, msg)
    import atexit
    import socket

    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:  # the echo process
        ours.close()
        while message := theirs.recv(65536):
            theirs.send(message)
        os._exit(0)
    theirs.close()

    def done() -> None:
        ours.close()
        os.waitpid(pid, 0)

    atexit.register(done)
    return lambda: (ours.send(b"q" * 32), ours.recv(65536))


def read_at_start(fd: int, size: int) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    got = 0
    while got < size:
        chunk = os.read(fd, size - got)
        if not chunk:
            raise EOFError("the benchmark file is short")
        got += len(chunk)


def spawn_and_wait(argv: list[str], actions: list[tuple[int, ...]] | None = None) -> int:
    pid = os.posix_spawn(argv[0], argv, dict(os.environ), file_actions=actions or ())
    return os.waitpid(pid, 0)[1]


def pipe_seconds_per_mib(guest: str, size: int) -> float:
    """Seconds per MiB from a child writing `size` bytes into a pipe to this process reading
    them, from the first chunk read to the end of file (so the spawn is not counted)."""
    r, w = os.pipe()
    actions = [(os.POSIX_SPAWN_DUP2, w, 1), (os.POSIX_SPAWN_CLOSE, r)]
    pid = os.posix_spawn(sys.executable, [sys.executable, guest, "writer", str(size)],
                         dict(os.environ), file_actions=actions)
    os.close(w)
    got = len(os.read(r, CHUNK))
    start, first = time.perf_counter(), got
    while chunk := os.read(r, CHUNK):
        got += len(chunk)
    took = time.perf_counter() - start
    os.close(r)
    status = os.waitpid(pid, 0)[1]
    if got != size or status != 0:
        raise RuntimeError(f"pipe: {got} of {size} bytes, writer status {status}")
    return took / ((got - first) / MIB)


def tcp_loopback() -> tuple[object, Callable[[], None]]:
    """A connected TCP client on 127.0.0.1 whose server (a thread) echoes what it gets;
    and the call that ends both."""
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(server.getsockname())
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn, _ = server.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def echo() -> None:
        while data := conn.recv(CHUNK):
            conn.sendall(data)
        conn.close()
    thread = threading.Thread(target=echo, daemon=True)
    thread.start()

    def end() -> None:
        client.close()
        thread.join()
        server.close()
    return client, end


def tcp_echo_seconds(times: int) -> float:
    """Seconds per 64-byte request and its echo over loopback TCP (TCP_NODELAY)."""
    client, end = tcp_loopback()
    request = b"e" * 64

    def one() -> None:
        client.sendall(request)  # type: ignore[attr-defined]
        got = 0
        while got < len(request):
            got += len(client.recv(64))  # type: ignore[attr-defined]
    try:
        return per_op(one, times)
    finally:
        end()


def tcp_seconds_per_mib(size: int) -> float:
    """Seconds per MiB sent to the echo and read back (so each byte crosses TCP twice)."""
    client, end = tcp_loopback()
    block = b"t" * CHUNK
    start = time.perf_counter()
    sent = got = 0
    while got < size:
        if sent < size and sent - got < 4 * CHUNK:
            client.sendall(block)  # type: ignore[attr-defined]
            sent += CHUNK
        got += len(client.recv(CHUNK))  # type: ignore[attr-defined]
    took = time.perf_counter() - start
    end()
    return took / (size / MIB)


def writer(size: int) -> int:
    block = b"p" * CHUNK
    while size > 0:
        size -= os.write(1, block[:size])
    return 0


def untar(tarball: str, directory: str) -> int:
    with tarfile.open(tarball) as tar:
        tar.extractall(directory, filter="data")
    return 0


def macro_line(where: str, guest: str, tarball: str, directory: str, out: str) -> str:
    """Unpack the tarball, grep its files, sort and count; remove it all again."""
    python = "python" if where == "pith" else sys.executable
    return (f"{python} {guest} untar {tarball} {directory}"
            f" && grep -rhwE 'quick|lazy|fox' {directory} | sort | uniq -c | wc -l > {out}"
            f" && grep -rl dog {directory} | sort | wc -l >> {out}"
            f" && cat {directory}/*/* | wc -l >> {out} && rm -r {directory}")


def measure(where: str, work: str, true_py: str, tarball: str, repeat: int) -> dict[str, object]:
    guest = os.path.abspath(sys.argv[0])
    data, new = os.path.join(work, "bench.dat"), os.path.join(work, "bench.new")
    with open(data, "wb") as f:
        f.write(b"d" * MIB)
    fd = os.open(data, os.O_RDWR)
    block = b"w" * 4096

    def write_fsync() -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, block)
        os.fsync(fd)

    def create_unlink() -> None:
        os.close(os.open(new, os.O_CREAT | os.O_WRONLY, 0o644))
        os.unlink(new)

    sh = [sys.executable, "/bin/sh.py"] if where == "pith" else ["/bin/sh"]
    unpacked, out = os.path.join(work, "macro"), os.path.join(work, "macro.out")
    macro = [*sh, "-c", macro_line(where, guest, tarball, unpacked, out)]

    def run_macro() -> None:
        if spawn_and_wait(macro) != 0:
            raise RuntimeError("the macro workload failed")

    few = max(1, repeat // 20)
    result: dict[str, object] = {
        "null_ipc": per_op(null_ipc(where), 10 * repeat),
        "getpid": per_op(os.getpid, 50 * repeat),
        "getppid": per_op(os.getppid, repeat),
        "stat": per_op(lambda: os.stat(data), repeat),
        "read_4k": per_op(lambda: read_at_start(fd, 4096), repeat),
        "read_1m": per_op(lambda: read_at_start(fd, MIB), few),
        "write_fsync": per_op(write_fsync, max(1, repeat // 4)),
        "create_unlink": per_op(create_unlink, max(1, repeat // 2)),
        "spawn": per_op(lambda: spawn_and_wait([sys.executable, true_py]), few),
        "pipe": pipe_seconds_per_mib(guest, max(256 * 1024, repeat * 20 * 1024)),
        "tcp_echo": tcp_echo_seconds(repeat),
        "tcp_mib": tcp_seconds_per_mib(max(CHUNK * 4, repeat * 5 * 1024)),
    }
    start = time.perf_counter()
    run_macro()
    result["macro"] = time.perf_counter() - start
    os.close(fd)
    os.unlink(data)
    with open(out) as printed:
        result["macro_output"] = printed.read().split()
    os.unlink(out)
    return result


def main(argv: list[str]) -> int:
    if argv[:1] == ["untar"] and len(argv) == 3:
        return untar(argv[1], argv[2])
    if argv[:1] == ["writer"] and len(argv) == 2:
        return writer(int(argv[1]))
    if len(argv) not in (4, 5) or argv[0] not in ("pith", "host"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    where, work, true_py, tarball = argv[:4]
    repeat = int(argv[4]) if len(argv) > 4 else 200
    print(json.dumps(measure(where, work, true_py, tarball, repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
