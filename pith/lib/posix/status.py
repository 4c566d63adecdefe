"""os.stat_result and os.statvfs_result made from vfs's `Status` and `FsStatus`.

Times are whole seconds in vfs; `st_*time_ns` are filled too (CPython's
`os.stat` always has them), `st_blksize` is 4096 (Python's io sizes its buffers
by it) and `st_blocks` the size in 512-byte units, rounded up.
"""

from __future__ import annotations

import os

from pith.protocols import vfs as vp

__all__ = ["BLOCK", "stat_result", "statvfs_result"]

BLOCK = 4096
NS = 1_000_000_000


def stat_result(s: vp.Status) -> os.stat_result:
    fields = (s.mode, s.ino, s.dev, s.nlinks, s.uid, s.gid, s.size, s.atime, s.mtime, s.ctime)
    extra = {"st_atime": float(s.atime), "st_mtime": float(s.mtime), "st_ctime": float(s.ctime),
             "st_atime_ns": s.atime * NS, "st_mtime_ns": s.mtime * NS,
             "st_ctime_ns": s.ctime * NS, "st_blksize": BLOCK,
             "st_blocks": (s.size + 511) // 512, "st_rdev": 0}
    return os.stat_result(fields, extra)


def statvfs_result(f: vp.FsStatus) -> os.statvfs_result:
    fields = (f.block_size, f.block_size, f.blocks, f.free_blocks, f.free_blocks, f.inodes,
              f.free_inodes, f.free_inodes, 0, f.name_max)
    return os.statvfs_result(fields, {"f_fsid": 0})
