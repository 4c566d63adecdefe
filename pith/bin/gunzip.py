"""gunzip: expand gzip files, as GNU's (gzip -d; see pith/bin/gzip.py)."""

import sys

from pith.bin.gzip import run


def main(argv: list[str]) -> int:
    return run(argv, "gunzip", decompress=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
