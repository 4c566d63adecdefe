"""false: do nothing, unsuccessfully (exit status 1); --help still succeeds, as GNU's does."""

import sys


def main(argv: list[str]) -> int:
    if argv[:1] == ["--help"] and len(argv) == 1:
        sys.stdout.write("Usage: false [ignored command line arguments]\n"
                         "Exit with a status code indicating failure.\n")
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
