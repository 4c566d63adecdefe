"""python -c CODE [ARG…]: run Python code in a new Pith process, as the host's python does.

The code runs in this sandboxed process with `sys.argv` = ["-c", ARG…], and
the caps this process was given in `CAPS` (name to slot). Running a file
from the Pith file system comes with the storage issue.
"""

from __future__ import annotations

import sys
import traceback

from pith.lib.start import Context

__all__ = ["main"]

USAGE = "usage: python -c CODE [ARG]..."


def main(ctx: Context) -> int:
    if len(ctx.args) < 2 or ctx.args[0] != "-c":
        print(USAGE, file=sys.stderr)
        return 2
    sys.argv = ["-c", *ctx.args[2:]]
    namespace = {"__name__": "__main__", "CAPS": dict(ctx.caps)}
    try:
        exec(compile(ctx.args[1], "<string>", "exec"), namespace)
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            return e.code or 0
        print(e.code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1
    return 0
