"""process_signal on a booted kernel: a real host signal, so the process's own handlers run."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.kernel.host.conftest import ROOT

CHILD = textwrap.dedent("""
    import signal, sys, threading
    from pith.lib.syscall import gate
    seen = threading.Event()
    signal.signal(signal.SIGUSR1, lambda signo, frame: seen.set())
    default_sigint = signal.getsignal(signal.SIGINT) is signal.default_int_handler
    gate().send(CAPS["ep"], b"ready")
    seen.wait(30)
    sys.exit(40 + seen.is_set() + 2 * default_sigint)
""")

ROOT_PROGRAM = textwrap.dedent("""
    import signal
    from pith.kernel.core.errors import InvalidArgument, ProcessDead
    from pith.lib.start import caps_arg
    from pith.lib.syscall import gate
    g = gate()
    ep, dead = g.endpoint_create(), g.notification_create()

    def start(code):
        child = g.process_create(CAPS["spawn"], "child", "pith.programs.python:main",
                                 (caps_arg({"ep": 0}), "-c", code), (ep,))
        g.process_watch(child.slot, dead)
        assert g.recv(ep, timeout=30).msg == b"ready"
        return child.slot

    child = start(CHILD_CODE)
    for bad in (0, 9, 19, 65):
        try:
            g.process_signal(child, bad)
        except InvalidArgument:
            pass
    g.process_signal(child, signal.SIGUSR1)
    g.wait(dead, timeout=30)
    print("status", g.process_status(child).status)
    try:
        g.process_signal(child, signal.SIGUSR1)
    except ProcessDead:
        print("dead")
    child = start("from pith.lib.syscall import gate; gate().send(CAPS['ep'], b'ready'); "
                  "import threading; threading.Event().wait(30)")
    g.process_signal(child, signal.SIGTERM)
    g.wait(dead, timeout=30)
    print("status", g.process_status(child).status)
""").replace("CHILD_CODE", repr(CHILD))


def test_a_signal_runs_the_processes_handler_and_a_default_one_kills_it() -> None:
    code = ("import sys; from pith.kernel.host import boot; "
            f"sys.exit(boot('pith.programs.python:main', ('-c', {ROOT_PROGRAM!r})))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1:] == ["dead", "status -15"]
    # 41: the handler ran; 43: and SIGINT has Python's handler (KeyboardInterrupt)
    assert lines[0] in ("status 41", "status 43")
    print(lines[0])
