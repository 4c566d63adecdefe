"""vfs path resolution and name operations: ., .., mounts, symlinks, POSIX errors."""

from __future__ import annotations

import stat

import pytest

from pith.kernel.core.errors import ServerDied
from pith.lib.server import ServiceError
from pith.protocols import fs
from pith.protocols import vfs as vp
from pith.servers.tmpfs.server import TmpfsServer
from pith.servers.vfs.local import Local
from pith.servers.vfs.server import VfsServer
from tests.servers.vfs.harness import Client, World


@pytest.fixture
def w() -> World:
    return World()


@pytest.fixture
def c(w: World) -> Client:
    return w.client()


def test_dot_and_dotdot(c: Client) -> None:
    c(vp.Mkdir("/a"))
    c(vp.Mkdir("/a/b"))
    c.write_file("/a/b/f", b"x")
    assert c.read_file("/a/./b/../b/f") == b"x"
    assert c.read_file("/../../a//b///f") == b"x"  # ".." at "/" is "/"
    assert c(vp.Stat("/..")).ino == fs.ROOT
    c(vp.Chdir("/a/b"))
    assert c.read_file("f") == b"x" and c.read_file("../b/./f") == b"x"
    assert c(vp.Getcwd()).path == "/a/b"
    c(vp.Chdir("../../.."))
    assert c(vp.Getcwd()).path == "/"


def test_the_tmp_mount(w: World, c: Client) -> None:
    c.write_file("/tmp/t", b"in tmpfs")
    assert w.tmp.inodes[w.tmp.inodes[fs.ROOT].entries["t"]].data == b"in tmpfs"
    assert "t" not in w.root.inodes[w.root.inodes[fs.ROOT].entries["tmp"]].entries
    c(vp.Mkdir("/tmp/d"))
    assert c(vp.Stat("/tmp/d/../..")).dev == 1  # ".." at the mount's root leaves it
    assert c.read_file("/tmp/d/../../tmp/t") == b"in tmpfs"
    c(vp.Chdir("/tmp/d"))
    assert c(vp.Getcwd()).path == "/tmp/d"
    assert c.read_file("../t") == b"in tmpfs"
    c(vp.Chdir(".."))
    assert c(vp.Getcwd()).path == "/tmp"
    c(vp.Chdir(".."))
    assert c(vp.Getcwd()).path == "/" and c(vp.Stat(".")).dev == 1
    assert sorted(c(vp.Listdir("/")).names) == ["tmp"]


def test_cross_mount_and_mount_point_rules(c: Client) -> None:
    c.write_file("/f", b"x")
    assert c.err(vp.Rename("/f", "/tmp/f")) == "EXDEV"
    assert c.err(vp.Link("/f", "/tmp/f")) == "EXDEV"
    assert c.err(vp.Rmdir("/tmp")) == "EBUSY"
    assert c.err(vp.Rename("/tmp", "/t2")) == "EBUSY"
    c(vp.Mkdir("/e"))
    assert c.err(vp.Rename("/e", "/tmp")) == "EBUSY"
    assert c.err(vp.Unlink("/tmp")) == "EISDIR"


def test_symlinks(c: Client) -> None:
    c(vp.Mkdir("/d"))
    c.write_file("/d/f", b"data")
    c(vp.Symlink("/d", "/abs"))
    c(vp.Symlink("d/f", "/rel"))
    c(vp.Symlink("../d", "/d/up"))  # relative to the link's own directory
    c(vp.Symlink("/tmp", "/t"))
    assert c.read_file("/abs/f") == b"data"
    assert c.read_file("/rel") == b"data"
    assert c.read_file("/d/up/up/f") == b"data"
    c.write_file("/t/x", b"via link")
    assert c.read_file("/tmp/x") == b"via link"
    assert c(vp.Readlink("/rel")).target == "d/f"
    assert stat.S_ISLNK(c(vp.Stat("/rel", follow=False)).mode)
    assert stat.S_ISREG(c(vp.Stat("/rel")).mode)
    assert stat.S_ISDIR(c(vp.Stat("/abs/")).mode)  # a trailing "/" follows
    assert c.err(vp.Readlink("/d")) == "EINVAL"
    assert c.err(vp.Open("/rel", vp.O_NOFOLLOW)) == "ELOOP"
    assert c.err(vp.Symlink("x", "/rel")) == "EEXIST"
    c(vp.Chdir("/abs"))
    assert c(vp.Getcwd()).path == "/d"


def test_symlink_loops_and_dangling(c: Client) -> None:
    c(vp.Symlink("/loop2", "/loop1"))
    c(vp.Symlink("/loop1", "/loop2"))
    c(vp.Symlink("self", "/self"))
    for path in ("/loop1", "/self", "/loop1/x"):
        assert c.err(vp.Stat(path)) == "ELOOP"
    assert c.err(vp.Open("/self", vp.O_CREAT | vp.O_WRONLY)) == "ELOOP"
    for i in range(40):  # 40 links in a chain are fine, 41 are not
        c(vp.Symlink(f"/c{i + 1}" if i < 39 else "/end", f"/c{i}"))
    c.write_file("/end", b"end")
    assert c.read_file("/c0") == b"end"
    c(vp.Symlink("/c0", "/c-1"))
    assert c.err(vp.Stat("/c-1")) == "ELOOP"
    c(vp.Symlink("/nowhere/x", "/dangling"))
    c(vp.Symlink("/made", "/maker"))
    assert c.err(vp.Stat("/dangling")) == "ENOENT"
    assert c.err(vp.Open("/dangling", vp.O_CREAT | vp.O_WRONLY)) == "ENOENT"
    c(vp.Open("/maker", vp.O_CREAT | vp.O_WRONLY))  # creates the target
    assert stat.S_ISREG(c(vp.Stat("/made")).mode)
    assert c.err(vp.Open("/maker", vp.O_CREAT | vp.O_EXCL | vp.O_WRONLY)) == "EEXIST"


def test_trailing_slash_and_notdir(c: Client) -> None:
    c.write_file("/f", b"x")
    c(vp.Mkdir("/d/"))
    for request in (vp.Stat("/f/"), vp.Stat("/f/."), vp.Stat("/f/x"), vp.Chdir("/f"),
                    vp.Listdir("/f"), vp.Unlink("/f/"), vp.Rmdir("/f"), vp.Rename("/f", "/g/"),
                    vp.Mkdir("/f/x"), vp.Open("/f/", vp.O_RDONLY)):
        assert c.err(request) == "ENOTDIR", request
    assert c.err(vp.Unlink("/d/")) == "EISDIR"
    assert c.err(vp.Symlink("x", "/new/")) == "ENOENT"
    assert c.err(vp.Symlink("x", "/f/")) == "EEXIST"
    assert c.err(vp.Link("/f", "/d/")) == "EEXIST"
    c(vp.Rename("/d/", "/e/"))
    assert stat.S_ISDIR(c(vp.Stat("/e")).mode)


def test_names(c: Client) -> None:
    c(vp.Mkdir("/d", 0o700))
    assert c(vp.Stat("/d")).mode == stat.S_IFDIR | 0o700
    assert c.err(vp.Mkdir("/d")) == "EEXIST"
    assert c.err(vp.Mkdir("/d/..")) == "EEXIST"
    assert c.err(vp.Mkdir("/x/y")) == "ENOENT"
    c.write_file("/d/f", b"abc")
    c(vp.Link("/d/f", "/g"))
    assert c(vp.Stat("/g")).nlinks == 2
    assert c.err(vp.Link("/d", "/d2")) == "EPERM"
    assert c.err(vp.Link("/nope", "/n2")) == "ENOENT"
    assert c.err(vp.Link("/g", "/d/f")) == "EEXIST"
    assert c.err(vp.Rmdir("/d")) == "ENOTEMPTY"
    assert c.err(vp.Rmdir("/d/.")) == "EINVAL"
    assert c.err(vp.Rmdir("/d/..")) == "ENOTEMPTY"
    assert c.err(vp.Unlink("/d")) == "EISDIR"
    assert c.err(vp.Unlink("/d/..")) == "EISDIR"
    assert c.err(vp.Unlink("/zz")) == "ENOENT"
    assert c.err(vp.Rename("/d/.", "/x")) == "EBUSY"
    assert c.err(vp.Rename("/d", "/d/sub")) == "EINVAL"
    assert c.err(vp.Rename("/nope", "/x")) == "ENOENT"
    c(vp.Rename("/g", "/h"))
    assert c.read_file("/h") == b"abc" and c.err(vp.Stat("/g")) == "ENOENT"
    c(vp.Unlink("/d/f"))
    assert c(vp.Stat("/h")).nlinks == 1
    c(vp.Rmdir("/d"))
    assert c.err(vp.Listdir("/d")) == "ENOENT"
    assert c.err(vp.Listdir("/h")) == "ENOTDIR"
    assert c.err(vp.Chdir("/nope")) == "ENOENT"


def test_listdir_pages(c: Client) -> None:
    names = sorted(f"{i:03d}" + "n" * 250 for i in range(300))
    for n in names:
        c(vp.Open("/tmp/" + n, vp.O_CREAT | vp.O_WRONLY))
    got: list[str] = []
    more = True
    while more:
        page = c(vp.Listdir("/tmp", len(got)))
        got += page.names
        more = page.more
    assert sorted(got) == names
    assert c.err(vp.Listdir("/tmp", -1)) == "EINVAL"


def test_getcwd_of_a_removed_directory(c: Client) -> None:
    c(vp.Mkdir("/gone"))
    c(vp.Chdir("/gone"))
    other = c.world.client(1001)
    other(vp.Rmdir("/gone"))
    assert c.err(vp.Getcwd()) == "ESTALE"
    assert c.err(vp.Open("x", vp.O_CREAT | vp.O_WRONLY)) == "ESTALE"


def test_getcwd_past_path_max_is_enametoolong_and_vfs_goes_on(c: Client) -> None:
    c(vp.Chdir("/tmp"))
    for _ in range(20):  # 20 names of 250 bytes: 5 KiB, over PATH_MAX (4096)
        c(vp.Mkdir("d" * 250))
        c(vp.Chdir("d" * 250))
    assert c.err(vp.Getcwd()) == "ENAMETOOLONG"
    c(vp.Chdir("../../../.."))
    assert c(vp.Getcwd()).path == "/tmp/" + "/".join(["d" * 250] * 16)


def test_mount_points_are_made_on_first_use() -> None:
    w = World(mounts=("/", "/mnt"))
    root, mnt = w.root, w.servers["/mnt"]
    w.client().write_file("/mnt/f", b"x")
    assert "mnt" in root.inodes[fs.ROOT].entries and "f" in mnt.inodes[fs.ROOT].entries
    with pytest.raises(ServiceError, match="EIO"):
        _ = VfsServer({}, filesystems={}).mounts
    deep = VfsServer({}, filesystems={"/": Local(TmpfsServer({}), fs.FsReply),
                                      "/a/b": Local(TmpfsServer({}), fs.FsReply)})
    with pytest.raises(ServiceError, match="ENOENT"):
        _ = deep.mounts  # only the last name of a mount point is made


def test_mount_table_from_args() -> None:
    vfs = VfsServer({"disk": 5, "mem": 6}, ("mount=/:disk", "mount=/tmp:mem"))
    clients = vfs.mount_clients()
    assert {p: c.slot for p, c in clients.items()} == {"/": 5, "/tmp": 6}  # type: ignore[attr-defined]
    default = VfsServer({"mfs": 3, "tmpfs": 4}).mount_clients()
    assert {p: c.slot for p, c in default.items()} == {"/": 3, "/tmp": 4}  # type: ignore[attr-defined]
    for bad in ("mount=/tmp", "mount=tmp:mem", "mount=/:nocap"):
        with pytest.raises(ValueError, match="bad mount"):
            VfsServer({"mem": 1}, (bad,))


def test_a_dead_file_system_is_eio() -> None:
    class Dead:
        def call(self, request: object, timeout: float | None = None) -> object:
            raise ServerDied("the file system died")

    w = World()
    w.vfs.mounts.on[next(iter(w.vfs.mounts.on))].client = Dead()
    c = w.client()
    assert c.err(vp.Stat("/tmp/x")) == "EIO"
    assert c.err(vp.Sync()) == "EIO"
    c.write_file("/f", b"still fine")
    assert c.read_file("/f") == b"still fine"
