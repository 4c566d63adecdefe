"""The null protocol: one request that is answered with itself. Served by pith/servers/null.

Called by `pith bench`: a null call costs only the IPC path and the framework.
"""

from __future__ import annotations

import msgspec

__all__ = ["Null"]


class Null(msgspec.Struct, frozen=True, tag=True):
    """The smallest request there is."""
