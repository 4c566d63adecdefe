"""The shell's builtin commands (run in the shell's own process).

Entry point: BUILTINS, a table from name to a function (shell, argv) -> status. Output
goes straight to fd 1 with os.write (fds may have been redirected with dup2). echo and
printf live in printf.py, test in testcmd.py.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING

from pith.shell import limits
from pith.shell.errors import BreakLoop, ContinueLoop, ExitShell, ReturnFunc, ShellError
from pith.shell.printf import echo_text, printf_text
from pith.shell.spawn import Found, find_program
from pith.shell.testcmd import TestError, run_test
from pith.shell.words import is_name

if TYPE_CHECKING:
    from pith.shell.run import Shell

__all__ = ["BUILTINS"]

Builtin = Callable[["Shell", list[str]], int]
BUILTINS: dict[str, Builtin] = dict(limits.TABLE)
OPTION_NAMES = {"errexit": "e", "xtrace": "x", "nounset": "u", "noglob": "f", "allexport": "a",
                "verbose": "v", "noexec": "n", "noclobber": "C", "monitor": "m",
                "interactive": "i"}


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


@builtin(":", "true")
def b_true(sh: Shell, argv: list[str]) -> int:
    return 0


@builtin("false")
def b_false(sh: Shell, argv: list[str]) -> int:
    return 1


@builtin("echo")
def b_echo(sh: Shell, argv: list[str]) -> int:
    out(echo_text(argv[1:]))
    return 0


@builtin("printf")
def b_printf(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    elif args and args[0].startswith("-") and len(args[0]) > 1:
        sh.error(f"printf: Illegal option {args[0][:2]}")
        return 2
    if not args:
        sh.error("printf: usage: printf format [arg ...]")
        return 2
    text, errors = printf_text(args[0], args[1:])
    out(text)
    for e in errors:
        sh.error(f"printf: {e}")
    if any("invalid directive" in e for e in errors):
        return 2
    return 1 if errors else 0


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


# --- directories ------------------------------------------------------------------------------

def _normalize(path: str) -> str:
    parts: list[str] = []
    for p in path.split("/"):
        if p in ("", "."):
            continue
        if p == "..":
            if parts:
                parts.pop()
        else:
            parts.append(p)
    root = "//" if path.startswith("//") and not path.startswith("///") else "/"
    return root + "/".join(parts)


@builtin("cd")
def b_cd(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    physical = False
    while args and args[0] in ("-L", "-P", "-LP", "-PL", "--"):
        opt = args.pop(0)
        if opt == "--":
            break
        physical = opt.endswith("P")
    print_it = False
    if not args:
        target = sh.get_var("HOME") or ""
        if not target:
            sh.error("cd: HOME not set")
            return 2
    elif args[0] == "-":
        target = sh.get_var("OLDPWD") or ""
        print_it = True
    else:
        target = args[0]
    old = sh.get_var("PWD") or _getcwd()
    for prefix in _cdpath(sh, target):
        path = f"{prefix}/{target}" if prefix else target
        logical = _chdir(path, old, physical)
        if logical is not None:
            break
    else:
        sh.error(f"cd: can't cd to {target}")
        return 2
    sh.set_var("OLDPWD", old)
    sh.set_var("PWD", logical)
    if print_it or prefix:  # a directory found through CDPATH is shown, as `cd -` is
        out(logical + "\n")
    return 0


def _cdpath(sh: Shell, target: str) -> list[str]:
    """The directories to look for a relative target in ('' is the target as given)."""
    cdpath = sh.get_var("CDPATH")
    if not cdpath or target.startswith("/") or target.split("/")[0] in (".", ".."):
        return [""]
    return [d if d not in ("", ".") else "" for d in cdpath.split(":")]


def _chdir(target: str, old: str, physical: bool) -> str | None:
    """Change to target (relative to the logical `old`): the new $PWD, or None."""
    logical = _normalize(target if target.startswith("/") else f"{old.rstrip('/')}/{target}")
    try:
        if physical:
            os.chdir(target)
            return _getcwd()
        os.chdir(logical)
        return logical
    except OSError:
        try:
            os.chdir(target)
            return _getcwd()
        except OSError:
            return None


def _getcwd() -> str:
    try:
        return os.getcwd()
    except OSError:
        return "."


@builtin("pwd")
def b_pwd(sh: Shell, argv: list[str]) -> int:
    pwd = sh.get_var("PWD")
    if "-P" in argv[1:] or not pwd:
        pwd = _getcwd()
    out(pwd + "\n")
    return 0


# --- control ----------------------------------------------------------------------------------

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
        if name in sh.st.functions:
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


# --- variables --------------------------------------------------------------------------------

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


def _read_line(raw: bool) -> tuple[list[tuple[str, bool]], bool]:
    """A line from fd 0, a byte at a time: (chars with escaped flags, hit end of input)."""
    buf = bytearray()
    eof = False
    while True:
        try:
            b = os.read(0, 1)
        except InterruptedError:
            continue
        if not b:
            eof = True
            break
        if b == b"\n":
            if not raw and buf.endswith(b"\\") and not buf.endswith(b"\\\\"):
                buf.pop()
                continue
            break
        buf += b
    text = buf.decode("utf-8", "surrogateescape")
    chars: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and not raw and i + 1 < len(text):
            chars.append((text[i + 1], True))
            i += 2
            continue
        if text[i] == "\\" and not raw:
            i += 1
            continue
        chars.append((text[i], False))
        i += 1
    return chars, eof


def _read_split(chars: list[tuple[str, bool]], count: int, ifs: str) -> list[str]:
    ws = [c for c in ifs if c in " \t\n"]

    def is_ws(k: int) -> bool:
        return not chars[k][1] and chars[k][0] in ws

    def is_ifs(k: int) -> bool:
        return not chars[k][1] and chars[k][0] in ifs

    i, n = 0, len(chars)
    while i < n and is_ws(i):
        i += 1
    values: list[str] = []
    while len(values) < count - 1 and i < n:
        start = i
        while i < n and not is_ifs(i):
            i += 1
        values.append("".join(c for c, _ in chars[start:i]))
        while i < n and is_ws(i):
            i += 1
        if i < n and is_ifs(i):
            i += 1
            while i < n and is_ws(i):
                i += 1
    end = n
    while end > i and is_ws(end - 1):
        end -= 1
    if end > i and is_ifs(end - 1) and not is_ws(end - 1):
        # the rest is one field and the delimiter ending it ("b:"): the delimiter goes
        k = end - 1
        while k > i and is_ws(k - 1):
            k -= 1
        if not any(is_ifs(m) for m in range(i, k)):
            end = k
    rest = "".join(c for c, _ in chars[i:end])
    values.append(rest)
    return values


@builtin("read")
def b_read(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    raw = False
    prompt = ""
    while args and args[0].startswith("-") and len(args[0]) > 1:
        a = args.pop(0)
        if a == "--":
            break
        for k, c in enumerate(a[1:]):
            if c == "r":
                raw = True
            elif c == "p":
                prompt = a[k + 2:] or (args.pop(0) if args else "")
                break
            else:
                sh.error(f"read: Illegal option -{c}")
                return 2
    if not args:
        sh.error("read: arg count")
        return 2
    for name in args:
        if not is_name(name):
            sh.error(f"read: {name}: bad variable name")
            return 2
    if prompt and os.isatty(0):
        sh.error_raw(prompt)
    chars, eof = _read_line(raw)
    ifs = sh.get_var("IFS")
    values = _read_split(chars, len(args), " \t\n" if ifs is None else ifs)
    for k, name in enumerate(args):
        sh.set_var(name, values[k] if k < len(values) else "")
    return 1 if eof else 0


# --- jobs and signals -------------------------------------------------------------------------

@builtin("wait")
def b_wait(sh: Shell, argv: list[str]) -> int:
    if len(argv) == 1:
        return sh.jobs.wait_all()
    status = 0
    for arg in argv[1:]:
        if arg.startswith("%"):
            job = sh.jobs.find(arg)
            if job is None:
                sh.error(f"wait: No such job: {arg}")
                return 2
            status = sh.jobs.wait_job(job)
        elif arg.isdigit():
            status = sh.jobs.wait_pid(int(arg))
        else:
            sh.error(f"wait: Illegal number: {arg}")
            return 2
    return status


@builtin("jobs")
def b_jobs(sh: Shell, argv: list[str]) -> int:
    sh.jobs.reap_quiet()
    for job in sh.jobs.table:
        state = "Stopped" if job.stopped else ("Done" if job.done else "Running")
        out(f"[{job.id}] + {state}   {job.text}\n")
    return 0


@builtin("fg", "bg")
def b_fg(sh: Shell, argv: list[str]) -> int:
    job = sh.jobs.find(argv[1] if len(argv) > 1 else "")
    if job is None:
        sh.error(f"{argv[0]}: No current job")
        return 2
    sh.error_raw(job.text + "\n") if argv[0] == "fg" else sh.error_raw(f"[{job.id}] {job.text}\n")
    return sh.jobs.continue_job(job, foreground=argv[0] == "fg")


def _signal_number(name: str) -> int | None:
    name = name.upper().removeprefix("SIG")
    if name.isdigit():
        return int(name)
    if name == "EXIT":
        return 0
    sig = getattr(signal, "SIG" + name, None)
    return int(sig) if sig is not None else None


@builtin("kill")
def b_kill(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    sig = int(signal.SIGTERM)
    if args and args[0] == "-l":
        return limits.kill_list(sh, args[1:])
    if not args:
        sh.error("kill: Usage: kill [-s sigspec | -signum | -sigspec] [pid | job]... or\n"
                 "kill -l [exitstatus]")
        return 2
    if args and args[0] == "-s" and len(args) > 1:
        n = _signal_number(args[1])
        args = args[2:]
        if n is None:
            sh.error("kill: bad signal")
            return 2
        sig = n
    elif (args and args[0].startswith("-") and len(args[0]) > 1 and not args[0][1:].isdigit()) \
            or (args and args[0][:1] == "-" and args[0][1:].isdigit() and len(args) > 1):
        n = _signal_number(args[0][1:])
        if n is None:
            sh.error(f"kill: invalid signal {args[0]}")
            return 2
        sig = n
        args = args[1:]
    status = 0
    for a in args:
        try:
            if a.startswith("%"):
                job = sh.jobs.find(a)
                if job is None:
                    raise ProcessLookupError
                os.killpg(job.pgid, sig) if sh.jobs.jc else os.kill(job.pids[-1], sig)
            else:
                os.kill(int(a), sig)
        except (OSError, ValueError):
            sh.error("kill: No such process")
            status = 1
    return status


@builtin("trap")
def b_trap(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    if not args:
        for sig, action in sh.st.traps.items():
            out(f"trap -- {quote(action)} {sig}\n")
        return 0
    action, sigs = (args[0], args[1:]) if len(args) > 1 or not args[0].isdigit() else ("-", args)
    for name in sigs:
        n = _signal_number(name)
        if n is None:
            sh.error(f"trap: {name}: bad trap")
            return 1
        key = "EXIT" if n == 0 else signal.Signals(n).name[3:]
        if action == "-":
            sh.st.traps.pop(key, None)
        else:
            sh.st.traps[key] = action
        if n:
            _install_trap(sh, n, action)
    return 0


def _install_trap(sh: Shell, n: int, action: str) -> None:
    if action == "-":
        handler: signal.Handlers | Callable[[int, object], None] = signal.SIG_DFL
        sh.sigdef.discard(n)
    elif action == "":
        handler = signal.SIG_IGN
    else:
        def handler(signo: int, frame: object) -> None:
            # only noted here; the action runs when the current command is done (as in
            # dash), never in the middle of whatever system call the signal interrupted
            sh.pending_signals.append(signo)
        sh.sigdef.add(n)
    with contextlib.suppress(OSError, ValueError):
        signal.signal(n, handler)


@builtin("hash", "alias", "unalias")
def b_noop(sh: Shell, argv: list[str]) -> int:
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
