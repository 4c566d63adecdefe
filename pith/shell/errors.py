"""The shell's control-flow and error exceptions.

ShellSyntaxError and ExpansionError are reported by the runner (status 2); ExitShell,
BreakLoop, ContinueLoop and ReturnFunc carry control flow up to whoever handles it.
"""

from __future__ import annotations

__all__ = [
    "BreakLoop", "ContinueLoop", "ExitShell", "ExpansionError", "ReturnFunc", "ShellError",
    "ShellSyntaxError",
]


class ShellError(Exception):
    """An error the shell reports on stderr (status 2) — and, when not interactive, exits on."""

    status = 2
    reported = False  # already written to the stderr in effect where it happened


class ShellSyntaxError(ShellError):
    """The input is not a valid shell program."""


class ExpansionError(ShellError):
    """An expansion failed: `${x?msg}`, bad arithmetic, a bad substitution."""


class ExitShell(Exception):
    """`exit N`, or a fatal error: leave the shell with this status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class BreakLoop(Exception):
    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


class ContinueLoop(Exception):
    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


class ReturnFunc(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status
