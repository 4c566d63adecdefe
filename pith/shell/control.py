"""The builtins that change where the shell runs next: exit, return, break/continue
(raised as the exceptions in errors.py), eval, `.` (run a file's text) and exec.

Touches the shell's flow (loop depth, traps on exec) and runs source through the shell;
reads the file given to `.`. Entry points: the handlers below, registered into
builtins.BUILTINS as this is imported.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from pith.shell.builtins import _count, builtin
from pith.shell.errors import BreakLoop, ContinueLoop, ExitShell, ReturnFunc, ShellError

if TYPE_CHECKING:
    from pith.shell.run import Shell

__all__ = ["b_break", "b_eval", "b_exec", "b_exit", "b_return", "b_source"]


@builtin("exit")
def b_exit(sh: Shell, argv: list[str]) -> int:
    raise ExitShell(_count(sh, argv, sh.st.status) & 0xFF)


@builtin("return")
def b_return(sh: Shell, argv: list[str]) -> int:
    raise ReturnFunc(_count(sh, argv, sh.st.status))


@builtin("break", "continue")
def b_break(sh: Shell, argv: list[str]) -> int:
    n = _count(sh, argv, 1)
    if n < 1:
        raise ShellError(f"{argv[0]}: Illegal number: {argv[1]}")
    if sh.loop_depth == 0:
        return 0
    n = min(n, sh.loop_depth)
    raise BreakLoop(n) if argv[0] == "break" else ContinueLoop(n)


@builtin("eval")
def b_eval(sh: Shell, argv: list[str]) -> int:
    return sh.run_source(" ".join(argv[1:]))


@builtin(".")
def b_source(sh: Shell, argv: list[str]) -> int:
    if len(argv) < 2:
        sh.error(f"{argv[0]}: filename argument required")
        return 2
    name = argv[1]
    path = name
    if "/" not in name:
        for d in [*(sh.get_var("PATH") or "").split(":"), "."]:
            cand = os.path.join(d or ".", name)
            if os.path.isfile(cand):
                path = cand
                break
    try:
        text = _read_file(path)
    except OSError:
        raise ShellError(f"{argv[0]}: cannot open {name}: No such file") from None
    try:  # further operands are ignored, as in dash
        return sh.run_source(text)
    except ReturnFunc as r:
        return r.status


def _read_file(path: str) -> str:
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while data := os.read(fd, 65536):
            chunks.append(data)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", "surrogateescape")


@builtin("exec")
def b_exec(sh: Shell, argv: list[str]) -> int:
    if len(argv) == 1:
        return 0
    status = sh.jobs.foreground_program(argv[1:], [], [])
    sh.st.traps.pop("EXIT", None)  # the shell was replaced: it has no exit to trap
    raise ExitShell(status)
