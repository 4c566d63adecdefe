# ruff: noqa: SIM115, E501  (an ordinary script: open(...).read() as people write it)
"""Make a tree, walk it, copy it, move it, list it with pathlib and glob, remove it."""
import glob
import os
import pathlib
import shutil
import tempfile

os.makedirs("src/a/b", exist_ok=True)
os.makedirs("src/c")
for i, p in enumerate(["src/top.txt", "src/a/one.txt", "src/a/b/two.py", "src/c/three.txt"]):
    pathlib.Path(p).write_text(f"file {i}\n" * (i + 1))
os.symlink("top.txt", "src/link")
for root, dirs, files in os.walk("src"):
    dirs.sort()
    print(root, sorted(dirs), sorted(files))
shutil.copytree("src", "dst", symlinks=True)
print(sorted(str(p) for p in pathlib.Path("dst").rglob("*")))
print(os.readlink("dst/link"), os.path.islink("dst/link"), open("dst/link").read().strip())
shutil.copy("src/top.txt", "copy.txt")
shutil.copy2("src/top.txt", "copy2.txt")
shutil.move("copy.txt", "dst/moved.txt")
print(sorted(os.listdir("dst")), os.path.exists("copy.txt"))
print(sorted(glob.glob("src/**/*.txt", recursive=True)), sorted(glob.glob("dst/*.txt")))
entries = sorted((e.name, e.is_dir(), e.is_file(), e.is_symlink()) for e in os.scandir("src"))
print(entries)
p = pathlib.Path("dst/a")
print(sorted(x.name for x in p.iterdir()), p.is_dir(), (p / "one.txt").read_text().count("\n"))
print(pathlib.Path("src/a/../top.txt").resolve().name, os.path.realpath("src/link").endswith("src/top.txt"))
os.rename("dst/moved.txt", "dst/renamed.txt")
os.replace("dst/renamed.txt", "dst/top.txt")
print(open("dst/top.txt").read().strip())
os.link("dst/top.txt", "dst/hard.txt")
print(os.stat("dst/hard.txt").st_nlink, os.path.samefile("dst/hard.txt", "dst/top.txt"))
shutil.rmtree("dst")
print(os.path.exists("dst"), sorted(os.listdir(".")))
with tempfile.TemporaryDirectory() as t:
    with tempfile.NamedTemporaryFile("w", dir=t, delete=False, suffix=".tmp") as f:
        f.write("temp data")
    print(os.path.basename(t) != "", open(f.name).read(), len(os.listdir(t)))
print(os.path.exists(t))
fd, name = tempfile.mkstemp(dir=".")
os.write(fd, b"x")
os.close(fd)
print(os.path.getsize(name))
os.remove(name)
print(shutil.disk_usage(".").total >= 0, os.path.isdir(os.getcwd()))
os.chdir("src")
print(sorted(os.listdir()), os.path.basename(os.getcwd()))
