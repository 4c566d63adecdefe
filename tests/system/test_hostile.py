"""Hostile programs inside Pith: each attack gets a clear error and the system goes on.

A user process of the default system (every server isolated) attacks through its own
capabilities, as any program run from the shell could: it asks servers to stop, makes
replies bigger than a message (a getcwd, a process table, an offset), leaves a thousand
zombies, stops its shell or itself, abandons a wait, fills vfs's pipes. Each attack must
fail with an exception (the script prints "<attack>: blocked <error>"), no service may
restart, and the next shell command must work. (The sandbox's own attacks are in
tests/kernel/host/test_attacks.py.)
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from pith.tools.mkfs import BIN, make_image
from tests.kernel.host.conftest import no_leaks  # noqa: F401  (the leak check)

ROOT = Path(__file__).resolve().parents[2]

PRELUDE = """
import os, signal, sys, time
def attack(name, fn):
    try:
        print(f"{name}: ALLOWED {fn()!r}"[:200], flush=True)
    except Exception as e:
        print(f"{name}: blocked {type(e).__name__}: {e}"[:200], flush=True)
"""

# Requests to the process's own caps that would end a server, or overflow a reply.
SERVERS = PRELUDE + """
import msgspec
from pith.lib.posix.services import services, pm
from pith.lib.server import Client, Failure, Prepare, Stop
from pith.lib.syscall import gate
from pith.protocols import pm as pp

def ask(slot, request):
    reply = msgspec.msgpack.decode(gate().call(slot, msgspec.msgpack.encode(request)).msg)
    if reply.get("type") == "Failure":
        raise OSError(reply["error"])
    return reply
for name, slot in sorted(services().caps.items()):
    attack(f"Stop {name}", lambda: ask(slot, Stop()))
    attack(f"Prepare {name}", lambda: ask(slot, Prepare()))

def deep_cwd():
    os.chdir("/tmp")
    for _ in range(300):  # 75 KB of path: more than one message
        os.mkdir("d" * 250)
        os.chdir("d" * 250)
    return os.getcwd()
attack("getcwd of a deep tree", deep_cwd)
os.chdir("/")

def seek_past_off_t():  # the offset would grow past what a reply can carry
    fd = os.open("/bin/ls.py", os.O_RDONLY)
    for _ in range(3):
        os.lseek(fd, 2**63 - 1, os.SEEK_CUR)
attack("lseek past off_t", seek_past_off_t)

for _ in range(3):  # three 30 KB argvs: a process table over one message, shortened
    os.posix_spawn("/bin/true.py", ["true", "x" * 30000], {})
rows = pm(pp.Processes()).rows
print("table rows:", len(rows), "longest argv:", max(len(" ".join(r.argv)) for r in rows))

def stop_the_shell():
    os.kill(os.getppid(), signal.SIGTSTP)
attack("SIGTSTP to the shell", stop_the_shell)

def abandoned_wait():  # a wait cut short by a signal; the child exits after it
    child = os.posix_spawn("/bin/sleep.py", ["sleep", "0.5"], {})
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("alarm")))
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    try:
        os.waitpid(child, 0)
    finally:
        os.getcwd()  # (the next call renews the interrupted gate)
attack("abandoned wait", abandoned_wait)

def stopped_child():  # a child stops itself (no job control sees it); SIGTERM still ends it
    code = "import os, signal; open('/tmp/stopping', 'w').close(); os.kill(os.getpid(), 19)"
    child = os.posix_spawn(sys.executable, [sys.executable, "-c", code], {})
    deadline = time.monotonic() + 30
    while not os.path.exists("/tmp/stopping"):
        assert time.monotonic() < deadline, "the child did not start"
    os.kill(child, signal.SIGTERM)
    return os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
attack("SIGTERM to a child stopped by itself", stopped_child)

def zombies():  # children nobody waits for, until pm says no
    for n in range(1100):
        os.posix_spawn("/bin/true.py", ["true"], {})
attack("1,100 zombies", zombies)
reaped = 0
try:
    while True:
        os.wait()
        reaped += 1
except ChildProcessError:
    pass
print("reaped:", reaped)
"""

# Processes filling pipes nobody reads: vfs's pipe memory is bounded.
PIPES = PRELUDE + """
if sys.argv[1:] == ["child"]:
    def fill():
        while True:
            r, w = os.pipe()
            os.write(w, b"x" * 65536)
    attack("fill pipes", fill)
    open(f"/tmp/full.{os.getpid()}", "w").close()
    os.read(0, 1)  # (wait for the parent to close the pipe: EOF)
    sys.exit(0)
r, w = os.pipe()
kids = [os.posix_spawn("/evil/pipes.py", ["pipes.py", "child"], dict(os.environ),
                       file_actions=[(os.POSIX_SPAWN_DUP2, r, 0)]) for _ in range(10)]
deadline = time.monotonic() + 60
while len([n for n in os.listdir("/tmp") if n.startswith("full.")]) < len(kids):
    assert time.monotonic() < deadline, "the children did not fill their pipes"
    os.stat("/")  # (a bounded poll of the event: every child has its error)
attack("vfs while the pipes are full", lambda: os.listdir("/evil"))
os.close(w)
print("children:", sorted(os.waitstatus_to_exitcode(os.waitpid(k, 0)[1]) for k in kids))
"""

# The services a boot without --net runs: every server of the manifest but the optional.
SERVICES = [name for name, server in tomllib.loads(
    (ROOT / "pith" / "manifests" / "microkernel.toml").read_text())["servers"].items()
    if not server.get("optional")]
AFTER = "; echo status=$?; ls /bin | wc -l; echo hi | cat; service list"


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    (tmp / "src" / "evil").mkdir(parents=True)
    (tmp / "src" / "evil" / "servers.py").write_text(SERVERS)
    (tmp / "src" / "evil" / "pipes.py").write_text(PIPES)
    path = tmp / "disk.img"
    make_image(path, 64 << 20, tmp / "src").dev.close()  # type: ignore[attr-defined]
    return path


def boot(image: Path, line: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "pith", "boot", "--image", str(image), "--command", line]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def outcomes(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)


def assert_system_unharmed(done: subprocess.CompletedProcess[str]) -> None:
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stderr
    commands = str(len([f for f in BIN.glob("*.py") if f.name != "__init__.py"]) + 1)  # (+ sh)
    assert "status=0" in lines and commands in lines and "hi" in lines, done.stdout
    services = [line.split() for line in lines[lines.index("hi") + 2:]]
    assert len(services) == len(SERVICES), services
    assert all(s[3:5] == ["running", "0"] for s in services), services
    assert "died" not in done.stderr, done.stderr


def test_requests_that_would_end_a_server_are_refused(image: Path) -> None:
    done = boot(image, "python /evil/servers.py" + AFTER)
    said = outcomes(done)
    for name in ("vfs", "pm", "tty", "rs"):
        assert said[f"Stop {name}"] == "blocked OSError: EPERM", said
        assert said[f"Prepare {name}"] == "blocked OSError: EPERM", said
    assert said["getcwd of a deep tree"].startswith("blocked OSError: [Errno 36]"), said
    assert said["lseek past off_t"].startswith("blocked OSError: [Errno 22]"), said
    rows, longest = said["table rows"].split(" longest argv: ")
    assert int(rows) == 6 and int(longest) < 30000, said  # (init, sh, python, 3 x true)
    assert said["SIGTSTP to the shell"].startswith("blocked OSError: [Errno 22]"), said
    assert said["abandoned wait"] == "blocked TimeoutError: alarm", said
    assert said["SIGTERM to a child stopped by itself"] == "ALLOWED -15", said
    assert said["1,100 zombies"].startswith("blocked BlockingIOError: [Errno 11]"), said
    assert int(said["reaped"]) >= 250, said  # the abandoned wait's child among them
    assert_system_unharmed(done)


def test_filling_pipes_nobody_reads_is_enomem_not_the_end_of_vfs(image: Path) -> None:
    done = boot(image, "python /evil/pipes.py" + AFTER)
    said = outcomes(done)
    assert said["fill pipes"].startswith("blocked"), said
    assert "[Errno 12]" in done.stdout, done.stdout  # some child met vfs's pipe limit
    assert said["vfs while the pipes are full"] == "ALLOWED ['pipes.py', 'servers.py']", said
    assert said["children"] == "[0, 0, 0, 0, 0, 0, 0, 0, 0, 0]", said
    assert_system_unharmed(done)
