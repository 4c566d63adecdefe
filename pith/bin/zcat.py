"""zcat: expand gzip files to standard output, as GNU's (gzip -dc; see pith/bin/gzip.py)."""

import sys

from pith.bin.gzip import run


def main(argv: list[str]) -> int:
    return run(argv, "zcat", decompress=True, to_stdout=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
