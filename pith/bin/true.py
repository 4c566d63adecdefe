"""true: do nothing, successfully (exit status 0); arguments are ignored but for a lone --help."""

import sys


def main(argv: list[str]) -> int:
    if argv[:1] == ["--help"] and len(argv) == 1:
        sys.stdout.write("Usage: true [ignored command line arguments]\n"
                         "Exit with a status code indicating success.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
