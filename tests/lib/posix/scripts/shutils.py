# ruff: noqa: E501, SIM115  (an ordinary script, as people write them)
"""shutil: copy, copy2, copyfile, copytree (ignore), move, rmtree, disk_usage, which, archives."""
import os
import shutil

os.makedirs("src/sub/deep")
for name in ["src/a.txt", "src/sub/b.txt", "src/sub/deep/c.log", "src/skip.pyc"]:
    with open(name, "w") as f:
        f.write(name * 100)
print(shutil.copy("src/a.txt", "a_copy.txt"), os.path.getsize("a_copy.txt"))
os.mkdir("into")
print(shutil.copy("src/a.txt", "into"), shutil.copy2("src/a.txt", "a2.txt"))
print(shutil.copyfile("src/sub/b.txt", "b.txt"), open("b.txt").read() == open("src/sub/b.txt").read())
dst = shutil.copytree("src", "dst", ignore=shutil.ignore_patterns("*.pyc", "deep"))
print(dst, sorted(os.path.relpath(os.path.join(r, f), "dst") for r, _, fs in os.walk("dst") for f in fs))
shutil.copytree("src", "dst", dirs_exist_ok=True)
print(sorted(os.listdir("dst/sub")))
print(shutil.move("a_copy.txt", "into/moved.txt"), sorted(os.listdir("into")))
print(shutil.move("dst", "into"), os.path.isdir("into/dst/sub/deep"))
try:
    shutil.copy("nothing.txt", "x")
except FileNotFoundError as e:
    print("FileNotFoundError", e.filename)
try:
    shutil.copytree("src", "into/dst")
except FileExistsError as e:
    print("FileExistsError", e.filename)
shutil.rmtree("into")
print(os.path.exists("into"), sorted(os.listdir(".")))
shutil.rmtree("gone", ignore_errors=True)
try:
    shutil.rmtree("gone")
except FileNotFoundError as e:
    print("FileNotFoundError", e.filename)
usage = shutil.disk_usage(".")
print(usage.total >= usage.used >= 0, usage.free >= 0, len(usage))
print(shutil.which("no-such-command-here"), shutil.which("python3") is not None or shutil.which("python") is not None)
name = shutil.make_archive("arch", "zip", "src")
print(os.path.basename(name), os.path.getsize(name) > 0)
shutil.unpack_archive(name, "unpacked")
print(sorted(os.path.relpath(os.path.join(r, f), "unpacked") for r, _, fs in os.walk("unpacked") for f in fs))
name = shutil.make_archive("arch", "gztar", "src")
shutil.unpack_archive(name, "untarred")
print(os.path.basename(name), sorted(os.listdir("untarred/sub")))
print(shutil.get_terminal_size((77, 22)))
