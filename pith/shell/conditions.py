"""The builtins that only give a status: `:`, true, false, and test / `[` (whose
expression evaluator is testcmd.py).

Touches nothing of the shell's state; test reads the file system (stat) through testcmd.
Entry points: the handlers below, registered into builtins.BUILTINS as this is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pith.shell.builtins import builtin
from pith.shell.testcmd import TestError, run_test

if TYPE_CHECKING:
    from pith.shell.run import Shell

__all__ = ["b_false", "b_test", "b_true"]


@builtin(":", "true")
def b_true(sh: Shell, argv: list[str]) -> int:
    return 0


@builtin("false")
def b_false(sh: Shell, argv: list[str]) -> int:
    return 1


@builtin("test", "[")
def b_test(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    if argv[0] == "[":
        if not args or args[-1] != "]":
            sh.error("[: missing ]")
            return 2
        args = args[:-1]
    try:
        return run_test(args)
    except TestError as e:
        sh.error(f"{argv[0]}: {e}")
        return 2
