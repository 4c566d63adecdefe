"""sh: Pith's POSIX-style shell (the code is the pith.shell package).

Usage: sh [-eiuxf] [-c LINE [NAME [ARGS...]]] [FILE [ARGS...]]; with neither, reads
commands from stdin (interactive, with a "$ " prompt and job control, on a terminal).
"""

import os
import sys

try:
    import pith.shell.main as shell_main
except ImportError:  # run from a source tree that is not installed
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    import pith.shell.main as shell_main

if __name__ == "__main__":
    # How to start another shell: this file (inside Pith, /boot/bin/sh.py) under Python.
    sys.exit(shell_main.main(sys.argv, globals().get("__file__") or sys.argv[0]))
