"""yes: print a line (its arguments, or "y") over and over, until the reader goes."""

import sys


def main(argv: list[str]) -> int:
    if argv[:1] == ["--help"]:
        print("Usage: yes [STRING]...\nRepeatedly output a line with all specified STRING(s),"
              " or 'y'.")
        return 0
    if argv[:1] == ["--version"]:
        print("yes (Pith)")
        return 0
    if argv[:1] == ["--"]:
        argv = argv[1:]
    elif argv and argv[0].startswith("--") and len(argv[0]) > 2:
        print(f"yes: unrecognized option '{argv[0]}'\nTry 'yes --help' for more information.",
              file=sys.stderr)
        return 1
    elif argv and argv[0].startswith("-") and len(argv[0]) > 1:
        print(f"yes: invalid option -- '{argv[0][1]}'\nTry 'yes --help' for more information.",
              file=sys.stderr)
        return 1
    line = (" ".join(argv) if argv else "y").encode() + b"\n"
    chunk = line * max(1, 8192 // len(line))
    out = sys.stdout.buffer
    try:
        while True:
            out.write(chunk)
            out.flush()
    except BrokenPipeError:
        return 141


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
