"""env: print the environment, or run a command in a changed one (-i, -u NAME, -0, -C DIR,
NAME=VALUE...). The command is found on PATH as NAME or NAME.py, started with os.posix_spawn
(a .py file runs as [sys.executable, FILE, ...]) and waited for; env exits with its status."""

import getopt
import os
import sys

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "env"
HELP = """Usage: env [OPTION]... [-] [NAME=VALUE]... [COMMAND [ARG]...]
Set each NAME to VALUE in the environment and run COMMAND.

  -i, --ignore-environment  start with an empty environment
  -0, --null           end each output line with NUL, not newline
  -u, --unset=NAME     remove variable from the environment
  -C, --chdir=DIR      change working directory to DIR
      --help     display this help and exit

A mere - implies -i.  If no COMMAND, print the resulting environment.
"""


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def find(name: str, path: str) -> str | None:
    if "/" in name:
        return name if os.path.exists(name) else None
    for folder in (path or "/bin:/usr/bin").split(":"):
        for candidate in (f"{folder or '.'}/{name}", f"{folder or '.'}/{name}.py"):
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK | os.R_OK):
                return candidate
            if candidate.endswith(".py") and os.path.isfile(candidate):
                return candidate
    return None


def run(argv: list[str], env: dict[str, str]) -> int:
    path = find(argv[0], env.get("PATH", ""))
    if path is None:
        sys.stderr.write(f"{PROG}: '{argv[0]}': No such file or directory\n")
        return 127
    args = [sys.executable, path, *argv[1:]] if path.endswith(".py") else [argv[0], *argv[1:]]
    program = sys.executable if path.endswith(".py") else path
    sys.stdout.flush()
    try:
        pid = os.posix_spawn(program, args, env)
    except OSError as e:
        sys.stderr.write(f"{PROG}: '{argv[0]}': {strerror(e)}\n")
        return 126
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except KeyboardInterrupt:
            continue
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def command(argv: list[str]) -> int:
    # options stop at the first NAME=VALUE or command word (no permutation)
    try:
        opts, args = getopt.getopt(argv, "i0u:C:", ["ignore-environment", "null", "unset=",
                                                    "chdir=", "help"])
    except getopt.GetoptError:
        options(argv, "i0u:C:", ["ignore-environment", "null", "unset=", "chdir=", "help"])
        raise
    env = dict(os.environ)
    end, chdir = "\n", None
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-i", "--ignore-environment"):
            env = {}
        elif o in ("-0", "--null"):
            end = "\0"
        elif o in ("-u", "--unset"):
            env.pop(v, None)
        else:
            chdir = v
    if args[:1] == ["-"]:
        env, args = {}, args[1:]
    while args and "=" in args[0] and not args[0].startswith("="):
        name, _, value = args.pop(0).partition("=")
        env[name] = value
    if chdir is not None:
        if not args:
            raise UsageError("must specify command with --chdir (-C)")
        try:
            os.chdir(chdir)
        except OSError as e:
            sys.stderr.write(f"{PROG}: cannot change directory to '{chdir}': {strerror(e)}\n")
            return 125
    if not args:
        sys.stdout.write("".join(f"{k}={v}{end}" for k, v in env.items()))
        sys.stdout.flush()
        return 0
    if end == "\0":
        raise UsageError("cannot specify --null (-0) with command")
    return run(args, env)


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e), 125)
    except BrokenPipeError:
        return broken_pipe()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
