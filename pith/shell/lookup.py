"""The builtins about finding commands: command (run or describe a name, skipping
functions), type, and hash (accepted, and nothing done).

Reads the shell's aliases, functions, BUILTINS and $PATH; command runs a builtin or a program.
Entry points: the handlers below, registered into builtins.BUILTINS as this is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pith.shell.builtins import BUILTINS, builtin, out, quote
from pith.shell.spawn import Found, find_program

if TYPE_CHECKING:
    from pith.shell.run import Shell

__all__ = ["b_command", "b_noop", "b_type"]


@builtin("command")
def b_command(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    mode = ""
    while args and args[0].startswith("-") and args[0] != "-":
        if args[0] == "--":
            args = args[1:]
            break
        mode = args[0][1:]
        args = args[1:]
    if not args:
        return 0
    if "v" in mode or "V" in mode:
        return _type(sh, args[:1], verbose="V" in mode)  # dash looks at the first name only
    name = args[0]
    if name in BUILTINS:
        return BUILTINS[name](sh, args)
    return sh.jobs.foreground_program(args, [], [])


def _type(sh: Shell, names: list[str], verbose: bool) -> int:
    from pith.shell.parser import RESERVED
    from pith.shell.run import SPECIAL_BUILTINS

    status = 0
    for name in names:
        if name in sh.st.aliases:
            value = sh.st.aliases[name]
            out(f"{name} is an alias for {value}\n" if verbose
                else f"alias {name}={quote(value)}\n")
        elif name in sh.st.functions:
            out(f"{name} is a shell function\n" if verbose else f"{name}\n")
        elif name in RESERVED:
            out(f"{name} is a shell keyword\n" if verbose else f"{name}\n")
        elif name in BUILTINS or name in SPECIAL_BUILTINS:
            kind = "special shell builtin" if name in SPECIAL_BUILTINS else "shell builtin"
            out(f"{name} is a {kind}\n" if verbose else f"{name}\n")
        else:
            found = find_program(name, sh.get_var("PATH") or "")
            if isinstance(found, Found):
                out(f"{name} is {found.path}\n" if verbose else f"{found.path}\n")
            else:
                if verbose:
                    out(f"{name}: not found\n")
                status = 127
    return status


@builtin("type")
def b_type(sh: Shell, argv: list[str]) -> int:
    return _type(sh, argv[1:], verbose=True)


@builtin("hash")
def b_noop(sh: Shell, argv: list[str]) -> int:
    return 0
