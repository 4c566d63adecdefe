"""`pith fsck IMAGE`: check a MINIX v3 image with mfs's own checker (pith/servers/mfs/check.py).

Prints each problem found and exits 0 (clean), 4 (problems) or 8 (the image
cannot be read), as fsck does. Entry point: `main`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pith.servers.mfs.cache import FileDevice
from pith.servers.mfs.check import check

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pith fsck", description=__doc__.splitlines()[0])
    parser.add_argument("image", help="the MINIX v3 image to check")
    args = parser.parse_args(argv)
    try:
        with FileDevice(args.image, readonly=True) as dev:
            problems = check(dev)
    except OSError as exc:
        print(f"pith fsck: {args.image}: {exc.strerror}", file=sys.stderr)
        return 8
    for problem in problems:
        print(problem)
    if problems:
        print(f"{args.image}: {len(problems)} problem(s)", file=sys.stderr)
        return 4
    print(f"{args.image}: clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
