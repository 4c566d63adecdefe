"""A Pith refusal as Python's exception: the one table from errno names to OSError.

vfs, pm and tty refuse with `Failure(error, message)`, `error` a POSIX errno
name ("ENOENT"); the framework raises it as `ServiceError`. `oserror` makes the
OSError CPython would raise for the same errno — `OSError(errno, strerror,
filename)` picks the subclass itself (FileNotFoundError, IsADirectoryError,
BrokenPipeError, InterruptedError …) — with the file names the caller gave.
A server that died or did not answer (a kernel error) is EIO.
"""

from __future__ import annotations

import errno
import os
from typing import Any

from pith.kernel.core.errors import KernelError, MessageTooLarge
from pith.lib.server import ServiceError

__all__ = ["ERRNO", "oserror", "raise_for"]

# errno name → number: every name Linux has (EAGAIN and EWOULDBLOCK alike), so an
# unknown name is the only miss, and that is EIO.
ERRNO: dict[str, int] = {name: code for code, name in errno.errorcode.items()}
ERRNO |= {name: getattr(errno, name) for name in dir(errno) if name.startswith("E")}


def oserror(error: str, message: str = "", *names: Any) -> OSError:
    """The OSError for errno name `error`, with up to two file names."""
    code = ERRNO.get(error, errno.EIO)
    text = os.strerror(code) if error in ERRNO else f"{os.strerror(code)}: {error} {message}"
    if len(names) >= 2:
        return OSError(code, text, names[0], None, names[1])
    if names and names[0] is not None:
        return OSError(code, text, names[0])
    return OSError(code, text)


def raise_for(e: ServiceError | KernelError, *names: Any) -> OSError:
    """The OSError for a refusal (ServiceError) or a server gone (KernelError: EIO)."""
    if isinstance(e, ServiceError):
        return oserror(e.error, e.message, *names)
    if isinstance(e, MessageTooLarge):  # (arguments, a write, a path: more than one message)
        return oserror("E2BIG", str(e), *names)
    return oserror("EIO", f"{type(e).__name__}: {e}", *names)
