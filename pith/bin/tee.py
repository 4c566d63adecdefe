"""tee: copy standard input to standard output and to each FILE (-a appends, -i ignores ^C)."""

import signal
import sys
from typing import BinaryIO

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "tee"
HELP = """Usage: tee [OPTION]... [FILE]...
Copy standard input to each FILE, and also to standard output.

  -a, --append              append to the given FILEs, do not overwrite
  -i, --ignore-interrupts   ignore interrupt signals
      --help     display this help and exit
"""


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def open_all(names: list[str], mode: str) -> tuple[list[tuple[str, BinaryIO]], bool]:
    files: list[tuple[str, BinaryIO]] = []
    ok = True
    for name in names:
        try:
            files.append((name, open(name, mode)))  # noqa: SIM115 - closed by command
        except OSError as e:
            sys.stderr.write(f"{PROG}: {name}: {strerror(e)}\n")
            ok = False
    return files, ok


def command(argv: list[str]) -> int:
    opts, args = options(argv, "aip", ["append", "ignore-interrupts", "output-error", "help"])
    flags = {o for o, _ in opts}
    if "--help" in flags:
        sys.stdout.write(HELP)
        return 0
    if flags & {"-i", "--ignore-interrupts"}:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    append = bool(flags & {"-a", "--append"})
    files, ok = open_all(args, "ab" if append else "wb")
    sinks: list[tuple[str, BinaryIO]] = [("standard output", sys.stdout.buffer), *files]
    read = getattr(sys.stdin.buffer, "read1", sys.stdin.buffer.read)
    while sinks and (chunk := read(65536)):
        for sink in list(sinks):
            try:
                sink[1].write(chunk)
                sink[1].flush()
            except BrokenPipeError:
                sinks.remove(sink)
                if sink[1] is sys.stdout.buffer:
                    broken_pipe()
                    return 141
            except OSError as e:
                sys.stderr.write(f"{PROG}: {sink[0]}: {strerror(e)}\n")
                sinks.remove(sink)
                ok = False
    for _, f in files:
        f.close()
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
