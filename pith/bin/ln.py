"""ln: make links (-s symbolic, -f replace existing, -n don't follow a DEST symlink to a
directory, -v, -T, -t DIR). `ln TARGET` links TARGET's base name in the current directory."""

import os
import sys

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "ln"
HELP = """Usage: ln [OPTION]... [-T] TARGET LINK_NAME
  or:  ln [OPTION]... TARGET
  or:  ln [OPTION]... TARGET... DIRECTORY
  or:  ln [OPTION]... -t DIRECTORY TARGET...
Create hard links by default, symbolic links with --symbolic.

  -f, --force                 remove existing destination files
  -n, --no-dereference        treat LINK_NAME as a normal file if
                                it is a symbolic link to a directory
  -s, --symbolic              make symbolic links instead of hard links
  -t, --target-directory=DIRECTORY  specify the DIRECTORY in which to create
                                the links
  -T, --no-target-directory   treat LINK_NAME as a normal file always
  -v, --verbose               print name of each linked file
      --help     display this help and exit
"""


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def link(target: str, name: str, symbolic: bool, force: bool, verbose: bool) -> bool:
    kind = "symbolic" if symbolic else "hard"
    try:
        if not symbolic:
            os.stat(target)
    except OSError as e:
        sys.stderr.write(f"{PROG}: failed to access '{target}': {strerror(e)}\n")
        return False
    try:
        if force and os.path.lexists(name):
            if os.path.isdir(name) and not os.path.islink(name):
                sys.stderr.write(f"{PROG}: '{name}': cannot overwrite directory\n")
                return False
            os.unlink(name)
        if symbolic:
            os.symlink(target, name)
        else:
            os.link(target, name, follow_symlinks=False)
    except OSError as e:
        extra = "" if symbolic else f" => '{target}'"
        sys.stderr.write(f"{PROG}: failed to create {kind} link '{name}'{extra}: "
                         f"{strerror(e)}\n")
        return False
    if verbose:
        sys.stdout.write(f"'{name}' -> '{target}'\n" if symbolic
                         else f"'{name}' => '{target}'\n")
    return True


def pairs_for(args: list[str], target: str | None, no_target: bool,
              no_deref: bool) -> list[tuple[str, str]]:
    if target is None and not no_target and len(args) == 1:
        return [(args[0], os.path.basename(args[0].rstrip("/")) or args[0])]
    if target is None and not no_target and len(args) >= 2:
        last = args[-1]
        is_dir = os.path.isdir(last) and not (no_deref and os.path.islink(last))
        if len(args) == 2 and not is_dir:
            return [(args[0], last)]
        if not is_dir:
            raise OSError(0, f"target '{last}' is not a directory")
        return [(a, os.path.join(last, os.path.basename(a.rstrip("/")))) for a in args[:-1]]
    if target is None:
        if len(args) != 2:
            raise UsageError(f"extra operand '{args[2]}'" if len(args) > 2
                             else "missing file operand")
        return [(args[0], args[1])]
    if not os.path.isdir(target):
        raise OSError(0, f"target '{target}' is not a directory")
    return [(a, os.path.join(target, os.path.basename(a.rstrip("/")))) for a in args]


def command(argv: list[str]) -> int:
    opts, args = options(argv, "fnst:TvP", ["force", "no-dereference", "symbolic",
                                            "target-directory=", "no-target-directory",
                                            "verbose", "physical", "help"])
    flags = {o for o, _ in opts}
    if "--help" in flags:
        sys.stdout.write(HELP)
        return 0
    target = next((v for o, v in opts if o in ("-t", "--target-directory")), None)
    if not args:
        raise UsageError("missing file operand")
    try:
        pairs = pairs_for(args, target, bool(flags & {"-T", "--no-target-directory"}),
                          bool(flags & {"-n", "--no-dereference"}))
    except OSError as e:
        sys.stderr.write(f"{PROG}: {e.strerror}\n")
        return 1
    symbolic = bool(flags & {"-s", "--symbolic"})
    force = bool(flags & {"-f", "--force"})
    verbose = bool(flags & {"-v", "--verbose"})
    ok = all([link(t, n, symbolic, force, verbose) for t, n in pairs])
    sys.stdout.flush()
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))
    except BrokenPipeError:
        return broken_pipe()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
