"""The shell's options (`set -e`, `set -o errexit`, `sh -x`): dash's table of them, how
their letters and -o names are parsed, `$-`, and the `set -o` / `set +o` listings.

An option is on when its letter (or, for the two without one, its name) is in the
shell's State.options set. Touches only the set it is given. Entry points: parse(),
flags(), listing().
"""

from __future__ import annotations

from collections.abc import Callable

from pith.shell.errors import ShellError

__all__ = ["NAMES", "flags", "listing", "parse"]

# dash's order (its optnames / optletters): `set -o` lists in it, `$-` in its reverse
TABLE: list[tuple[str, str]] = [
    ("errexit", "e"), ("noglob", "f"), ("ignoreeof", "I"), ("interactive", "i"),
    ("monitor", "m"), ("noexec", "n"), ("stdin", "s"), ("xtrace", "x"), ("verbose", "v"),
    ("vi", "V"), ("emacs", "E"), ("noclobber", "C"), ("allexport", "a"), ("notify", "b"),
    ("nounset", "u"), ("privileged", "p"), ("nolog", "nolog"), ("debug", "debug"),
]
NAMES = dict(TABLE)
LETTERS = {key for _, key in TABLE if len(key) == 1}
EXCLUSIVE = {"V": "E", "E": "V"}


def _turn(options: set[str], key: str, on: bool) -> None:
    if on:
        options.add(key)
        options.discard(EXCLUSIVE.get(key, ""))
    else:
        options.discard(key)


def flags(options: set[str]) -> str:
    """`$-`: the letters of the options that are on, in dash's order."""
    return "".join(key for _, key in reversed(TABLE) if len(key) == 1 and key in options)


def listing(options: set[str], on: bool) -> str:
    """`set -o` (on) or `set +o` (not on), as dash prints them."""
    if on:
        return "Current option settings\n" + "".join(
            f"{name:<16}{'on' if key in options else 'off'}\n" for name, key in TABLE)
    return "".join(f"set {'-o' if key in options else '+o'} {name}\n" for name, key in TABLE)


def parse(args: list[str], options: set[str], out: Callable[[str], None],
          cmdline: str = "") -> tuple[list[str], str, set[str]]:
    """Take the option arguments off the front of args, turning options on or off as dash's
    options() does: "-" or "--" ends them (for `set`, "-" also turns off -x and -v), a lone
    "+" is skipped, -o NAME / +o NAME by name (without NAME: the listing, to out). cmdline
    holds the letters only `sh` takes (such as "cl"); those seen come back in the set.
    Returns (the arguments left, the "-" or "--" that ended the options or "", the cmdline
    letters seen). Raises ShellError for an unknown letter or name."""
    seen: set[str] = set()
    ended = ""
    while args and args[0][:1] in ("-", "+"):
        arg = args.pop(0)
        on = arg[0] == "-"
        if on and arg in ("-", "--"):
            if not cmdline and arg == "-":
                options -= {"x", "v"}
            ended = arg
            break
        for c in arg[1:]:
            if c == "o":
                if not args:
                    out(listing(options, on))
                    continue
                name = args.pop(0)
                if name not in NAMES:
                    raise ShellError(f"Illegal option {arg[0]}o {name}")
                _turn(options, NAMES[name], on)
            elif c in cmdline:
                seen.add(c)
            elif c in LETTERS:
                _turn(options, c, on)
            else:
                raise ShellError(f"Illegal option {arg[0]}{c}")
    return args, ended, seen
