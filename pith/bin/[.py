"""[: the test command under its other name; the last argument must be ']'.

It runs test.py, its neighbour in the same directory (in /bin or /boot/bin inside
Pith, pith/bin on the host), read with open() so that inside Pith it comes from
Pith's own file system.
"""

import os
import sys


def main(argv: list[str]) -> int:
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "test.py")
    with open(path, encoding="utf-8") as f:
        code = compile(f.read(), path, "exec")
    test: dict[str, object] = {"__name__": "test_command", "__file__": path}
    exec(code, test)
    run = test["main"]
    assert callable(run)
    return int(run(argv, bracket=True))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
