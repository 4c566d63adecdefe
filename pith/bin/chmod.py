"""chmod: change the permission bits of files (octal or symbolic modes, -R, -v, -c, -f),
as GNU chmod does; modes like -w are modes, not options."""

import os
import re
import stat
import sys

from pith.lib.gnu import strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "chmod"
HELP = """Usage: chmod [OPTION]... MODE[,MODE]... FILE...
  or:  chmod [OPTION]... OCTAL-MODE FILE...
Change the mode of each FILE to MODE.

  -c, --changes          like verbose but report only when a change is made
  -f, --silent, --quiet  suppress most error messages
  -v, --verbose          output a diagnostic for every file processed
  -R, --recursive        change files and directories recursively
      --help     display this help and exit

Each MODE is of the form '[ugoa]*([-+=]([rwxXst]*|[ugo]))+|[-+=][0-7]+'.
"""
CLAUSE = re.compile(r"([ugoa]*)((?:[-+=](?:[rwxXst]*|[ugo]))+)")
ACTION = re.compile(r"([-+=])([ugo]|[rwxXst]*)")
WHO = {"u": 0o4700, "g": 0o2070, "o": 0o1007}  # each class's bits (set-id and sticky too)
OPTIONS = {"-c": "changes", "--changes": "changes", "-f": "quiet", "--silent": "quiet",
           "--quiet": "quiet", "-v": "verbose", "--verbose": "verbose", "-R": "recursive",
           "--recursive": "recursive"}


def usage_error(message: str) -> int:
    return _usage_error(PROG, message)


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def permissions(letters: str, old: int, is_dir: bool) -> int:
    """The bits `letters` stand for (all classes' positions; the caller masks by who)."""
    bits = 0
    for c in letters:
        if c in "ugo":  # (copy a class's bits: g=u)
            part = (old >> {"u": 6, "g": 3, "o": 0}[c]) & 7
            bits |= part << 6 | part << 3 | part
        else:
            bits |= {"r": 0o444, "w": 0o222, "x": 0o111, "s": 0o6000, "t": 0o1000,
                     "X": 0o111 if is_dir or old & 0o111 else 0}[c]
    return bits


def apply(mode: str, old: int, is_dir: bool) -> int | None:
    """The new permission bits for `mode` on a file whose bits are `old` (None: invalid).
    As GNU: with no [ugoa] the umask's bits are left alone, and a directory keeps its
    set-id bits unless a mode names them (or has five octal digits)."""
    kept = old & 0o6000 if is_dir else 0
    if re.fullmatch(r"[-+=]?[0-7]{1,5}", mode):
        digits = mode.lstrip("-+=")
        bits = int(digits, 8)
        new = {"-": old & ~bits, "+": old | bits}.get(mode[0], bits)
        return new | (kept if mode[0] not in "-+" and len(digits) < 5 else 0)
    new = old
    for clause in mode.split(","):
        m = CLAUSE.fullmatch(clause)
        if not m:
            return None
        who = set(m.group(1).replace("a", "ugo"))
        allowed = sum(WHO[w] for w in who) if who else 0o7777 & ~umask()
        for op, letters in ACTION.findall(m.group(2)):
            bits = permissions(letters, new, is_dir) & allowed
            if op == "+":
                new |= bits
            elif op == "-":
                new &= ~bits
            else:
                cleared = sum(WHO[w] for w in who) if who else 0o7777
                if "s" not in letters:
                    cleared &= ~kept
                new = (new & ~cleared) | bits
    return new


def change(path: str, mode: str, flags: set[str]) -> bool:
    try:
        st = os.stat(path)
    except OSError as e:
        if "quiet" not in flags:
            sys.stderr.write(f"{PROG}: cannot access '{path}': {strerror(e)}\n")
        return False
    old = stat.S_IMODE(st.st_mode)
    new = apply(mode, old, stat.S_ISDIR(st.st_mode))
    assert new is not None  # (checked before any file)
    try:
        os.chmod(path, new)
    except OSError as e:
        if "quiet" not in flags:
            sys.stderr.write(f"{PROG}: changing permissions of '{path}': {strerror(e)}\n")
        return False
    if "verbose" in flags or ("changes" in flags and new != old):
        what = "changed from" if new != old else "retained as"
        tail = f"{old:04o} ({stat.filemode(st.st_mode)[1:]}) to {new:04o}" if new != old \
            else f"{new:04o} ({stat.filemode(st.st_mode)[1:]})"
        sys.stdout.write(f"mode of '{path}' {what} {tail}\n")
    return True


def main(argv: list[str]) -> int:
    flags: set[str] = set()
    rest: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--help":
            sys.stdout.write(HELP)
            return 0
        if arg == "--":
            rest += argv[i + 1:]
            break
        if arg in OPTIONS:
            flags.add(OPTIONS[arg])
        elif arg.startswith("--") or (arg.startswith("-") and apply(arg, 0, False) is None
                                      and len(arg) > 1):
            return usage_error(f"unrecognized option '{arg}'" if arg.startswith("--")
                               else f"invalid option -- '{arg[1]}'")
        else:
            rest.append(arg)
    if not rest:
        return usage_error("missing operand")
    mode, files = rest[0], rest[1:]
    if apply(mode, 0, False) is None:
        return usage_error(f"invalid mode: '{mode}'")
    if not files:
        return usage_error(f"missing operand after '{mode}'")
    ok = True
    for path in files:
        ok &= change(path, mode, flags)
        if "recursive" in flags and os.path.isdir(path) and not os.path.islink(path):
            for top, dirs, names in os.walk(path):
                for name in sorted(dirs) + sorted(names):
                    child = os.path.join(top, name)
                    if not os.path.islink(child):
                        ok &= change(child, mode, flags)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
