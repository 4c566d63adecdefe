"""The shell's builtin commands (run in the shell's own process): the one table of them,
and what their families share.

Entry point: BUILTINS, a table from name to a function (shell, argv) -> status, filled by
the family modules imported at the end (aliases, conditions, textio, directories, control, lookup,
variables, jobcontrol; umask, ulimit and times come from limits.py). They register with
builtin(*names) and share out (write to fd 1 with os.write: fds may have been redirected
with dup2), quote and _count. This module touches nothing itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from pith.shell import limits
from pith.shell.errors import ShellError

if TYPE_CHECKING:
    from pith.shell.run import Shell

__all__ = ["BUILTINS", "Builtin", "builtin", "out", "quote"]

Builtin = Callable[["Shell", list[str]], int]
BUILTINS: dict[str, Builtin] = dict(limits.TABLE)


def builtin(*names: str) -> Callable[[Builtin], Builtin]:
    def register(fn: Builtin) -> Builtin:
        for n in names:
            BUILTINS[n] = fn
        return fn
    return register


def out(text: str) -> None:
    from pith.shell.run import write_fd

    write_fd(1, text)


def quote(value: str) -> str:
    """dash's quoting for output the shell can read back: runs of other characters in
    '...', runs of single quotes in "..." (and '' for the empty string)."""
    out = []
    for k, run in enumerate(re.findall(r"[^']+|'+", value)):
        if run[0] == "'":
            if k == 0:
                out.append("''")
            out.append(f'"{run}"')
        else:
            out.append(f"'{run}'")
    return "".join(out) or "''"


def _count(sh: Shell, argv: list[str], default: int) -> int:
    if len(argv) < 2:
        return default
    try:
        n = int(argv[1])
        if n < 0 or not argv[1].isdigit():
            raise ValueError
        return n
    except ValueError:
        raise ShellError(f"{argv[0]}: Illegal number: {argv[1]}") from None


# The families register into BUILTINS as they are imported, with builtin() and out() from
# above: so they come last.
from pith.shell import (  # noqa: E402, F401
    aliases,
    conditions,
    control,
    directories,
    jobcontrol,
    lookup,
    textio,
    variables,
)
