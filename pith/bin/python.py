"""python: run Python code in this Pith process, as the host's python does.

Usage: python [-BEIsSuq] [-c CODE | -m MODULE | FILE | -] [ARG]...
  FILE     run the Python file FILE (in the Pith file system) as __main__
  -c CODE  run CODE (sys.argv: ["-c", ARG...])
  -m MOD   run library module MOD as __main__ (runpy)
  -V       print the version
With no FILE: an interactive prompt on a terminal, else the program read from stdin.
"""

import sys

USAGE = __doc__.split("\n", 2)[2]


def _code(source: str, name: str, argv: list[str]) -> None:
    import types

    sys.argv = argv
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = main
    exec(compile(source, name, "exec", dont_inherit=True), main.__dict__)


def _file(path: str, args: list[str]) -> int:
    from pith.lib.posix.run import execute, load

    try:
        path, argv, source = load(path, [path, *args])
    except OSError as e:
        print(f"python: can't open file {path!r}: [Errno {e.errno}] {e.strerror}",
              file=sys.stderr)
        return 2
    execute(path, argv, source)
    return 0


def _interactive() -> int:
    import code
    import os

    if not os.isatty(0):
        _code(sys.stdin.read(), "<stdin>", ["-"])
        return 0
    code.interact(banner=f"Python {sys.version.split()[0]} on Pith", exitmsg="")
    return 0


def _unbuffered() -> None:
    """-u or PYTHONUNBUFFERED: stdout and stderr pass each write to their fd at once."""
    import _pyio

    for fd, name in ((1, "stdout"), (2, "stderr")):
        stream = getattr(sys, name)
        if stream is None:
            continue
        stream.flush()
        raw = _pyio.FileIO(fd, "w", closefd=False)
        new = _pyio.TextIOWrapper(raw, stream.encoding, stream.errors, line_buffering=True,
                                  write_through=True)
        setattr(sys, name, new)
        setattr(sys, f"__{name}__", new)


def main(argv: list[str]) -> int:
    import os

    unbuffered = bool(os.environ.get("PYTHONUNBUFFERED"))
    while argv and argv[0] in ("-B", "-E", "-I", "-s", "-S", "-u", "-q"):
        unbuffered |= argv[0] == "-u"
        argv = argv[1:]  # (the others: no effect here)
    if unbuffered:
        _unbuffered()
    if not argv or argv[0] == "-":
        return _interactive()
    first, rest = argv[0], argv[1:]
    if first in ("-h", "--help"):
        print(USAGE, end="")
        return 0
    if first in ("-V", "--version"):
        print(f"Python {sys.version.split()[0]}")
        return 0
    if first == "-c" or first == "-m":
        if not rest:
            print(f"Argument expected for the {first} option\n{USAGE}", file=sys.stderr, end="")
            return 2
        if first == "-c":
            _code(rest[0], "<string>", ["-c", *rest[1:]])
        else:
            import runpy

            sys.argv = [rest[0], *rest[1:]]
            runpy.run_module(rest[0], run_name="__main__", alter_sys=True)
        return 0
    if first.startswith("-"):
        print(f"Unknown option: {first}\n{USAGE}", file=sys.stderr, end="")
        return 2
    return _file(first, rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
