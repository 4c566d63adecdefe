"""Users on Pith: one, root (uid 0, gid 0: the owner vfs gives every file), home "/".

`os.getuid`/`geteuid`/`getgid`/`getegid` answer 0 and `getgroups` [0] (the host's ids
are the sandbox's, which no Pith file has); `pwd` knows that one user, so
`os.path.expanduser("~")` without HOME is "/" (init's HOME) and not a host home.
"""

from __future__ import annotations

import pwd
from typing import Any, NoReturn

__all__ = ["ENTRY", "getegid", "geteuid", "getgid", "getgroups", "getpwall", "getpwnam",
           "getpwuid", "getuid", "install_users"]

ENTRY = pwd.struct_passwd(("root", "x", 0, 0, "root", "/", "/boot/bin/sh.py"))


def getuid() -> int:
    return 0


geteuid = getgid = getegid = getuid


def getgroups() -> list[int]:
    return [0]


def _missing(what: str) -> NoReturn:
    raise KeyError(what)


def getpwuid(uid: Any) -> pwd.struct_passwd:
    return ENTRY if uid == 0 else _missing(f"getpwuid(): uid not found: {uid}")


def getpwnam(name: str) -> pwd.struct_passwd:
    return ENTRY if name == "root" else _missing(f"getpwnam(): name not found: {name!r}")


def getpwall() -> list[pwd.struct_passwd]:
    return [ENTRY]


def install_users() -> None:
    """pwd's functions are these (the os ones are replaced with the others, by install)."""
    pwd.getpwuid, pwd.getpwnam, pwd.getpwall = getpwuid, getpwnam, getpwall
