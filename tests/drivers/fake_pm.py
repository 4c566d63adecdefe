"""A stand-in pm for tty's booted tests (rs starts it from this file, so it imports only
Pith and the standard library): it reports Kill requests on stderr, and runs the command
when rs asks it to run init."""

from __future__ import annotations

import sys
import threading
import traceback

from pith.lib.server import DEFER, Caller, Server
from pith.lib.syscall import with_gate
from pith.protocols import pm as pmp


class FakePm(Server):
    """Says on stderr which Kill it was asked. With a pm in the manifest rs asks pm to run
    init: this one runs the command's code (argv: init python -c CODE ARG) on a thread."""

    requests = pmp.Kill | pmp.RunInit
    endpoint = "pm"

    def do_kill(self, request: pmp.Kill, caller: Caller) -> pmp.Done:
        print(f"pm: {request!r}", file=sys.stderr, flush=True)
        return pmp.Done()

    def do_run_init(self, request: pmp.RunInit, caller: Caller) -> pmp.Waited:
        def run() -> None:
            sys.argv, status = ["-c", *request.argv[4:]], 0
            try:
                exec(request.argv[3], {"CAPS": self.caps})
            except BaseException:
                traceback.print_exc()
                status = 1
            self.answer(caller, pmp.Waited(1, status << 8))

        threading.Thread(target=with_gate(self.gate_of().thread_create(), run),
                         daemon=True).start()
        return DEFER
