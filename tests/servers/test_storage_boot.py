"""mfs over blk, booted on a real image: what is written is on the disk, fsck-clean."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kernel.host.conftest import ROOT, no_leaks  # noqa: F401  (the leak check)

WRITER = """
from pith.lib.server import Client, ServiceError
from pith.protocols import fs
mfs = Client(CAPS["mfs"], fs.FsReply)
docs = mfs.call(fs.Mkdir(fs.ROOT, "docs", 0o40755))
note = mfs.call(fs.Create(docs.ino, "note.txt", 0o100644))
data = bytes(range(256)) * 400   # 100 KiB: indirect zones, split in MAX_IO pieces
for at in range(0, len(data), fs.MAX_IO):
    mfs.call(fs.Write(note.ino, at, data[at:at + fs.MAX_IO]))
back = b"".join(mfs.call(fs.Read(note.ino, at, fs.MAX_IO)).data
                for at in range(0, len(data), fs.MAX_IO))
print("same" if back == data else "DIFFERENT")
print(sorted(name for name, _ in mfs.call(fs.Readdir(docs.ino)).entries))
try:
    mfs.call(fs.Mkdir(fs.ROOT, "docs", 0o40755))
except ServiceError as e:
    print(e.error)
"""

READER = """
from pith.lib.server import Client
from pith.protocols import fs
mfs = Client(CAPS["mfs"], fs.FsReply)
docs = mfs.call(fs.Lookup(fs.ROOT, "docs"))
note = mfs.call(fs.Lookup(docs.ino, "note.txt"))
print(note.size, mfs.call(fs.Read(note.ino, 1000, 4)).data.hex())
"""


def boot(tmp_path: Path, image: Path, mode: str, code: str) -> subprocess.CompletedProcess[str]:
    manifest = tmp_path / "storage.toml"
    text = (ROOT / "examples" / "storage.toml").read_text()
    manifest.write_text(text.replace('provides = ["blk"]', f'provides = ["blk"]\nmode = "{mode}"')
                        .replace('provides = ["mfs"]', f'provides = ["mfs"]\nmode = "{mode}"'))
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", str(manifest), "--image",
            str(image), "--command", f"python -c {shlex.quote(code)}"]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("mode", ["isolated", "collocated"])
def test_files_written_through_mfs_are_on_disk_and_fsck_clean(tmp_path: Path, mode: str) -> None:
    image = tmp_path / "disk.img"
    image.write_bytes(bytes(4 << 20))
    subprocess.run(["mkfs.minix", "-3", str(image)], check=True, capture_output=True)
    done = boot(tmp_path, image, mode, WRITER)
    assert done.stdout.splitlines() == ["same", "['.', '..', 'note.txt']", "EEXIST"], done.stderr
    fsck = subprocess.run(["fsck.minix", "-fl", str(image)], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    assert "/docs/note.txt" in fsck.stdout
    again = boot(tmp_path, image, mode, READER)  # a new boot reads what the last one wrote
    assert again.stdout == f"{256 * 400} {bytes(range(256))[1000 % 256:1000 % 256 + 4].hex()}\n"


THROUGH_VFS = """
from pith.lib.server import Client, ServiceError
from pith.protocols import vfs as vp
v = Client(CAPS["vfs"], vp.VfsReply)
v.call(vp.Mkdir("/home", 0o755))
fd = v.call(vp.Open("/home/hello.txt", vp.O_CREAT | vp.O_WRONLY, 0o644)).fd
v.call(vp.Write(fd, b"hello from vfs\\n" * 3000))
v.call(vp.Close(fd))
v.call(vp.Symlink("/home/hello.txt", "/link"))
fd = v.call(vp.Open("/link", vp.O_RDONLY, 0)).fd
print(v.call(vp.Read(fd, 15)).data)
p = v.call(vp.Pipe()); r, w = p.read, p.write
v.call(vp.Write(w, b"through a pipe"))
print(v.call(vp.Read(r, 100)).data)
fd = v.call(vp.Open("/tmp/scratch", vp.O_CREAT | vp.O_RDWR, 0o600)).fd
print(v.call(vp.Stat("/tmp/scratch")).size, sorted(v.call(vp.Listdir("/")).names))
for bad in (vp.Open("/nowhere/x", vp.O_RDONLY, 0), vp.Rmdir("/home"), vp.Read(99, 1)):
    try:
        v.call(bad)
    except ServiceError as e:
        print(e.error)
"""


@pytest.mark.parametrize("mode", ["isolated", "collocated"])
def test_a_process_uses_files_through_vfs(tmp_path: Path, mode: str) -> None:
    image = tmp_path / "disk.img"
    image.write_bytes(bytes(8 << 20))
    subprocess.run(["mkfs.minix", "-3", str(image)], check=True, capture_output=True)
    manifest = tmp_path / "storage.toml"
    text = (ROOT / "examples" / "storage.toml").read_text()
    manifest.write_text(text.replace("provides = [", f'mode = "{mode}"\nprovides = ['))
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", str(manifest), "--image",
            str(image), "--command", f"python -c {shlex.quote(THROUGH_VFS)}"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines() == [
        "b'hello from vfs\\n'", "b'through a pipe'", "0 ['home', 'link', 'proc', 'tmp']",
        "ENOENT", "ENOTEMPTY", "EBADF"], done.stderr
    fsck = subprocess.run(["fsck.minix", "-fl", str(image)], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    assert {"/home/hello.txt", "/link"} <= set(fsck.stdout.split())
