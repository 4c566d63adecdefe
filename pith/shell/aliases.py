"""The builtins alias and unalias: the shell's table of aliases (State.aliases), which the
parser expands (parser.py: Parser.expand_alias).

`alias` lists in dash's order: dash keeps aliases in a 39-bucket hash table, each bucket in
the order of definition, and lists bucket by bucket. Entry points: the handlers below,
registered into builtins.BUILTINS as this is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pith.shell.builtins import builtin, out, quote

if TYPE_CHECKING:
    from pith.shell.run import Shell

__all__ = ["b_alias", "b_unalias", "listing_order"]

BUCKETS = 39  # dash's ATABSIZE


def _bucket(name: str) -> int:
    data = name.encode("utf-8", "surrogateescape")
    h = data[0] << 4 if data else 0
    return (h + sum(data)) % BUCKETS


def listing_order(aliases: dict[str, str]) -> list[str]:
    """The names as dash lists them (a dict keeps the order of definition)."""
    return sorted(aliases, key=_bucket)  # (sorted is stable: definition order per bucket)


def _show(name: str, value: str) -> None:
    out(f"{name}={quote(value)}\n")


@builtin("alias")
def b_alias(sh: Shell, argv: list[str]) -> int:
    table = sh.st.aliases
    if len(argv) == 1:
        for name in listing_order(table):
            _show(name, table[name])
        return 0
    status = 0
    for arg in argv[1:]:
        name, eq, value = arg.partition("=")
        if eq and name:
            table[name] = value
        elif arg in table:
            _show(arg, table[arg])
        else:
            sh.error_raw(f"alias: {arg} not found\n")
            status = 1
    return status


@builtin("unalias")
def b_unalias(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    if args[:1] == ["-a"]:
        sh.st.aliases.clear()
        return 0
    if args[:1] == ["--"]:
        args = args[1:]
    status = 0
    for name in args:
        if sh.st.aliases.pop(name, None) is None:
            sh.error_raw(f"unalias: {name} not found\n")
            status = 1
    return status
