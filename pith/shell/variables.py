"""The builtins about the shell's parameters: export, readonly, local, unset, shift,
set (options and positional parameters) and getopts.

Touches the shell's variables, exported / readonly marks, function locals, options,
positional parameters and functions (unset -f). Entry points: the handlers below,
registered into builtins.BUILTINS as this is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pith.shell.builtins import _count, builtin, out, quote
from pith.shell.errors import ShellError
from pith.shell.words import is_name

if TYPE_CHECKING:
    from pith.shell.run import Shell

__all__ = ["b_export", "b_getopts", "b_local", "b_readonly", "b_set", "b_shift", "b_unset"]

OPTION_NAMES = {"errexit": "e", "xtrace": "x", "nounset": "u", "noglob": "f", "allexport": "a",
                "verbose": "v", "noexec": "n", "noclobber": "C", "monitor": "m",
                "interactive": "i"}


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
    while args and args[0][:1] in ("-", "+") and args[0] not in ("-", "+"):
        arg = args.pop(0)
        if arg == "--":
            sh.st.positional = args
            return 0
        on = arg[0] == "-"
        letters = arg[1:]
        if letters == "o":
            if not args:
                for long, letter in OPTION_NAMES.items():
                    state = "on" if letter in sh.st.options else "off"
                    out(f"{long:<16}{state}\n")
                return 0
            long = args.pop(0)
            if long not in OPTION_NAMES:
                raise ShellError(f"set: Illegal option -o {long}")
            letters = OPTION_NAMES[long]
        for c in letters:
            if c not in "exufavnCm":
                raise ShellError(f"set: Illegal option {arg[0]}{c}")
            if on:
                sh.st.options.add(c)
            else:
                sh.st.options.discard(c)
    if args and args[0] in ("-", "+"):
        args = args[1:]
        sh.st.options -= {"x", "v"}
    if args or argv[-1] == "--":
        sh.st.positional = args
    return 0


@builtin("getopts")
def b_getopts(sh: Shell, argv: list[str]) -> int:
    if len(argv) < 3:
        sh.error("getopts: usage: getopts optstring var [arg]")
        return 2
    optstring, var = argv[1], argv[2]
    args = argv[3:] if len(argv) > 3 else sh.st.positional
    try:
        optind = int(sh.get_var("OPTIND") or "1")
    except ValueError:
        optind = 1
    sub = int(sh.st.vars.get("_GETOPTS_SUB", "1"))
    if sh.st.vars.get("_GETOPTS_LAST") != str(optind):
        sub = 1
    if optind > len(args) or not args[optind - 1].startswith("-") or args[optind - 1] in ("-",):
        sh.set_var(var, "?")
        return 1
    arg = args[optind - 1]
    if arg == "--":
        sh.set_var("OPTIND", str(optind + 1))
        sh.set_var(var, "?")
        return 1
    c = arg[sub]
    sub += 1
    if sub >= len(arg):
        optind, sub = optind + 1, 1
    silent = optstring.startswith(":")
    spec = optstring.lstrip(":")
    sh.st.vars.pop("OPTARG", None)
    if c not in spec or c == ":":
        if silent:
            sh.set_var("OPTARG", c)
        else:
            sh.error_raw(f"Illegal option -{c}\n")
        c = "?"
    elif spec[spec.index(c) + 1:spec.index(c) + 2] == ":":
        if sub > 1:
            sh.set_var("OPTARG", arg[sub:])
            optind, sub = optind + 1, 1
        elif optind <= len(args):
            sh.set_var("OPTARG", args[optind - 1])
            optind += 1
        else:
            if silent:
                sh.set_var("OPTARG", c)
                c = ":"
            else:
                sh.error_raw(f"No arg for -{c} option\n")
                c = "?"
    sh.set_var(var, c)
    sh.set_var("OPTIND", str(optind))
    sh.st.vars["_GETOPTS_SUB"] = str(sub)
    sh.st.vars["_GETOPTS_LAST"] = str(optind)
    return 0
