"""A Hypothesis state machine drives vfs (tmpfs on "/" and on "/tmp") as a process would,
against a model tree; every outcome (reply or errno) and the whole tree — names, kinds,
contents, sizes, link counts, hard-link identity, devices — must match the model."""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from pith.lib.server import ServiceError
from pith.protocols import vfs as vp
from tests.servers.vfs.harness import World

NAMES = ("a", "b")
PATHS = sorted({"/" + p for p in ("a", "b", "a/a", "a/b", "b/a", "b/b", "a/a/b")}
               | {"/tmp/" + p for p in ("a", "b", "a/a", "a/b", "b/a")} | {"/tmp"})
paths = st.sampled_from(PATHS)
targets = st.sampled_from([*PATHS, "a", "b", "a/b", "b/a"])  # relative: from the link's dir
small = st.binary(max_size=40)
data = small | st.builds(lambda n, b: bytes([b]) * n, st.integers(0, 120_000),
                         st.integers(0, 255))


class Fail(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(eq=False)
class MFile:
    dev: int
    data: bytearray = field(default_factory=bytearray)


@dataclass(eq=False)
class MLink:
    dev: int
    target: str


@dataclass(eq=False)
class MDir:
    dev: int
    children: dict[str, Any] = field(default_factory=dict)


class Model:
    def __init__(self) -> None:
        self.root = MDir(1)
        self.tmp = self.root.children["tmp"] = MDir(2)

    # resolution, as vfs does it
    def dirs(self, names: list[str], links: list[int], d: MDir) -> MDir:
        for name in names:
            n = self.get(d, name)
            if isinstance(n, MLink):
                n = self.follow(n, links, d)
            if not isinstance(n, MDir):
                raise Fail("ENOTDIR")
            d = n
        return d

    def get(self, d: MDir, name: str) -> Any:
        if name not in d.children:
            raise Fail("ENOENT")
        return d.children[name]

    def follow(self, link: MLink, links: list[int], d: MDir) -> Any:
        links[0] += 1
        if links[0] > 40:
            raise Fail("ELOOP")
        return self.node(link.target, True, links, d)

    def parent(self, path: str, links: list[int] | None = None,
               start: MDir | None = None) -> tuple[MDir, str]:
        names = [n for n in path.split("/") if n]
        start = self.root if path.startswith("/") or start is None else start
        return self.dirs(names[:-1], links or [0], start), names[-1]

    def node(self, path: str, follow: bool, links: list[int] | None = None,
             start: MDir | None = None) -> Any:
        links = links or [0]
        d, name = self.parent(path, links, start)
        n = self.get(d, name)
        return self.follow(n, links, d) if isinstance(n, MLink) and follow else n

    def within(self, d: MDir, node: MDir) -> bool:
        return d is node or any(isinstance(c, MDir) and self.within(d, c)
                                for c in node.children.values())


class VfsMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world = self.make_world()
        self.c = self.world.client()
        self.m = Model()

    def make_world(self) -> World:
        """The servers under test (a subclass may put other file systems under vfs)."""
        return World()

    def both(self, real: Any, model: Any) -> Any:
        """Run the real operation and the model's; their outcomes must agree."""
        try:
            expected, want = model(), None
        except Fail as f:
            expected, want = None, f.error
        try:
            got, error = real(), None
        except ServiceError as e:
            got, error = None, e.error
        assert error == want, (error, want)
        return got, expected

    # -- rules -----------------------------------------------------------------------

    @rule(path=paths, content=data)
    def create(self, path: str, content: bytes) -> None:
        def model() -> None:
            d, name = self.m.parent(path)
            links = [0]
            while isinstance(n := d.children.get(name), MLink):
                links[0] += 1
                if links[0] > 40:
                    raise Fail("ELOOP")
                d, name = self.m.parent(n.target, links, d)
            if isinstance(n, MDir):
                raise Fail("EISDIR")
            if n is None:
                n = d.children[name] = MFile(d.dev)
            n.data[:] = content
        self.both(lambda: self.c.write_file(path, content), model)

    @rule(path=paths, offset=st.integers(0, 70_000), content=data)
    def write_at(self, path: str, offset: int, content: bytes) -> None:
        def real() -> None:
            fd = self.c(vp.Open(path, vp.O_WRONLY)).fd
            self.c(vp.Seek(fd, offset))
            assert self.c(vp.Write(fd, content)).count == len(content)
            self.c(vp.Close(fd))

        def model() -> None:
            n = self.m.node(path, True)
            if isinstance(n, MDir):
                raise Fail("EISDIR")
            if content:
                n.data.extend(bytes(max(0, offset - len(n.data))))
                n.data[offset : offset + len(content)] = content
        self.both(real, model)

    @rule(path=paths)
    def read(self, path: str) -> None:
        def model() -> bytes:
            n = self.m.node(path, True)
            if isinstance(n, MDir):
                raise Fail("EISDIR")
            return bytes(n.data)
        got, expected = self.both(lambda: self.c.read_file(path), model)
        assert got == expected

    @rule(path=paths, size=st.integers(0, 70_000))
    def truncate(self, path: str, size: int) -> None:
        def model() -> None:
            n = self.m.node(path, True)
            if isinstance(n, MDir):
                raise Fail("EISDIR")
            del n.data[size:]
            n.data.extend(bytes(size - len(n.data)))
        self.both(lambda: self.c(vp.Truncate(path, size)), model)

    @rule(path=paths)
    def mkdir(self, path: str) -> None:
        def model() -> None:
            d, name = self.m.parent(path)
            if name in d.children:
                raise Fail("EEXIST")
            d.children[name] = MDir(d.dev)
        self.both(lambda: self.c(vp.Mkdir(path)), model)

    @rule(path=paths)
    def rmdir(self, path: str) -> None:
        def model() -> None:
            d, name = self.m.parent(path)
            n = self.m.get(d, name)
            if n is self.m.tmp:
                raise Fail("EBUSY")
            if not isinstance(n, MDir):
                raise Fail("ENOTDIR")
            if n.children:
                raise Fail("ENOTEMPTY")
            del d.children[name]
        self.both(lambda: self.c(vp.Rmdir(path)), model)

    @rule(path=paths)
    def unlink(self, path: str) -> None:
        def model() -> None:
            d, name = self.m.parent(path)
            if isinstance(self.m.get(d, name), MDir):
                raise Fail("EISDIR")
            del d.children[name]
        self.both(lambda: self.c(vp.Unlink(path)), model)

    @rule(to=targets, path=paths)
    def symlink(self, to: str, path: str) -> None:
        def model() -> None:
            d, name = self.m.parent(path)
            if name in d.children:
                raise Fail("EEXIST")
            d.children[name] = MLink(d.dev, to)
        self.both(lambda: self.c(vp.Symlink(to, path)), model)

    @rule(old=paths, new=paths)
    def link(self, old: str, new: str) -> None:
        def model() -> None:
            n = self.m.node(old, False)
            d, name = self.m.parent(new)
            if n.dev != d.dev:
                raise Fail("EXDEV")
            if isinstance(n, MDir):
                raise Fail("EPERM")
            if name in d.children:
                raise Fail("EEXIST")
            d.children[name] = n
        self.both(lambda: self.c(vp.Link(old, new)), model)

    @rule(old=paths, new=paths)
    def rename(self, old: str, new: str) -> None:
        def model() -> None:
            d1, n1 = self.m.parent(old)
            d2, n2 = self.m.parent(new)
            if d1.dev != d2.dev:
                raise Fail("EXDEV")
            node = self.m.get(d1, n1)
            there = d2.children.get(n2)
            if self.m.tmp in (node, there):
                raise Fail("EBUSY")
            if there is node:
                return
            if isinstance(node, MDir) and self.m.within(d2, node):  # first, as Linux does
                raise Fail("EINVAL")
            if there is not None:
                if isinstance(node, MDir) and not isinstance(there, MDir):
                    raise Fail("ENOTDIR")
                if not isinstance(node, MDir) and isinstance(there, MDir):
                    raise Fail("EISDIR")
                if isinstance(there, MDir) and there.children:
                    raise Fail("ENOTEMPTY")
            del d1.children[n1]
            d2.children[n2] = node
        self.both(lambda: self.c(vp.Rename(old, new)), model)

    # -- the whole tree --------------------------------------------------------------

    @invariant()
    def tree_matches(self) -> None:
        counts: dict[int, int] = {}
        self.count(self.m.root, counts)
        inos: dict[int, tuple[int, int]] = {}
        self.compare("/", self.m.root, counts, inos)

    def count(self, d: MDir, counts: dict[int, int]) -> None:
        for n in d.children.values():
            counts[id(n)] = counts.get(id(n), 0) + 1
            if isinstance(n, MDir):
                self.count(n, counts)

    def compare(self, path: str, d: MDir, counts: dict[int, int],
                inos: dict[int, tuple[int, int]]) -> None:
        st_ = self.c(vp.Stat(path, follow=False))
        assert stat.S_ISDIR(st_.mode) and st_.dev == d.dev
        assert st_.nlinks == 2 + sum(isinstance(n, MDir) for n in d.children.values())
        assert sorted(self.c(vp.Listdir(path)).names) == sorted(d.children)
        for name, n in d.children.items():
            sub = path.rstrip("/") + "/" + name
            if isinstance(n, MDir):
                self.compare(sub, n, counts, inos)
                continue
            s = self.c(vp.Stat(sub, follow=False))
            assert inos.setdefault(id(n), (s.dev, s.ino)) == (s.dev, s.ino)
            assert s.nlinks == counts[id(n)] and s.dev == d.dev
            if isinstance(n, MLink):
                assert stat.S_ISLNK(s.mode) and self.c(vp.Readlink(sub)).target == n.target
            else:
                assert stat.S_ISREG(s.mode) and s.size == len(n.data)
        assert len(set(inos.values())) == len(inos)


TestVfs = VfsMachine.TestCase
