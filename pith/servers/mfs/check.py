"""mfs's checker: Pith's own MINIX v3 fsck (`pith fsck IMAGE` is its command line).

`check(dev)` reads the image (never writes) and returns the problems it finds, an
empty list for a clean file system: superblock sanity, the reserved bitmap bits,
every directory reachable from the root ("." first naming itself, ".." second
naming the parent, entries naming inodes in range and in use, names without '/'),
inode modes, link counts against the references counted, the inode and zone
bitmaps against what is reachable, zone numbers in range and used once, and file
sizes against the zones mapped (no zone past the end of a file). Unlike
fsck.minix it has no depth limit. Entry points: `check`, and `reclaim_leaks`,
which mfs runs at start.
"""

from __future__ import annotations

import stat
import struct

from pith.servers.mfs.cache import BlockDevice
from pith.servers.mfs.layout import (
    BLOCK_SIZE,
    DIRENT_SIZE,
    INODE_SIZE,
    NR_DIRECT,
    ROOT_INO,
    SYMLINK_MAX,
    ZONES_PER_BLOCK,
    FsError,
    Inode,
    Superblock,
    unpack_dirent,
    upper,
)

__all__ = ["check", "reclaim_leaks"]

_TREES = ((7, NR_DIRECT, 1), (8, NR_DIRECT + ZONES_PER_BLOCK, 2),
          (9, NR_DIRECT + ZONES_PER_BLOCK + ZONES_PER_BLOCK**2, 3))
_MAX_PROBLEMS = 1000


class _Checker:
    def __init__(self, dev: BlockDevice) -> None:
        self.dev = dev
        self.problems: list[str] = []

    def report(self, problem: str) -> None:
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(problem)

    def run(self) -> None:
        dev = self.dev
        if dev.block_size != BLOCK_SIZE:
            self.report(f"device block size {dev.block_size}, MINIX needs {BLOCK_SIZE}")
            return
        if dev.blocks < 2:
            self.report(f"device of {dev.blocks} blocks has no superblock")
            return
        sb = self.sb = Superblock.unpack(dev.read(1))
        for problem in sb.problems(dev.blocks):
            self.report(f"superblock: {problem}")
        if self.problems:
            return
        self.imap = bytearray(dev.read(sb.imap_start, sb.imap_blocks))
        self.zmap = bytearray(dev.read(sb.zmap_start, sb.zmap_blocks))
        self.table: dict[int, bytes] = {}  # inode-table block -> its bytes
        self.inodes: dict[int, Inode] = {}  # unpacked on first use
        self.load_table()
        if not self.imap[0] & 1:
            self.report("inode bitmap: reserved bit 0 is clear")
        if not self.zmap[0] & 1:
            self.report("zone bitmap: reserved bit 0 is clear")
        self.refs: dict[int, int] = {}
        self.zone_owner: dict[int, int] = {}
        root = self.inode(ROOT_INO)
        if root.kind != stat.S_IFDIR:
            self.report(f"root inode is not a directory (mode {root.mode:#o})")
            return
        self.walk()
        self.counts()

    def load_table(self) -> None:
        """Read the inode-table blocks that hold inodes marked in use, in runs (a run
        goes on over a gap of a few blocks: one read is cheaper than two)."""
        per_block = BLOCK_SIZE // INODE_SIZE
        wanted = sorted({(ino - 1) // per_block for ino in set_bits(self.imap)
                         if 1 <= ino <= self.sb.ninodes})
        runs: list[list[int]] = []
        for block in wanted:
            if runs and block - runs[-1][1] <= 8:
                runs[-1][1] = block
            else:
                runs.append([block, block])
        for first, last in runs:
            data = self.dev.read(self.sb.itable_start + first, last - first + 1)
            for k in range(last - first + 1):
                self.table[first + k] = data[k * BLOCK_SIZE:(k + 1) * BLOCK_SIZE]

    def inode(self, ino: int) -> Inode:
        found = self.inodes.get(ino)
        if found is None:
            block, index = divmod(ino - 1, BLOCK_SIZE // INODE_SIZE)
            if block not in self.table:  # (an inode in use but marked free: a problem)
                self.table[block] = self.dev.read(self.sb.itable_start + block)
            found = self.inodes[ino] = Inode.unpack(self.table[block], index * INODE_SIZE)
        return found

    # -- the tree -----------------------------------------------------------------------
    def walk(self) -> None:
        seen: set[int] = set()
        stack: list[tuple[int, int, str]] = [(ROOT_INO, ROOT_INO, "/")]
        self.visit(ROOT_INO, "/")
        while stack:
            ino, parent, path = stack.pop()
            if ino in seen:
                self.report(f"{path}: directory reached twice (a loop or a hard link)")
                continue
            seen.add(ino)
            for slot, child, name in self.dir_entries(ino, path):
                child_path = path.rstrip("/") + "/" + name.decode("utf-8", "replace")
                if slot == 0:
                    if name != b"." or child != ino:
                        self.report(f"{path}: first entry is not '.' naming itself")
                    if child:
                        self.refs[child] = self.refs.get(child, 0) + 1
                    continue
                if slot == 1:
                    if name != b".." or child != parent:
                        self.report(f"{path}: second entry is not '..' naming the parent "
                                    f"{parent}")
                    if child:
                        self.refs[child] = self.refs.get(child, 0) + 1
                    continue
                if not child:
                    continue
                if name in (b".", b"..") or b"/" in name:
                    self.report(f"{path}: bad name {name!r}")
                first = child not in self.refs
                self.refs[child] = self.refs.get(child, 0) + 1
                if first:
                    self.visit(child, child_path)
                if self.inode(child).kind == stat.S_IFDIR:
                    stack.append((child, ino, child_path))

    def dir_entries(self, ino: int, path: str) -> list[tuple[int, int, bytes]]:
        inode = self.inode(ino)
        if inode.size < 2 * DIRENT_SIZE:
            self.report(f"{path}: directory size {inode.size} < {2 * DIRENT_SIZE}")
        if inode.size % DIRENT_SIZE:
            self.report(f"{path}: directory size {inode.size} is not a multiple of "
                        f"{DIRENT_SIZE}")
        out: list[tuple[int, int, bytes]] = []
        slots = inode.size // DIRENT_SIZE
        if slots > 4 * self.sb.ninodes + 64:  # far more slots than there are inodes
            self.report(f"{path}: implausible directory size {inode.size}")
            slots = 4 * self.sb.ninodes + 64
        blocks = self.blocks_of(inode, upper(slots * DIRENT_SIZE, BLOCK_SIZE))
        data = b""
        for slot in range(slots):
            n, j = divmod(slot, BLOCK_SIZE // DIRENT_SIZE)
            zone = blocks.get(n, 0)
            if not zone:
                if slot < 2:
                    out.append((slot, 0, b""))
                continue
            if j == 0 or not data:
                data = self.read(zone)
            child, name = unpack_dirent(data, j * DIRENT_SIZE)
            if child > self.sb.ninodes:
                self.report(f"{path}: entry {name!r} names inode {child}, out of range")
                child = 0
            if child or slot < 2:
                out.append((slot, child, name))
        return out

    def visit(self, ino: int, path: str) -> None:
        """First reference to `ino`: check the inode and claim its zones."""
        inode = self.inode(ino)
        if not bit(self.imap, ino):
            self.report(f"{path}: inode {ino} is in use but marked free in the bitmap")
        if not inode.known_kind:
            self.report(f"{path}: inode {ino} has a bad mode {inode.mode:#o}")
            return
        if not inode.has_zones:
            return
        if inode.kind == stat.S_IFLNK and not 0 < inode.size <= SYMLINK_MAX:
            self.report(f"{path}: symlink of size {inode.size}")
        if inode.size > self.sb.max_size:
            self.report(f"{path}: size {inode.size} > the maximum {self.sb.max_size}")
        nblocks = upper(inode.size, BLOCK_SIZE)
        for slot in range(NR_DIRECT):
            zone = inode.zones[slot]
            if zone and self.claim(zone, ino, path) and slot >= nblocks:
                self.report(f"{path}: zone {zone} maps block {slot}, past the size "
                            f"{inode.size}")
        for slot, base, levels in _TREES:
            zone = inode.zones[slot]
            if zone and self.claim(zone, ino, path):
                if base >= nblocks:
                    self.report(f"{path}: indirect zone {zone} past the size {inode.size}")
                self.claim_tree(zone, levels, base, nblocks, ino, path)

    def claim(self, zone: int, ino: int, path: str) -> bool:
        sb = self.sb
        if not sb.first_data_zone <= zone < sb.zones:
            self.report(f"{path}: zone {zone} out of range "
                        f"{sb.first_data_zone}..{sb.zones - 1}")
            return False
        owner = self.zone_owner.get(zone)
        if owner is not None:
            self.report(f"{path}: zone {zone} is also used by inode {owner}")
            return False
        self.zone_owner[zone] = ino
        if not bit(self.zmap, zone - sb.first_data_zone + 1):
            self.report(f"{path}: zone {zone} is in use but marked free in the bitmap")
        return True

    def claim_tree(self, zone: int, levels: int, base: int, nblocks: int, ino: int,
                   path: str) -> None:
        span = ZONES_PER_BLOCK ** (levels - 1)
        for i, child in enumerate(struct.unpack(f"<{ZONES_PER_BLOCK}I", self.read(zone))):
            if not child or not self.claim(child, ino, path):
                continue
            child_base = base + i * span
            if child_base >= nblocks:
                self.report(f"{path}: zone {child} maps block {child_base}, past the size")
            if levels > 1:
                self.claim_tree(child, levels - 1, child_base, nblocks, ino, path)

    def blocks_of(self, inode: Inode, nblocks: int) -> dict[int, int]:
        """file block -> zone for the first `nblocks` blocks (valid zones only)."""
        out: dict[int, int] = {}
        for n in range(nblocks):
            zone = self.bmap(inode, n)
            if zone:
                out[n] = zone
        return out

    def bmap(self, inode: Inode, n: int) -> int:
        if n < NR_DIRECT:
            zone = inode.zones[n]
            return zone if self.valid(zone) else 0
        for slot, base, levels in _TREES:
            if n < base + ZONES_PER_BLOCK**levels:
                zone, rel = inode.zones[slot], n - base
                for k in range(levels - 1, -1, -1):
                    if not self.valid(zone):
                        return 0
                    index = (rel // ZONES_PER_BLOCK**k) % ZONES_PER_BLOCK
                    zone = struct.unpack_from("<I", self.read(zone), index * 4)[0]
                return zone if self.valid(zone) else 0
        return 0

    def valid(self, zone: int) -> bool:
        return self.sb.first_data_zone <= zone < self.sb.zones

    def read(self, zone: int) -> bytes:
        return self.dev.read(zone)

    # -- the counts ---------------------------------------------------------------------
    def counts(self) -> None:
        sb = self.sb
        for ino in sorted(set(self.refs) | set(set_bits(self.imap, sb.ninodes))):
            refs = self.refs.get(ino, 0)
            if not refs:
                if ino:
                    self.report(f"inode {ino} is marked in use but no directory names it")
                continue
            nlinks = self.inode(ino).nlinks
            if nlinks != refs:
                self.report(f"inode {ino} has {nlinks} links, counted {refs}")
        for zbit in set_bits(self.zmap, sb.data_zones):
            zone = sb.first_data_zone + zbit - 1
            if zbit and zone not in self.zone_owner:
                self.report(f"zone {zone} is marked in use but no file uses it")

    def leaked(self) -> tuple[list[int], list[int]]:
        """Inodes and zone bits marked in use that nothing uses (after `run`)."""
        sb = self.sb
        inodes = [ino for ino in set_bits(self.imap, sb.ninodes)
                  if ino and ino not in self.refs]
        zones = [zbit for zbit in set_bits(self.zmap, sb.data_zones)
                 if zbit and sb.first_data_zone + zbit - 1 not in self.zone_owner]
        return inodes, zones


def bit(bits: bytes | bytearray, n: int) -> bool:
    """Bit `n` of a MINIX bitmap (little-endian bit order in each byte)."""
    return bool(bits[n >> 3] >> (n & 7) & 1) if n >> 3 < len(bits) else False


def set_bits(bits: bytes | bytearray, last: int | None = None) -> list[int]:
    """The numbers of the set bits of a bitmap, up to `last` (default: all of it)."""
    out: list[int] = []
    end = len(bits) * 8 if last is None else min(last + 1, len(bits) * 8)
    for index in range((end + 7) >> 3):
        byte = bits[index]
        if byte:
            base = index << 3
            out += [base + k for k in range(8) if byte >> k & 1 and base + k < end]
    return out


def check(dev: BlockDevice) -> list[str]:
    """The problems of the MINIX v3 file system on `dev` (empty: clean). Reads only."""
    checker = _Checker(dev)
    try:
        checker.run()
    except FsError as exc:
        checker.report(f"cannot read the image: {exc.message}")
    except (struct.error, IndexError, ValueError, RecursionError) as exc:
        checker.report(f"cannot make sense of the image: {type(exc).__name__}: {exc}")
    return checker.problems


def reclaim_leaks(dev: BlockDevice) -> int:
    """Free what the bitmaps mark in use but nothing uses — the only damage a crash in the
    middle of mfs's write-through leaves when bitmaps are set before the tree uses them —
    if that is all that is wrong. How many inodes and zones were freed (0: nothing done)."""
    checker = _Checker(dev)
    try:
        checker.run()
    except (FsError, struct.error, IndexError, ValueError, RecursionError):
        return 0
    leaks = ("is marked in use but no directory names it", "is marked in use but no file uses it")
    if not checker.problems or not all(p.endswith(leaks) for p in checker.problems):
        return 0
    sb, imap, zmap = checker.sb, checker.imap, checker.zmap
    inodes, zones = checker.leaked()
    for n in inodes:
        imap[n >> 3] &= ~(1 << (n & 7))
    for n in zones:
        zmap[n >> 3] &= ~(1 << (n & 7))
    if inodes:
        dev.write(sb.imap_start, bytes(imap))
    if zones:
        dev.write(sb.zmap_start, bytes(zmap))
    dev.flush()
    return len(inodes) + len(zones)
