"""readlink: print a symbolic link's target, or (-f -e -m) a canonical file name, as GNU's.

Without -f/-e/-m a name that is not a link prints nothing and makes the status 1; -f
resolves like realpath (all but the last component must exist), -e needs all, -m none.
-n leaves out the newline (one name only), -z ends with NUL, -v reports errors, -q/-s
keeps quiet (the default).
"""

import os
import sys

from pith.bin.realpath import canonical
from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "readlink"
HELP = """Usage: readlink [OPTION]... FILE...
Print value of a symbolic link or canonical file name

  -f, --canonicalize            canonicalize by following every symlink in
                                every component of the given name recursively;
                                all but the last component must exist
  -e, --canonicalize-existing   canonicalize by following every symlink in
                                every component of the given name recursively,
                                all components must exist
  -m, --canonicalize-missing    canonicalize by following every symlink in
                                every component of the given name recursively,
                                without requirements on components existence
  -n, --no-newline              do not output the trailing delimiter
  -q, --quiet
  -s, --silent                  suppress most error messages (on by default)
  -v, --verbose                 report error messages
  -z, --zero                    end each output line with NUL, not newline
      --help     display this help and exit
"""
LONG = ["canonicalize", "canonicalize-existing", "canonicalize-missing", "no-newline",
        "quiet", "silent", "verbose", "zero", "help"]
MODES = {"-f": "", "--canonicalize": "", "-e": "e", "--canonicalize-existing": "e",
         "-m": "m", "--canonicalize-missing": "m"}


def command(argv: list[str]) -> int:
    opts, args = options(argv, "femnqsvz", LONG)
    mode: str | None = None
    newline, verbose, end = True, False, "\n"
    for o, _ in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in MODES:
            mode = MODES[o]
        elif o in ("-n", "--no-newline"):
            newline = False
        elif o in ("-q", "--quiet", "-s", "--silent"):
            verbose = False
        elif o in ("-v", "--verbose"):
            verbose = True
        else:
            end = "\0"
    if not args:
        raise UsageError("missing operand")
    if not newline and len(args) > 1:
        sys.stderr.write(f"{PROG}: ignoring --no-newline with multiple arguments\n")
        newline = True
    ok = True
    for name in args:
        try:
            value = os.readlink(name) if mode is None else canonical(name, mode)
        except OSError as e:
            if verbose:
                sys.stderr.write(f"{PROG}: {name}: {strerror(e)}\n")
            ok = False
            continue
        sys.stdout.write(value + (end if newline else ""))
    sys.stdout.flush()
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return _usage_error(PROG, str(e))
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
