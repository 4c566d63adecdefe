"""test_model's state machine with "/" on the MINIX v3 file system (mfs over a real image
file) and "/tmp" on tmpfs: every outcome and the whole tree must match the model, as there.

Extra rules reach MINIX's limits: 60-byte names (61 is ENAMETOOLONG on "/", fine on
tmpfs), writes across the direct/indirect/double-indirect zone boundaries, and excursions
to the largest MINIX file (a short write, then EFBIG), undone so the model stays small.
At teardown the image is synced through vfs, must pass util-linux `fsck.minix -f` and
Pith's own checker, and, mounted afresh, must still hold the model's tree."""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from pith.protocols import vfs as vp
from pith.servers.mfs.cache import FileDevice
from pith.servers.mfs.fs import MinixFS
from pith.servers.mfs.layout import BLOCK_SIZE, MAX_FILE_SIZE, NAME_MAX, NR_DIRECT, ZONES_PER_BLOCK
from pith.servers.mfs.server import MfsServer
from pith.servers.tmpfs.server import TmpfsServer
from tests.servers.mfs.helpers import assert_minix_clean, assert_pith_clean, blank, needs_util_linux
from tests.servers.vfs.harness import World
from tests.servers.vfs.test_model import Fail, MDir, MFile, VfsMachine, data, paths, small

IMAGE_BLOCKS = 8192  # 8 MiB: room for every path's largest file, sparse excursions aside
CACHE_BLOCKS = 64  # a small buffer cache, so that dirty blocks get evicted mid-run

# Offsets just before a zone-tree boundary: direct -> indirect -> double indirect -> its
# second indirect block.
_INDIRECT = NR_DIRECT * BLOCK_SIZE
_DOUBLE = _INDIRECT + ZONES_PER_BLOCK * BLOCK_SIZE
boundaries = st.sampled_from([_INDIRECT, _DOUBLE, _DOUBLE + ZONES_PER_BLOCK * BLOCK_SIZE]
                             ).flatmap(lambda b: st.integers(b - 40, b + 2))


class FileMfsServer(MfsServer):
    """mfs on an image file (args: its path) instead of the blk driver."""

    def setup(self) -> None:
        self.dev = FileDevice(self.args[0])
        self.fs = MinixFS.mount(self.dev, now=lambda: 1000, cache_blocks=CACHE_BLOCKS)

    def close(self) -> None:
        self.dev.close()


class MfsVfsMachine(VfsMachine):

    def make_world(self) -> World:
        self.dir = Path(tempfile.mkdtemp(prefix="vfs-mfs-"))
        self.image = blank(self.dir / "fs.img", IMAGE_BLOCKS)
        with FileDevice(self.image) as dev:
            MinixFS.format(dev, now=lambda: 1000)  # writes straight to the device
        self.mfs = FileMfsServer({}, (str(self.image),))
        self.tmpfs = TmpfsServer({}, clock=lambda: 1000)
        return World(servers={"/": self.mfs, "/tmp": self.tmpfs})

    # -- a populated start: from an empty tree, most random steps only find ENOENT ----------

    @initialize(dirs=st.sets(st.sampled_from(["/a", "/b", "/a/a", "/tmp/a", "/tmp/b"])),
                files=st.lists(st.tuples(paths, data), max_size=6))
    def populate(self, dirs: set[str], files: list[tuple[str, bytes]]) -> None:
        for path in sorted(dirs):
            self.mkdir(path)
        for path, content in files:
            self.create(path, content)

    # -- MINIX's limits ------------------------------------------------------------------

    @rule(dir=st.sampled_from(["/", "/a", "/b/a", "/tmp", "/tmp/a"]),
          size=st.sampled_from([NAME_MAX, NAME_MAX + 1]), content=small)
    def long_name(self, dir: str, size: int, content: bytes) -> None:
        path = dir.rstrip("/") + "/" + "n" * size
        try:
            d, _ = self.m.parent(path)
        except Fail:
            d = None
        if d is not None and d.dev == 1 and size > NAME_MAX:
            def model() -> None:
                raise Fail("ENAMETOOLONG")
            self.both(lambda: self.c.write_file(path, content), model)
        else:
            self.create(path, content)

    @rule(path=paths, offset=boundaries, content=small)
    def write_deep(self, path: str, offset: int, content: bytes) -> None:
        self.write_at(path, offset, content)

    @rule(path=paths, back=st.integers(-2, 8), content=st.binary(min_size=1, max_size=20))
    def largest_file(self, path: str, back: int, content: bytes) -> None:
        """On a MINIX file: truncating past the largest file is EFBIG; a write at
        MAX_FILE_SIZE - back is short (EFBIG if nothing fits). All undone afterwards."""
        def model() -> MFile | None:
            n = self.m.node(path, True)
            if isinstance(n, MDir):
                raise Fail("EISDIR")
            return n if n.dev == 1 else None
        fd, n = self.both(lambda: self.c(vp.Open(path, vp.O_RDWR)).fd, model)
        if fd is None:
            return
        try:
            if n is not None:
                self.excursion(path, fd, n, MAX_FILE_SIZE - back, content)
        finally:
            self.c(vp.Close(fd))

    def excursion(self, path: str, fd: int, n: MFile, offset: int, content: bytes) -> None:
        assert self.c.err(vp.Truncate(path, MAX_FILE_SIZE + 1)) == "EFBIG"
        fits = max(0, min(len(content), MAX_FILE_SIZE - offset))
        self.c(vp.Seek(fd, offset))
        if not fits:
            assert self.c.err(vp.Write(fd, content)) == "EFBIG"
            assert self.c(vp.Fstat(fd)).size == len(n.data)
            return
        assert self.c(vp.Write(fd, content)).count == fits
        assert self.c(vp.Fstat(fd)).size == offset + fits
        self.c(vp.Seek(fd, offset - 3))
        assert self.c(vp.Read(fd, 64)).data == bytes(3) + content[:fits]
        self.c(vp.Truncate(fd, len(n.data)))
        assert self.c(vp.Fstat(fd)).size == len(n.data)

    # -- the end -------------------------------------------------------------------------

    def teardown(self) -> None:
        try:
            self.c(vp.Sync())
            self.mfs.close()
            assert_minix_clean(self.image)
            assert_pith_clean(self.image)
            # Mount the image afresh (tmpfs, which never went to disk, stays): the tree
            # must still be the model's.
            self.mfs = FileMfsServer({}, (str(self.image),))
            self.world = World(servers={"/": self.mfs, "/tmp": self.tmpfs})
            self.c = self.world.client()
            self.tree_matches()
            # The directory under the /tmp mount is on the image, empty.
            tmp = self.mfs.fs.lookup(1, "tmp").ino
            assert [name for name, _ in self.mfs.fs.readdir(tmp)[0]] == [".", ".."]
            # And mfs alone (nothing mounted on /tmp) sees the same tree.
            self.m = copy.deepcopy(self.m)
            self.m.root.children["tmp"] = self.m.tmp = MDir(1)
            self.world = World(servers={"/": self.mfs})
            self.c = self.world.client()
            self.tree_matches()
        finally:
            self.mfs.close()
            shutil.rmtree(self.dir, ignore_errors=True)


# The repo's `ci` profile (tests/conftest.py): 200 examples of up to 50 steps, about 15 s.
MfsVfsMachine.TestCase.settings = settings(settings.default)
TestVfsMfs = needs_util_linux(MfsVfsMachine.TestCase)


@pytest.mark.parametrize("mount", ["/", "/tmp"])
@pytest.mark.parametrize("inside", ["file", "full dir"])
def test_rename_into_own_subtree_onto_entry(mount: str, inside: str) -> None:
    """rename(D, D/x) with D/x existing is EINVAL, as on Linux, on mfs ("/") and tmpfs
    ("/tmp") alike, whatever x is."""
    machine = MfsVfsMachine()
    try:
        c, d = machine.c, mount.rstrip("/") + "/d"
        c(vp.Mkdir(d))
        if inside == "file":
            c.write_file(d + "/x", b"")
        else:
            c(vp.Mkdir(d + "/x"))
            c(vp.Mkdir(d + "/x/y"))
        assert c.err(vp.Rename(d, d + "/x")) == "EINVAL"
    finally:
        machine.mfs.close()
        shutil.rmtree(machine.dir, ignore_errors=True)
