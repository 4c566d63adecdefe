# ruff: noqa: E501, SIM115  (an ordinary script, as people write them)
"""zipfile, tarfile, gzip, bz2, lzma and hashlib on files: make archives, list them, read them back."""
import bz2
import gzip
import hashlib
import lzma
import os
import tarfile
import zipfile

os.makedirs("docs/sub")
for i, name in enumerate(["docs/a.txt", "docs/b.csv", "docs/sub/c.txt"]):
    with open(name, "w") as f:
        f.write(f"{name} " * (50 * (i + 1)))
with zipfile.ZipFile("out.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
    for root, _, files in os.walk("docs"):
        for f in sorted(files):
            z.write(os.path.join(root, f))
    z.writestr("extra/note.txt", "written directly")
with zipfile.ZipFile("out.zip") as z:
    print(sorted(z.namelist()), z.testzip())
    print(z.read("extra/note.txt"), z.getinfo("docs/a.txt").file_size)
    z.extractall("unzipped")
    with z.open("docs/b.csv") as f:
        print(f.read(12))
with zipfile.ZipFile("out.zip", "a") as z:
    z.writestr("appended.txt", b"later")
print(len(zipfile.ZipFile("out.zip").namelist()), zipfile.is_zipfile("out.zip"), zipfile.is_zipfile("docs/a.txt"))
print(sorted(os.listdir("unzipped/docs")))
with tarfile.open("out.tar.gz", "w:gz") as t:
    t.add("docs", arcname="d")
with tarfile.open("out.tar.gz") as t:
    print(sorted((m.name, m.isdir(), m.size) for m in t.getmembers()))
    t.extractall("untarred")
    print(t.extractfile("d/a.txt").read(10))
for mode in ["w", "w:bz2", "w:xz"]:
    with tarfile.open("plain.tar" + mode[2:], mode) as t:
        t.add("docs/a.txt")
    print(mode, tarfile.is_tarfile("plain.tar" + mode[2:]), tarfile.open("plain.tar" + mode[2:]).getnames())
print(open("untarred/d/sub/c.txt").read() == open("docs/sub/c.txt").read())
with gzip.open("data.gz", "wt") as f:
    f.write("compressed line\n" * 1000)
with gzip.open("data.gz", "rt") as f:
    print(len(f.readlines()), os.path.getsize("data.gz") < 16000)
print(gzip.decompress(gzip.compress(b"round trip")))
with bz2.open("data.bz2", "wb") as f:
    f.write(b"bz" * 10000)
with lzma.open("data.xz", "wb") as f:
    f.write(b"xz" * 10000)
print(len(bz2.open("data.bz2").read()), len(lzma.open("data.xz").read()))
for name in ["docs/a.txt", "out.zip"]:
    with open(name, "rb") as f:
        digest = hashlib.file_digest(f, "sha1").hexdigest() if name.endswith(".txt") else len(f.read()) > 0
    print(name, digest)
print(hashlib.sha256(b"abc").hexdigest()[:20], hashlib.blake2b(b"x", digest_size=8).hexdigest())
