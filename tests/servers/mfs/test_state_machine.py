"""Hypothesis drives MinixFS with random operations against a model tree; after every step
the whole tree is compared with the model, and at the end both checkers must pass."""

from __future__ import annotations

import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from pith.servers.mfs.cache import FileDevice
from pith.servers.mfs.fs import FsError, MinixFS
from tests.servers.mfs.helpers import Clock, assert_clean, blank, needs_util_linux

NAMES = st.sampled_from(["a", "b", "c", "dd", "é", "n" * 60])
DATA = st.binary(max_size=3000) | st.integers(1, 9000).map(lambda n: bytes([n % 251]) * n)


@dataclass(eq=False)
class Node:
    kind: str  # "f", "d" or "l"
    ino: int
    mtime: int
    mode: int = 0
    data: bytes = b""
    target: str = ""
    children: dict[str, Node] = field(default_factory=dict)
    parent: Node | None = None


class MinixMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="mfs-sm-"))
        self.path = blank(self.dir / "fs.img", 4096)
        self.clock = Clock(1000)
        self.fs = MinixFS.format(FileDevice(self.path), 512, now=self.clock,
                                 cache_blocks=64)  # a small cache: evictions happen
        self.root = Node("d", 1, 1000, 0o755)
        self.root.parent = self.root

    # -- model helpers ------------------------------------------------------------------
    def nodes(self, kind: str) -> list[Node]:
        out: list[Node] = []
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node.kind == kind and node not in out:
                out.append(node)
            if node.kind == "d":
                stack.extend(node.children.values())
        return out

    def tick(self) -> int:
        self.clock.t += 1
        return self.clock.t

    def expect(self, error: str | None, op: object) -> object:
        try:
            result = op()  # type: ignore[operator]
        except FsError as exc:
            assert exc.error == error, f"got {exc.error} ({exc.message}), expected {error}"
            return None
        assert error is None, f"expected {error}, got success"
        return result

    def links(self, node: Node) -> int:
        if node.kind == "d":
            return 2 + sum(1 for c in node.children.values() if c.kind == "d")
        return sum(1 for d in self.nodes("d") for c in d.children.values() if c is node)

    # -- rules --------------------------------------------------------------------------
    @rule(data=st.data(), name=NAMES, kind=st.sampled_from("fdl"), dest=NAMES)
    def make(self, data: st.DataObject, name: str, kind: str, dest: str) -> None:
        parent = data.draw(st.sampled_from(self.nodes("d")))
        t = self.tick()
        err = "EEXIST" if name in parent.children else None
        if kind == "d" and err is None and self.links(parent) >= 255:
            err = "EMLINK"
        ops = {"f": lambda: self.fs.create(parent.ino, name, 0o640),
               "d": lambda: self.fs.mkdir(parent.ino, name, 0o750),
               "l": lambda: self.fs.symlink(parent.ino, name, dest + "/x")}
        attr = self.expect(err, ops[kind])
        if attr is not None:
            node = Node(kind, attr.ino, t, {"f": 0o640, "d": 0o750, "l": 0o777}[kind],  # type: ignore[attr-defined]
                        target=dest + "/x" if kind == "l" else "", parent=parent)
            parent.children[name] = node
            parent.mtime = t

    @rule(data=st.data(), offset=st.integers(0, 20000), payload=DATA)
    def write(self, data: st.DataObject, offset: int, payload: bytes) -> None:
        files = self.nodes("f")
        if not files:
            return
        node = data.draw(st.sampled_from(files))
        t = self.tick()
        assert self.fs.write(node.ino, offset, payload) == len(payload)
        if payload:
            old = node.data.ljust(offset, b"\0")
            node.data = old[:offset] + payload + old[offset + len(payload):]
            node.mtime = t

    @rule(data=st.data(), size=st.integers(0, 30000))
    def truncate(self, data: st.DataObject, size: int) -> None:
        files = self.nodes("f")
        if not files:
            return
        node = data.draw(st.sampled_from(files))
        node.mtime = self.tick()
        self.fs.truncate(node.ino, size)
        node.data = node.data[:size].ljust(size, b"\0")

    @rule(data=st.data(), offset=st.integers(0, 20000), size=st.integers(0, 20000))
    def read(self, data: st.DataObject, offset: int, size: int) -> None:
        files = self.nodes("f")
        if files:
            node = data.draw(st.sampled_from(files))
            assert self.fs.read(node.ino, offset, size) == node.data[offset:offset + size]

    @rule(data=st.data(), name=NAMES)
    def link(self, data: st.DataObject, name: str) -> None:
        files = self.nodes("f")
        if not files:
            return
        node = data.draw(st.sampled_from(files))
        parent = data.draw(st.sampled_from(self.nodes("d")))
        t = self.tick()
        err = "EEXIST" if name in parent.children else None
        if self.expect(err, lambda: self.fs.link(parent.ino, name, node.ino)) is not None:
            parent.children[name] = node
            parent.mtime = t

    @rule(data=st.data(), name=NAMES, rmdir=st.booleans())
    def remove(self, data: st.DataObject, name: str, rmdir: bool) -> None:
        parent = data.draw(st.sampled_from(self.nodes("d")))
        t = self.tick()
        child = parent.children.get(name)
        if child is None:
            err: str | None = "ENOENT"
        elif rmdir:
            err = "ENOTDIR" if child.kind != "d" else ("ENOTEMPTY" if child.children else None)
        else:
            err = "EISDIR" if child.kind == "d" else None
        op = self.fs.rmdir if rmdir else self.fs.unlink
        self.expect(err, lambda: op(parent.ino, name))
        if err is None:
            del parent.children[name]
            parent.mtime = t

    @rule(data=st.data(), sname=NAMES, dname=NAMES)
    def rename(self, data: st.DataObject, sname: str, dname: str) -> None:
        dirs = self.nodes("d")
        sd = data.draw(st.sampled_from(dirs))
        dd = data.draw(st.sampled_from(dirs))
        t = self.tick()
        src = sd.children.get(sname)
        dst = dd.children.get(dname)
        err: str | None = None
        if src is None:
            err = "ENOENT"
        elif dst is src:
            err = "same"
        elif src.kind == "d" and sd is not dd and self.is_ancestor(src, dd):
            err = "EINVAL"
        elif dst is not None and src.kind == "d" and dst.kind != "d":
            err = "ENOTDIR"
        elif dst is not None and src.kind != "d" and dst.kind == "d":
            err = "EISDIR"
        elif dst is not None and dst.kind == "d" and dst.children:
            err = "ENOTEMPTY"
        elif (dst is None and src.kind == "d" and sd is not dd
              and self.links(dd) >= 255):
            err = "EMLINK"
        op = lambda: self.fs.rename(sd.ino, sname, dd.ino, dname)  # noqa: E731
        self.expect(None if err == "same" else err, op)
        if err is None and src is not None:
            del sd.children[sname]
            dd.children[dname] = src
            if src.kind == "d":
                src.parent = dd
            sd.mtime = dd.mtime = t

    def is_ancestor(self, node: Node, d: Node) -> bool:
        while True:
            if d is node:
                return True
            if d is self.root:
                return False
            assert d.parent is not None
            d = d.parent

    # -- checks -------------------------------------------------------------------------
    def compare(self, fs: MinixFS) -> None:
        stack = [self.root]
        while stack:
            d = stack.pop()
            entries, more = fs.readdir(d.ino)
            assert not more
            names = {n: i for n, i in entries}
            assert names.pop(".") == d.ino
            assert names.pop("..") == (d.parent.ino if d.parent else 1)
            assert names == {n: c.ino for n, c in d.children.items()}
            attr = fs.stat(d.ino)
            assert stat.S_ISDIR(attr.mode) and attr.nlinks == self.links(d)
            assert attr.mtime == d.mtime
            for child in d.children.values():
                attr = fs.stat(child.ino)
                assert stat.S_IMODE(attr.mode) == child.mode
                if child.kind == "d":
                    stack.append(child)
                elif child.kind == "f":
                    assert stat.S_ISREG(attr.mode)
                    assert attr.size == len(child.data)
                    assert attr.mtime == child.mtime
                    assert attr.nlinks == self.links(child)
                    assert fs.read(child.ino, 0, 1 << 20) == child.data
                else:
                    assert stat.S_ISLNK(attr.mode) and attr.nlinks == 1
                    assert fs.readlink(child.ino) == child.target

    @invariant()
    def matches_model(self) -> None:
        self.compare(self.fs)

    def teardown(self) -> None:
        try:
            self.fs.sync()
            assert_clean(self.path)
            self.compare(MinixFS.mount(FileDevice(self.path)))
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# The repo profile (tests/conftest.py): `ci` runs 200 examples of 50 steps in about 10 s.
MinixMachine.TestCase.settings = settings(settings.default)
TestMinixMachine = needs_util_linux(MinixMachine.TestCase)
