"""python3: the same as python (pith/bin/python.py)."""

import sys

from pith.bin.python import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
