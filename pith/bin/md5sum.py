"""md5sum: print or check MD5 checksums, as GNU's; sha256sum's code with MD5 (see there)."""

import sys

from pith.bin.sha256sum import run


def main(argv: list[str]) -> int:
    return run(argv, "md5", "md5sum")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
