"""A stand-in for the posix runtime in pm's tests: a process that acts out its argv.

    exit N      exit with status N
    sleep       block until killed
    py CODE     run CODE with helpers: pm, vfs (clients), spec, out(*words) (prints
                "pid: words" to the host's stdout), spawn(*words, pgroup=None, path=...),
                sigchld (SIGCHLD count); exit with the value of `status` (default 0)

As init (argv "init", "-c", LINE), it acts out the words of LINE.
"""

from __future__ import annotations

import shlex
import signal
import threading
from typing import Any

import msgspec

from pith.lib.server import Client, ServiceError
from pith.lib.start import Context
from pith.protocols import pm as pp
from pith.protocols import vfs as vp


def main(ctx: Context) -> int:
    spec = msgspec.json.decode(ctx.args[0], type=pp.SpawnSpec)
    words = spec.argv[1:]
    if words[:1] == ["-c"]:
        words = shlex.split(words[1])
    if words[0] == "exit":
        return int(words[1])
    if words[0] == "sleep":
        threading.Event().wait()
    pm = Client(ctx.caps["pm"], pp.PmReply)
    sigchld: list[int] = []
    signal.signal(signal.SIGCHLD, lambda signo, frame: sigchld.append(signo))

    def out(*said: object) -> None:
        print(f"{spec.pid}:", *said, flush=True)

    def spawn(*argv: str, pgroup: int | None = None, path: str = spec.path) -> int:
        return int(pm.call(pp.Spawn(path, ["t", *argv], {}, pgroup=pgroup)).pid)

    namespace: dict[str, Any] = {
        "pm": pm, "vfs": Client(ctx.caps["vfs"], vp.VfsReply), "spec": spec, "out": out,
        "spawn": spawn, "sigchld": sigchld, "pp": pp, "vp": vp, "ServiceError": ServiceError,
        "CAPS": ctx.caps,
    }
    exec(words[1], namespace)
    return int(namespace.get("status", 0))
