# ruff: noqa: SIM115, E501  (an ordinary script, as people write them)
"""open modes r+ w+ a+ x, seek/tell, truncate, encodings, newlines, readline(s), a 5 MB file."""
import hashlib
import io
import os

with open("t.txt", "w+") as f:
    f.write("alpha\nbeta\ngamma\n")
    print(f.tell())
    f.seek(0)
    print(f.readline(), f.readlines())
with open("t.txt", "r+") as f:
    f.seek(6)
    f.write("BETA")
    f.seek(0)
    print(f.read().split())
    f.truncate(10)
print(repr(open("t.txt").read()))
with open("t.txt", "a+") as f:
    f.write("tail\n")
    print(f.tell())
    f.seek(0)
    print(repr(f.read()))
with open("new.txt", "x") as f:
    f.write("exclusive")
try:
    open("new.txt", "x")
except FileExistsError as e:
    print("FileExistsError", e.errno, e.filename)
with open("crlf.txt", "w", newline="\r\n") as f:
    f.write("one\ntwo\n")
print(open("crlf.txt", "rb").read(), open("crlf.txt").read().splitlines(), repr(open("crlf.txt", newline="").read()))
with open("mixed.txt", "wb") as f:
    f.write(b"a\rb\r\nc\nd")
print(open("mixed.txt").readlines(), open("mixed.txt", newline="").readlines())
for enc in ["utf-8", "latin-1", "utf-16", "cp1252", "utf-8-sig"]:
    with open("enc.txt", "w", encoding=enc) as f:
        f.write("caf\u00e9 \u00fcber")
    print(enc, os.path.getsize("enc.txt"), open("enc.txt", encoding=enc).read())
open("bad.txt", "wb").write(b"ok \xff\xfe bad")
try:
    open("bad.txt", encoding="utf-8").read()
except UnicodeDecodeError as e:
    print("UnicodeDecodeError", e.start)
print(open("bad.txt", encoding="utf-8", errors="replace").read(), open("bad.txt", errors="ignore").read())
block = bytes(range(256)) * 4096
with open("big.bin", "wb") as f:
    for _ in range(5):
        f.write(block)
print(os.path.getsize("big.bin"), hashlib.sha256(open("big.bin", "rb").read()).hexdigest()[:16])
h = hashlib.md5()
with open("big.bin", "rb") as f:
    while chunk := f.read(65536):
        h.update(chunk)
    f.seek(-3, io.SEEK_END)
    print(f.read().hex(), f.tell(), f.seekable(), f.readable(), f.writable())
print(h.hexdigest())
with open("big.bin", "rb", buffering=0) as f:
    print(type(f).__name__, len(f.read(100000)), f.readinto(bytearray(10)))
with open("lines.txt", "w") as f:
    f.writelines(f"line {i}\n" for i in range(20000))
with open("lines.txt") as f:
    print(sum(1 for _ in f), f.tell() == os.path.getsize("lines.txt"))
print(open("t.txt").closed, open("t.txt").name, open("t.txt").mode, open("t.txt", "rb").mode)
