"""true: do nothing, successfully (exit status 0)."""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["--help"]:
        print("Usage: true\nExit with a status code indicating success.")
    sys.exit(0)
