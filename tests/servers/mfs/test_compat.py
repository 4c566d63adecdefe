"""Compatibility with util-linux: mkfs.minix images mount in Pith, Pith images pass fsck.minix."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pith.servers.mfs.cache import FileDevice
from pith.servers.mfs.fs import MinixFS
from pith.servers.mfs.layout import MAGIC_V3, Superblock
from pith.tools import fsck as fsck_tool
from pith.tools import mkfs as mkfs_tool
from tests.servers.mfs.helpers import (
    Clock,
    assert_clean,
    blank,
    minix_listing,
    mkfs_minix,
    needs_util_linux,
    new_fs,
    pith_listing,
)

pytestmark = needs_util_linux


@pytest.mark.parametrize(("blocks", "inodes"), [(10, None), (1440, None), (8192, None),
                                                (65536, None), (600_000, None),
                                                (20000, 100), (4096, 5000)])
def test_geometry_matches_mkfs_minix(tmp_path: Path, blocks: int, inodes: int | None) -> None:
    theirs = mkfs_minix(tmp_path / "theirs.img", blocks, inodes)
    ours = blank(tmp_path / "ours.img", blocks)
    MinixFS.format(FileDevice(ours), inodes)
    t, o = theirs.read_bytes(), ours.read_bytes()
    assert o[1024:2048] == t[1024:2048]  # the superblock, byte for byte
    sb = Superblock.unpack(o[1024:2048])
    assert sb.magic == MAGIC_V3 and sb.block_size == 1024
    # the bitmaps are identical too (mkfs.minix's root uses inode 1 and the first zone)
    assert o[2048:sb.itable_start * 1024] == t[2048:sb.itable_start * 1024]
    assert_clean(ours)


def test_mkfs_minix_image_is_read_and_written(tmp_path: Path) -> None:
    path = mkfs_minix(tmp_path / "m.img", 8192)
    fs = MinixFS.mount(FileDevice(path), now=Clock())
    assert fs.readdir(1) == ([(".", 1), ("..", 1)], False)
    root = fs.stat(1)
    assert stat.S_ISDIR(root.mode) and root.nlinks == 2 and root.size == 128
    info = fs.statfs()
    assert (info.blocks, info.inodes, info.name_max) == (8192, 2736, 60)
    d = fs.mkdir(1, "etc", 0o755)
    f = fs.create(d.ino, "motd", 0o644)
    data = os.urandom(20_000)
    assert fs.write(f.ino, 0, data) == len(data)
    fs.symlink(1, "motd", "etc/motd")
    fs.link(1, "hard", f.ino)
    fs.sync()
    assert_clean(path)
    assert minix_listing(path) == ["/etc:", "/etc/motd", "/motd", "/hard"]
    again = MinixFS.mount(FileDevice(path))
    assert again.read(again.lookup(d.ino, "motd").ino, 0, 1 << 20) == data
    assert again.readlink(again.lookup(1, "motd").ino) == "etc/motd"


def test_pith_tree_listed_exactly_by_fsck_minix(tmp_path: Path) -> None:
    path, fs = new_fs(tmp_path, 8192)
    a = fs.mkdir(1, "a", 0o755)
    b = fs.mkdir(a.ino, "b" * 60, 0o700)
    for i in range(40):  # more than one directory block
        fs.create(b.ino, f"file{i:02}", 0o644)
    fs.symlink(a.ino, "up", "..")
    f = fs.create(1, "data", 0o600)
    fs.write(f.ino, 3000, b"x" * 9000)
    fs.link(a.ino, "data-link", f.ino)
    fs.unlink(b.ino, "file07")
    fs.rename(b.ino, "file08", a.ino, "moved")
    fs.sync()
    assert_clean(path)
    assert minix_listing(path) == pith_listing(fs)
    assert "/a/" + "b" * 59 + ":" in minix_listing(path)  # fsck.minix shows 59 of 60 bytes
    assert fs.lookup(a.ino, "b" * 60).ino == b.ino


def test_mkfs_tool_copies_a_host_tree(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "bin" / "deep").mkdir(parents=True)
    (src / "bin" / "mine.py").write_text("print('ls')\n")
    (src / "big").write_bytes(os.urandom(300_000))
    (src / "bin" / "deep" / "empty").write_bytes(b"")
    os.symlink("bin/mine.py", src / "ls")
    os.chmod(src / "bin" / "mine.py", 0o751)
    os.utime(src / "big", (1_600_000_000, 1_600_000_123))
    image = tmp_path / "out.img"
    assert mkfs_tool.main([str(image), "--size", "8M", "--from", str(src)]) == 0
    assert image.stat().st_size == 8 << 20
    assert_clean(image)
    assert fsck_tool.main([str(image)]) == 0
    fs = MinixFS.mount(FileDevice(image))
    pith_bin = sorted(f"/bin/{p.name}" for p in mkfs_tool.BIN.glob("*.py")
                      if p.name != "__init__.py")
    assert pith_bin  # Pith's commands are installed beside what --from brought
    assert sorted(minix_listing(image)) == sorted(
        {"/big", "/bin:", "/bin/deep:", "/bin/deep/empty", "/bin/mine.py", "/ls", "/bin/sh",
         *pith_bin})
    big = fs.lookup(1, "big")
    assert big.mtime == 1_600_000_123
    assert fs.read(big.ino, 0, 1 << 20) == (src / "big").read_bytes()
    ls = fs.lookup(fs.lookup(1, "bin").ino, "mine.py")
    assert stat.S_IMODE(ls.mode) == 0o751
    assert fs.readlink(fs.lookup(1, "ls").ino) == "bin/mine.py"


def test_mkfs_tool_sizes_and_errors(tmp_path: Path) -> None:
    assert mkfs_tool.parse_size("64M") == 64 << 20
    assert mkfs_tool.parse_size("1G") == 1 << 30
    assert mkfs_tool.parse_size("512k") == 512 << 10
    assert mkfs_tool.parse_size("2048") == 2048 * 1024
    with pytest.raises(ValueError):
        mkfs_tool.parse_size("lots")
    assert mkfs_tool.main([str(tmp_path / "x.img"), "--size", "lots"]) == 2
    assert mkfs_tool.main([str(tmp_path / "x.img"), "--size", "4K"]) == 1  # too small
    assert mkfs_tool.main([str(tmp_path / "d.img")]) == 0  # default 64 MiB
    assert (tmp_path / "d.img").stat().st_size == 64 << 20
    assert_clean(tmp_path / "d.img")


def test_cli_commands(tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from pith.tools.fs_cli import fsck_command, mkfs_command

    app = typer.Typer()
    app.command("mkfs")(mkfs_command)
    app.command("fsck")(fsck_command)
    runner = CliRunner()
    image = tmp_path / "c.img"
    result = runner.invoke(app, ["mkfs", str(image), "--size", "2M"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["fsck", str(image)])
    assert result.exit_code == 0 and "clean" in result.output
    with open(image, "r+b") as f:
        f.seek(1024 + 24)
        f.write(b"\0\0")  # the magic
    result = runner.invoke(app, ["fsck", str(image)])
    assert result.exit_code == 4 and "bad magic" in result.output
