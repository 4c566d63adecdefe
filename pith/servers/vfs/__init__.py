"""vfs: the virtual file system server (docs/vfs.md).

`protocol` is what processes send it; `server.VfsServer` serves it, with path
resolution and mounts in `paths`, fd tables in `fds` and pipes in `pipes`.
"""

from pith.servers.vfs.server import VfsServer

__all__ = ["VfsServer"]
