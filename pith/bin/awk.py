"""awk: the POSIX pattern-scanning language (the code is the pith.awk package).

Usage: awk [-F fs] [-v var=value]... ['program' | -f progfile...] [file...]
"""

import os
import sys

try:
    import pith.awk.main as awk_main
except ImportError:  # run from a source tree that is not installed
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    import pith.awk.main as awk_main

if __name__ == "__main__":
    sys.exit(awk_main.main(sys.argv[1:]))
