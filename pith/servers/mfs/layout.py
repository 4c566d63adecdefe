"""MINIX v3 on-disk records, as util-linux lays them out (include/minix.h, mkfs.minix.c).

Block 0 is the boot block, block 1 the superblock; then `imap_blocks` of inode
bitmap, `zmap_blocks` of zone bitmap, the inode table (16 inodes of 64 bytes a
block, inode 1 first) and the data zones from `first_data_zone` to `zones - 1`.
Bit 0 of each bitmap is reserved and always set; bit i of the inode bitmap is
inode i, bit i of the zone bitmap is zone `first_data_zone + i - 1`. All
integers are little-endian. Entry points: `Superblock`, `Inode`, `pack_dirent`,
`unpack_dirent`, `FsError`, the constants.
"""

from __future__ import annotations

import stat
import struct
from dataclasses import dataclass, field

__all__ = [
    "BITS_PER_BLOCK",
    "BLOCK_SIZE",
    "DIRENTS_PER_BLOCK",
    "DIRENT_SIZE",
    "INODES_PER_BLOCK",
    "INODE_SIZE",
    "LINK_MAX",
    "MAGIC_V3",
    "MAX_FILE_BLOCKS",
    "MAX_FILE_SIZE",
    "MAX_FIRST_DATA_ZONE",
    "NAME_MAX",
    "NR_DIRECT",
    "NR_ZONES",
    "ROOT_INO",
    "SUPERBLOCK_BLOCK",
    "SYMLINK_MAX",
    "ZONES_PER_BLOCK",
    "FsError",
    "Inode",
    "Superblock",
    "pack_dirent",
    "unpack_dirent",
    "upper",
]

BLOCK_SIZE = 1024  # MINIX_BLOCK_SIZE; zones are blocks (s_log_zone_size == 0)
BITS_PER_BLOCK = BLOCK_SIZE * 8
SUPERBLOCK_BLOCK = 1
MAGIC_V3 = 0x4D5A  # MINIX3_SUPER_MAGIC
ROOT_INO = 1
INODE_SIZE = 64  # struct minix2_inode
INODES_PER_BLOCK = BLOCK_SIZE // INODE_SIZE
NAME_MAX = 60
DIRENT_SIZE = 64  # u32 inode + 60-byte name, NUL-padded (no NUL when 60 bytes long)
DIRENTS_PER_BLOCK = BLOCK_SIZE // DIRENT_SIZE
NR_ZONES = 10  # i_zone[10]: 7 direct, indirect, double indirect, triple indirect
NR_DIRECT = 7
ZONES_PER_BLOCK = BLOCK_SIZE // 4  # u32 zone numbers in an indirect block
# Pith writes files through the double-indirect zone only (the triple one stays 0).
MAX_FILE_BLOCKS = NR_DIRECT + ZONES_PER_BLOCK + ZONES_PER_BLOCK**2
MAX_FILE_SIZE = MAX_FILE_BLOCKS * BLOCK_SIZE  # 67,378,176 bytes
# fsck.minix counts references in an unsigned char: more than 255 links is a complaint.
LINK_MAX = 255
SYMLINK_MAX = BLOCK_SIZE - 1  # a symlink's target lives in its first zone
MAX_FIRST_DATA_ZONE = 65535  # s_firstdatazone is a u16 (mkfs.minix refuses beyond)
DEFAULT_MAX_SIZE = 2147483647  # s_max_size mkfs.minix writes for v3

_SUPER = struct.Struct("<IHHHHHHIIHHHB")  # struct minix3_super_block
_INODE = struct.Struct("<HHHHIIII10I")  # struct minix2_inode
_DIRENT = struct.Struct("<I60s")


class FsError(Exception):
    """A refused file-system operation: `error` is a POSIX errno name, `message` says why."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(f"{error}: {message}")
        self.error = error
        self.message = message


def upper(size: int, n: int) -> int:
    """Ceiling division, util-linux's UPPER()."""
    return (size + n - 1) // n


@dataclass
class Superblock:
    """struct minix3_super_block (block 1; the rest of the block is zero)."""

    ninodes: int
    imap_blocks: int
    zmap_blocks: int
    first_data_zone: int
    zones: int
    log_zone_size: int = 0
    max_size: int = DEFAULT_MAX_SIZE
    magic: int = MAGIC_V3
    block_size: int = BLOCK_SIZE
    disk_version: int = 0

    @property
    def inode_blocks(self) -> int:
        return upper(self.ninodes, INODES_PER_BLOCK)

    @property
    def imap_start(self) -> int:
        return 2

    @property
    def zmap_start(self) -> int:
        return 2 + self.imap_blocks

    @property
    def itable_start(self) -> int:
        return 2 + self.imap_blocks + self.zmap_blocks

    @property
    def norm_first_data_zone(self) -> int:
        """Where the data zones must start (util-linux first_zone_data())."""
        return 2 + self.imap_blocks + self.zmap_blocks + self.inode_blocks

    @property
    def data_zones(self) -> int:
        return self.zones - self.first_data_zone

    @property
    def max_file_size(self) -> int:
        return min(MAX_FILE_SIZE, self.max_size)

    def pack(self) -> bytes:
        raw = _SUPER.pack(
            self.ninodes, 0, self.imap_blocks, self.zmap_blocks, self.first_data_zone,
            self.log_zone_size, 0, self.max_size, self.zones, self.magic, 0,
            self.block_size, self.disk_version,
        )
        return raw.ljust(BLOCK_SIZE, b"\0")

    @classmethod
    def unpack(cls, data: bytes) -> Superblock:
        if len(data) < _SUPER.size:
            raise FsError("EINVAL", "superblock: short read")
        (ninodes, _p0, imap, zmap, first, log_zone, _p1, max_size, zones, magic, _p2,
         block_size, version) = _SUPER.unpack_from(data)
        return cls(ninodes=ninodes, imap_blocks=imap, zmap_blocks=zmap, first_data_zone=first,
                   zones=zones, log_zone_size=log_zone, max_size=max_size, magic=magic,
                   block_size=block_size, disk_version=version)

    def problems(self, device_blocks: int | None = None) -> list[str]:
        """What is wrong with this superblock (the checks of fsck.minix's read_superblock, and
        more); empty when it describes a usable MINIX v3 file system."""
        if self.magic != MAGIC_V3:
            return [f"bad magic number {self.magic:#06x} in superblock "
                    f"(MINIX v3 is {MAGIC_V3:#06x})"]
        out: list[str] = []
        if self.log_zone_size != 0:
            out.append(f"zone size 1024<<{self.log_zone_size}: only 1 KiB zones are supported")
        if self.block_size != BLOCK_SIZE:
            out.append(f"block size {self.block_size}: only {BLOCK_SIZE}-byte blocks are supported")
        if self.ninodes == 0 or self.ninodes == 0xFFFFFFFF:
            out.append(f"bad inode count {self.ninodes}")
        if self.imap_blocks * BITS_PER_BLOCK < self.ninodes + 1:
            out.append(f"inode bitmap of {self.imap_blocks} blocks cannot hold "
                       f"{self.ninodes} inodes")
        if self.first_data_zone != self.norm_first_data_zone:
            out.append(f"first data zone {self.first_data_zone} is not where the tables end "
                       f"({self.norm_first_data_zone})")
        if self.first_data_zone >= self.zones:
            out.append(f"first data zone {self.first_data_zone} is not below the zone count "
                       f"{self.zones}")
        elif self.zmap_blocks * BITS_PER_BLOCK < self.zones - self.first_data_zone + 1:
            out.append(f"zone bitmap of {self.zmap_blocks} blocks cannot hold "
                       f"{self.zones - self.first_data_zone} zones")
        if device_blocks is not None and self.zones > device_blocks:
            out.append(f"file system of {self.zones} blocks is larger than the device "
                       f"({device_blocks} blocks)")
        if self.max_size < BLOCK_SIZE:
            out.append(f"maximum file size {self.max_size} is too small")
        return out

    def validate(self, device_blocks: int | None = None) -> None:
        """Raise FsError("EINVAL") naming every problem, if there is one."""
        problems = self.problems(device_blocks)
        if problems:
            raise FsError("EINVAL", "not a usable MINIX v3 file system: " + "; ".join(problems))


_KNOWN_TYPES = frozenset(
    {stat.S_IFREG, stat.S_IFDIR, stat.S_IFLNK, stat.S_IFCHR, stat.S_IFBLK, stat.S_IFIFO,
     stat.S_IFSOCK}
)


@dataclass
class Inode:
    """struct minix2_inode: 64 bytes; zone[0..6] direct, [7] indirect, [8] double, [9] triple."""

    mode: int = 0
    nlinks: int = 0
    uid: int = 0
    gid: int = 0
    size: int = 0
    atime: int = 0
    mtime: int = 0
    ctime: int = 0
    zones: list[int] = field(default_factory=lambda: [0] * NR_ZONES)

    def pack(self) -> bytes:
        return _INODE.pack(self.mode, self.nlinks, self.uid, self.gid, self.size, self.atime,
                           self.mtime, self.ctime, *self.zones)

    @classmethod
    def unpack(cls, data: bytes, offset: int = 0) -> Inode:
        f = _INODE.unpack_from(data, offset)
        return cls(mode=f[0], nlinks=f[1], uid=f[2], gid=f[3], size=f[4], atime=f[5],
                   mtime=f[6], ctime=f[7], zones=list(f[8:]))

    @property
    def kind(self) -> int:
        return stat.S_IFMT(self.mode)

    @property
    def known_kind(self) -> bool:
        return self.kind in _KNOWN_TYPES

    @property
    def has_zones(self) -> bool:
        """Whether i_zone holds block numbers (fsck.minix: directories, files, symlinks)."""
        return self.kind in (stat.S_IFREG, stat.S_IFDIR, stat.S_IFLNK)


def pack_dirent(ino: int, name: bytes) -> bytes:
    """One 64-byte directory entry."""
    return _DIRENT.pack(ino, name)


def unpack_dirent(data: bytes, offset: int = 0) -> tuple[int, bytes]:
    """(inode, name) of the entry at `offset`; the name stops at its first NUL."""
    ino, raw = _DIRENT.unpack_from(data, offset)
    end = raw.find(b"\0")
    return ino, (raw if end < 0 else raw[:end])
