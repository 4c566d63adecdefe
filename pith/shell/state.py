"""The shell's state: variables, functions, positional parameters, options — and how a
child shell inherits it.

There is no fork: a subshell, a pipeline stage that is a builtin or compound command, a
background compound and `$(...)` run in a new shell process, which gets this whole state
(plus the command to run) in the environment variable PITH_SH_STATE (pickled, compressed,
base64) — see encode/decode. `$$` stays the parent's.
"""

from __future__ import annotations

import base64
import contextlib
import os
import pickle
import zlib
from dataclasses import dataclass, field

from pith.shell.nodes import Command, Script

__all__ = ["STATE_VAR", "State", "decode", "encode"]

STATE_VAR = "PITH_SH_STATE"


@dataclass
class State:
    vars: dict[str, str] = field(default_factory=dict)
    exported: set[str] = field(default_factory=set)
    readonly: set[str] = field(default_factory=set)
    functions: dict[str, Command] = field(default_factory=dict)
    positional: list[str] = field(default_factory=list)
    arg0: str = "sh"
    options: set[str] = field(default_factory=set)  # letters (e x u ...): see options.py
    status: int = 0
    pid: int = field(default_factory=lambda: os.getpid())  # (looked up late: Pith patches os)
    last_bg: int | None = None
    traps: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    local_stack: list[dict[str, str | None]] = field(default_factory=list)
    optind: int = 1  # getopts' place: the next argument's index (from 1) ...
    optoff: int = -1  # ... and, inside the previous one, the next letter's (or -1)
    errexit_ignored: bool = False  # started where set -e does not apply (`(...) && x`)

    @classmethod
    def from_environ(cls, env: dict[str, str]) -> State:
        st = cls(vars=dict(env), exported=set(env))
        st.vars.setdefault("IFS", " \t\n")
        st.vars.setdefault("PS1", "$ ")
        st.vars.setdefault("PS2", "> ")
        st.vars.setdefault("PS4", "+ ")
        st.vars.setdefault("OPTIND", "1")
        with contextlib.suppress(AttributeError, OSError):
            st.vars["PPID"] = str(os.getppid())
        try:
            st.vars["PWD"] = os.getcwd()
            st.exported.add("PWD")
        except OSError:
            pass
        return st

    def environ(self) -> dict[str, str]:
        """The environment a program started now gets."""
        return {k: self.vars[k] for k in self.exported if k in self.vars}


def encode(state: State, node: Command | Script) -> str:
    return base64.b64encode(zlib.compress(pickle.dumps((state, node)))).decode("ascii")


def decode(text: str) -> tuple[State, Command | Script]:
    state, node = pickle.loads(zlib.decompress(base64.b64decode(text)))
    return state, node
