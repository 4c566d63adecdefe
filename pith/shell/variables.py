"""The builtins about the shell's parameters: export, readonly, local, unset, shift,
set (options and positional parameters) and getopts.

Touches the shell's variables, exported / readonly marks, function locals, options,
positional parameters and functions (unset -f). Entry points: the handlers below,
registered into builtins.BUILTINS as this is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pith.shell import options
from pith.shell.builtins import _count, builtin, out, quote
from pith.shell.errors import ShellError
from pith.shell.words import is_name

if TYPE_CHECKING:
    from pith.shell.run import Shell

__all__ = ["b_export", "b_getopts", "b_local", "b_readonly", "b_set", "b_shift", "b_unset"]

def _assign_args(sh: Shell, argv: list[str], mark: set[str]) -> int:
    args = argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    for arg in args:
        if arg == "-p":
            continue
        if arg.startswith("-"):
            raise ShellError(f"{argv[0]}: Illegal option {arg[:2]}")
        name, eq, value = arg.partition("=")
        if not is_name(name):
            raise ShellError(f"{argv[0]}: {name}: bad variable name")
        if eq:
            sh.set_var(name, value)
        mark.add(name)
    return 0


@builtin("export")
def b_export(sh: Shell, argv: list[str]) -> int:
    if len(argv) == 1 or argv[1:] == ["-p"]:
        for name in sorted(sh.st.exported):
            if name in sh.st.vars:
                out(f"export {name}={quote(sh.st.vars[name])}\n")
            else:
                out(f"export {name}\n")
        return 0
    return _assign_args(sh, argv, sh.st.exported)


@builtin("readonly")
def b_readonly(sh: Shell, argv: list[str]) -> int:
    if len(argv) == 1 or argv[1:] == ["-p"]:
        for name in sorted(sh.st.readonly):
            out(f"readonly {name}={quote(sh.st.vars.get(name, ''))}\n")
        return 0
    return _assign_args(sh, argv, sh.st.readonly)


@builtin("local")
def b_local(sh: Shell, argv: list[str]) -> int:
    if not sh.st.local_stack:
        raise ShellError("local: not in a function")
    frame = sh.st.local_stack[-1]
    for arg in argv[1:]:
        name, eq, value = arg.partition("=")
        if name not in frame:
            frame[name] = sh.st.vars.get(name)
        if eq:
            sh.set_var(name, value)
    return 0


@builtin("unset")
def b_unset(sh: Shell, argv: list[str]) -> int:
    funcs = False
    for arg in argv[1:]:
        if arg == "-f":
            funcs = True
        elif arg == "-v":
            funcs = False
        elif funcs:
            sh.st.functions.pop(arg, None)
        elif not is_name(arg):
            raise ShellError(f"unset: {arg}: bad variable name")
        else:
            sh.unset_var(arg)
    return 0


@builtin("shift")
def b_shift(sh: Shell, argv: list[str]) -> int:
    n = _count(sh, argv, 1)
    if n > len(sh.st.positional) or n < 0:
        raise ShellError("shift: can't shift that many")
    sh.st.positional = sh.st.positional[n:]
    return 0


@builtin("set")
def b_set(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    if not args:
        for name in sorted(sh.st.vars):
            out(f"{name}={quote(sh.st.vars[name])}\n")
        return 0
    try:
        args, ended, _ = options.parse(args, sh.st.options, out)
    except ShellError as e:
        raise ShellError(f"set: {e}") from None
    if args or ended == "--":
        sh.st.positional = args
    return 0


@builtin("getopts")
def b_getopts(sh: Shell, argv: list[str]) -> int:
    """dash's getopts: the place in the arguments is the shell's (optind, optoff), reset
    when OPTIND is assigned; a function call saves and restores it."""
    if len(argv) < 3:
        raise ShellError("Usage: getopts optstring var [arg]")
    optstring, var = argv[1], argv[2]
    args = argv[3:] if len(argv) > 3 else sh.st.positional
    st = sh.st
    if st.optind > len(args) + 1 or st.optind < 1:
        st.optind, st.optoff = 1, -1
    ind, off = st.optind, st.optoff
    nxt = ind - 1  # the index in args of the next word to look at
    word = args[nxt - 1] if ind > 1 and nxt - 1 < len(args) else ""
    p: str | None = None if ind <= 1 or off < 0 or len(word) < off else word[off:]
    c, done, optarg = "?", False, None
    if not p:
        if nxt >= len(args) or not args[nxt].startswith("-") or args[nxt] in ("-", "--"):
            if nxt < len(args) and args[nxt] == "--":
                nxt += 1
            p, done = None, True
        else:
            p = args[nxt][1:]
            nxt += 1
    if not done:
        assert p is not None
        c, p = p[0], p[1:]
        pos = optstring.find(c) if c != ":" else -1
        if pos < 0:
            if optstring.startswith(":"):
                optarg = c
            else:
                sh.error_raw(f"Illegal option -{c}\n")
            c = "?"
        elif optstring[pos + 1:pos + 2] == ":":
            if p:
                optarg, p = p, None
            elif nxt < len(args):
                optarg, p = args[nxt], None
                nxt += 1
            elif optstring.startswith(":"):
                optarg, c = c, ":"
            else:
                sh.error_raw(f"No arg for -{c} option\n")
                c = "?"
        else:
            optarg = ""
    if optarg is None:
        sh.unset_var("OPTARG")
    else:
        sh.set_var("OPTARG", optarg)
    sh.set_var("OPTIND", str(nxt + 1))
    if not is_name(var):
        raise ShellError(f"getopts: {var}: bad variable name")
    sh.set_var(var, c)
    st.optind = nxt + 1
    st.optoff = len(args[nxt - 1]) - len(p) if p else -1
    return 1 if done else 0
