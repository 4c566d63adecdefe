"""Process start-up: what runs first in a new Pith process (and for a collocated one).

A program is named "package.module:attribute" or "/path/to/file.py:attribute"
(a file outside Pith's package, made readable to that process alone). The attribute is either a
`Server` subclass (the framework serves its endpoint) or a function
`main(ctx: Context) -> int | None`. The first argument a spawner passes is
the caps table, "name=slot,name=slot" (as the kernel's boot does for the
root: "spawn=0,sched=1,trace=2,…"); the rest are the program's arguments.
"""

from __future__ import annotations

import importlib
import importlib.util
import socket
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pith.lib.server import Runner, Server, serve
from pith.lib.syscall import Gate, SocketGate, gate, set_gate

__all__ = ["Context", "caps_arg", "collocate", "load", "main"]


@dataclass(frozen=True)
class Context:
    """What a program is given: its caps by name and its arguments."""

    caps: dict[str, int]
    args: tuple[str, ...]

    @property
    def gate(self) -> Gate:
        return gate()


def caps_arg(caps: dict[str, int]) -> str:
    """The caps table as the first argument of a new process."""
    return ",".join(f"{name}={slot}" for name, slot in caps.items())


def _parse(args: tuple[str, ...]) -> Context:
    table = args[0] if args else ""
    caps = {k: int(v) for k, v in (item.split("=", 1) for item in table.split(",") if item)}
    return Context(caps, tuple(args[1:]))


def load(program: str, afresh: bool = False) -> Any:
    """The object a program name names: "package.module:attr" or "/path/file.py:attr".
    `afresh` (a live update): the servers' and drivers' modules the zygote imported ahead
    are dropped first, so the code is read again from disk."""
    module, _, attribute = program.rpartition(":") if ":" in program else (program, "", "")
    if afresh:
        for name in [n for n in sys.modules if n == module or n.startswith(_SERVER_CODE)]:
            del sys.modules[name]
    if module.endswith(".py"):
        name = Path(module).stem
        code = sys.modules.get(name)
        if code is None or getattr(code, "__file__", None) != module:
            spec = importlib.util.spec_from_file_location(name, module)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot load {module}")
            code = sys.modules[name] = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(code)
        return getattr(code, attribute or "main")
    return getattr(importlib.import_module(module), attribute or "main")


_SERVER_CODE = ("pith.servers.", "pith.drivers.")  # user-space servers, not the library


def main(gate_fd: int, program: str, args: tuple[str, ...]) -> int:
    """Run `program` in this (new, sandboxed) process; its exit status."""
    set_gate(SocketGate(socket.socket(fileno=gate_fd)))
    ctx = _parse(args)
    try:
        target = load(program, afresh="start=update" in args[-1:])
        if isinstance(target, type) and issubclass(target, Server):
            serve(target(ctx.caps, ctx.args), ctx.caps[target.endpoint])
            return 0
        status = target(ctx)
        return int(status or 0)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except ConnectionError:
        return 0  # the kernel closed the gate: this process is being stopped
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        sys.stdout.flush()


def collocate(program: str, args: tuple[str, ...], local: Gate) -> Runner:
    """A runner for server `program` inside the kernel process, on gate `local`."""
    ctx = _parse(args)
    target = load(program)
    if not (isinstance(target, type) and issubclass(target, Server)):
        raise TypeError(f"only servers run collocated, and {program} is not one")
    return Runner(target(ctx.caps, ctx.args, lambda: local), ctx.caps[target.endpoint])
