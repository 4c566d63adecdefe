# ruff: noqa: SIM115, E501  (an ordinary script: open(...).read() as people write it)
"""open/read/write/seek/append/truncate in text and binary modes, and the errors they raise."""
import os

with open("a.txt", "w") as f:
    print("first line", file=f)
    f.write("second line\n")
with open("a.txt", "a") as f:
    f.write("appended\n")
with open("a.txt") as f:
    print(f.readline().rstrip(), "|", f.read().splitlines())
with open("b.bin", "wb") as f:
    f.write(bytes(range(256)) * 300)  # bigger than one message
with open("b.bin", "r+b") as f:
    f.seek(1000)
    print(f.read(4).hex(), f.tell())
    f.seek(-2, os.SEEK_END)
    print(f.read().hex(), f.tell())
    f.seek(10)
    f.write(b"XYZ")
    f.truncate(20)
with open("b.bin", "rb") as f:
    print(f.read().hex(), os.path.getsize("b.bin"))
fd = os.open("c.txt", os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o644)
print(os.write(fd, b"hello world"), os.lseek(fd, 0, os.SEEK_CUR))
os.ftruncate(fd, 5)
os.close(fd)
print(open("c.txt").read(), os.stat("c.txt").st_size)
os.truncate("c.txt", 2)
print(repr(open("c.txt", "rb").read()))
with open("u.txt", "w", encoding="utf-8") as f:
    f.write("héllo wörld ✓\n")
print(open("u.txt", encoding="utf-8").read().strip(), len(open("u.txt", "rb").read()))
for attempt in (lambda: open("missing.txt"), lambda: open("."), lambda: os.open("c.txt", os.O_CREAT | os.O_EXCL),
                lambda: os.mkdir("a.txt"), lambda: os.rmdir("a.txt"), lambda: os.listdir("a.txt"),
                lambda: os.read(999, 1), lambda: os.stat("a.txt/x"), lambda: os.unlink("nowhere")):
    try:
        attempt()
    except OSError as e:
        print(type(e).__name__, e.errno, e.strerror, e.filename)
os.mkdir("d")
open("d/x", "w").close()
try:
    os.rmdir("d")
except OSError as e:
    print(type(e).__name__, e.errno, e.filename)
r, w = os.pipe()
os.write(w, b"through a pipe")
os.close(w)
print(os.read(r, 100), os.read(r, 100))
os.close(r)
print(os.get_inheritable(0))
