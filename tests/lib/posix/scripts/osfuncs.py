# ruff: noqa: E501, SIM115  (an ordinary script, as people write them)
"""os: walk, scandir, makedirs, replace, stat, chmod, utime, environ, cwd, path.*, umask, urandom."""
import os
import stat
import sys

os.makedirs("t/x/y", exist_ok=True)
os.makedirs("t/x/y", exist_ok=True)
for n in ["t/one", "t/x/two", "t/x/y/three"]:
    with open(n, "w") as f:
        f.write("1234567890")
for root, dirs, files in os.walk("t", topdown=False):
    print(root, sorted(dirs), sorted(files))
with os.scandir("t") as it:
    print(sorted((e.name, e.is_dir(), e.is_file(), e.stat().st_size if e.is_file() else 0) for e in it))
s = os.stat("t/one")
print(s.st_size, stat.S_ISREG(s.st_mode), stat.S_ISDIR(os.stat("t").st_mode), s.st_nlink, type(s.st_mtime).__name__)
print(s.st_mtime > 1e9, s.st_mtime_ns // 10**9 == int(s.st_mtime), s[stat.ST_SIZE], len(s) == 10)
os.chmod("t/one", 0o600)
os.utime("t/one", (1_000_000_000, 1_000_000_000))
os.utime("t/one")
os.replace("t/one", "t/uno")
os.rename("t/uno", "t/x/uno")
print(sorted(os.listdir("t/x")), os.path.exists("t/one"))
os.environ["MY_VAR"] = "value"
print(os.environ.get("MY_VAR"), os.getenv("MISSING", "default"), "MY_VAR" in os.environ)
del os.environ["MY_VAR"]
print(os.environ.get("MY_VAR"), os.environ.get("GREETING"))
here = os.getcwd()
os.chdir("t/x")
print(os.path.relpath(os.getcwd(), here), sorted(os.listdir()))
os.chdir("..")
os.chdir(here)
print(os.getcwd() == here, os.path.abspath("t") == os.path.join(here, "t"))
p = "/a/b/../c/./d.tar.gz"
print(os.path.normpath(p), os.path.basename(p), os.path.dirname(p), os.path.splitext(p))
print(os.path.join("a", "b", "/c", "d"), os.path.split("x/y/z"), os.path.isabs("/x"), os.path.commonpath(["/a/b", "/a/c"]))
print(os.path.isfile("t/x/two"), os.path.isdir("t/x"), os.path.getsize("t/x/two"), os.path.lexists("nope"))
print(os.path.realpath("t/x/../x/y") == os.path.join(here, "t/x/y"), os.path.samefile("t", "t/x/.."))
old = os.umask(0o022)
print(os.umask(old) == 0o022)
print(len(os.urandom(16)), type(os.cpu_count()).__name__, os.sep, os.linesep == "\n", os.name)
try:
    os.get_terminal_size()
except OSError as e:
    print("get_terminal_size:", type(e).__name__)
print(os.get_exec_path({"PATH": "/x:/y"}), os.fspath("p"), os.fsencode("é"), os.fsdecode(b"\xc3\xa9"))
print(os.strerror(2), os.devnull, os.path.exists(os.devnull), sys.getfilesystemencoding())
with open(os.devnull, "w") as f:
    print("gone", file=f)
print(open(os.devnull).read() == "")
fd = os.open("t/fd.txt", os.O_RDWR | os.O_CREAT | os.O_TRUNC)
os.write(fd, b"abcdef")
os.lseek(fd, 2, os.SEEK_SET)
print(os.read(fd, 2), os.fstat(fd).st_size, os.get_inheritable(fd))
os.close(fd)
os.remove("t/x/y/three")
os.removedirs("t/x/y")
print(os.path.exists("t/x/y"), os.path.exists("t/x"))
