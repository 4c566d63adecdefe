"""The builtins about the current directory: cd (-L/-P, `cd -`, CDPATH) and pwd.

Touches the process's working directory (os.chdir) and $PWD / $OLDPWD. Entry points: the
handlers below, registered into builtins.BUILTINS as this is imported.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from pith.shell.builtins import builtin, out

if TYPE_CHECKING:
    from pith.shell.run import Shell

__all__ = ["b_cd", "b_pwd"]


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
