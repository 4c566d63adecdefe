"""Pith: a microkernel operating system in Python, hosted on Linux.

The kernel lives in `pith.kernel`, what user space links in `pith.lib`,
and the host-side tools (size check, bench, ...) in `pith.tools`.
"""

__version__ = "0.1.0"
