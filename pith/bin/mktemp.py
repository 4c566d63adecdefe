"""mktemp: create a temporary file or directory, safely, and print its name, as GNU's.

TEMPLATE's last run of at least three X's in its last component (before --suffix, or
before the text after the last X) is replaced by random letters and digits; the default
is tmp.XXXXXXXXXX in $TMPDIR or /tmp. Options: -d (a directory, mode 0700; a file is
0600), -p DIR / --tmpdir[=DIR] (TEMPLATE relative to DIR, else $TMPDIR, else /tmp), -t
(relative to $TMPDIR, else -p's DIR, else /tmp), -u (create nothing), -q (no messages),
--suffix=SUFF.
"""

import os
import secrets
import string
import sys

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "mktemp"
HELP = """Usage: mktemp [OPTION]... [TEMPLATE]
Create a temporary file or directory, safely, and print its name.
TEMPLATE must contain at least 3 consecutive 'X's in last component.
If TEMPLATE is not specified, use tmp.XXXXXXXXXX, and --tmpdir is implied.
Files are created u+rw, and directories u+rwx, minus umask restrictions.

  -d, --directory     create a directory, not a file
  -u, --dry-run       do not create anything; merely print a name (unsafe)
  -q, --quiet         suppress diagnostics about file/dir-creation failure
      --suffix=SUFF   append SUFF to TEMPLATE; SUFF must not contain a slash.
                        This option is implied if TEMPLATE does not end in X
  -p DIR, --tmpdir[=DIR]  interpret TEMPLATE relative to DIR; if DIR is not
                        specified, use $TMPDIR if set, else /tmp.  With
                        this option, TEMPLATE must not be an absolute name;
                        unlike with -t, TEMPLATE may contain slashes, but
                        mktemp creates only the final component
  -t                  interpret TEMPLATE as a single file name component,
                        relative to a directory: $TMPDIR, if set; else the
                        directory specified via -p; else /tmp [deprecated]
      --help     display this help and exit
"""
LONG = ["directory", "dry-run", "quiet", "suffix=", "tmpdir=", "help"]
LETTERS = string.ascii_letters + string.digits
TRIES = 100


class Failure(Exception):
    """A bad template or a failed creation: `mktemp: message`, status 1."""


class CreateFailure(Failure):
    """The file or directory could not be made: the one error -q keeps quiet."""


def tmpdir_option(argv: list[str]) -> list[str]:
    """--tmpdir's DIR is optional, which getopt cannot say: a bare --tmpdir is --tmpdir=."""
    out: list[str] = []
    for arg in argv:
        if arg == "--":
            return out + argv[len(out):]
        out.append("--tmpdir=" if arg == "--tmpdir" else arg)
    return out


def split_template(template: str, suffix: str | None) -> tuple[str, int, str]:
    """(prefix, number of X's, suffix) of a template."""
    if suffix is None:
        base = template[template.rfind("/") + 1:]
        last_x = base.rfind("X")
        suffix = base[last_x + 1:] if last_x >= 0 else ""
        template = template[:len(template) - len(suffix)]
    elif not template.endswith("X"):
        raise Failure(f"with --suffix, template '{template}' must end in X")
    stem = template.rstrip("X")
    count = len(template) - len(stem)
    if count < 3:
        raise Failure(f"too few X's in template '{template + suffix}'")
    return stem, count, suffix


def create(path: str, directory: bool) -> None:
    if directory:
        os.mkdir(path, 0o700)
    else:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def make(template: str, suffix: str | None, directory: bool, dry: bool) -> str:
    stem, count, tail = split_template(template, suffix)
    for _ in range(TRIES):
        path = stem + "".join(secrets.choice(LETTERS) for _ in range(count)) + tail
        if dry:
            return path
        try:
            create(path, directory)
            return path
        except FileExistsError:
            continue
        except OSError as e:
            kind, whole = "directory" if directory else "file", template + (suffix or "")
            raise CreateFailure(f"failed to create {kind} via template '{whole}': "
                                f"{strerror(e)}") from None
    raise CreateFailure(f"failed to create file via template '{template}': File exists")


def command(argv: list[str]) -> int:
    opts, args = options(tmpdir_option(argv), "dp:qtu", LONG)
    directory = dry = quiet = deprecated_t = False
    suffix: str | None = None
    dest: str | None = None
    use_dest = False
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-d", "--directory"):
            directory = True
        elif o in ("-u", "--dry-run"):
            dry = True
        elif o in ("-q", "--quiet"):
            quiet = True
        elif o == "--suffix":
            if "/" in v:
                raise Failure(f"invalid suffix '{v}', contains directory separator")
            suffix = v
        elif o in ("-p", "--tmpdir"):
            dest, use_dest = v, True
        else:
            deprecated_t = use_dest = True
    if len(args) > 1:
        raise UsageError("too many templates")
    template = args[0] if args else "tmp.XXXXXXXXXX"
    use_dest = use_dest or not args
    try:
        if use_dest:
            template = os.path.join(directory_for(template, dest, deprecated_t), template)
        sys.stdout.write(make(template, suffix, directory, dry) + "\n")
    except CreateFailure:
        if quiet:
            return 1
        raise
    sys.stdout.flush()
    return 0


def directory_for(template: str, dest: str | None, deprecated_t: bool) -> str:
    env = os.environ.get("TMPDIR")
    if deprecated_t:
        if "/" in template:
            raise Failure(f"invalid template, '{template}', contains directory separator")
        return env or dest or "/tmp"
    if template.startswith("/"):
        raise Failure(f"invalid template, '{template}'; with --tmpdir, it may not be absolute")
    return dest or env or "/tmp"


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return _usage_error(PROG, str(e))
    except Failure as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 1
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
