# ruff: noqa: SIM115  (an ordinary script, as people write them)
"""tempfile: NamedTemporaryFile, TemporaryFile, mkstemp, mkdtemp, TemporaryDirectory, Spooled."""
import os
import tempfile

print(tempfile.gettempdir() == os.environ["TMPDIR"])
with tempfile.NamedTemporaryFile("w+", suffix=".txt", prefix="pre-") as f:
    f.write("hello temp\n")
    f.flush()
    name = f.name
    print(os.path.basename(name).startswith("pre-"), name.endswith(".txt"), os.path.exists(name))
    f.seek(0)
    print(f.read().strip(), open(name).read().strip())
print(os.path.exists(name))
with tempfile.NamedTemporaryFile(delete=False) as f:
    f.write(b"kept")
print(open(f.name, "rb").read(), os.path.exists(f.name))
os.unlink(f.name)
with tempfile.TemporaryFile() as f:
    f.write(b"anonymous " * 1000)
    f.seek(0)
    print(len(f.read()))
fd, path = tempfile.mkstemp(suffix=".dat", dir=".")
os.write(fd, b"data")
os.close(fd)
print(os.path.dirname(path) == os.getcwd(), open(path, "rb").read())
os.remove(path)
d = tempfile.mkdtemp()
print(os.path.isdir(d), os.listdir(d))
os.rmdir(d)
with tempfile.TemporaryDirectory() as d:
    for i in range(3):
        open(os.path.join(d, f"f{i}"), "w").close()
    os.makedirs(os.path.join(d, "sub/sub"))
    print(sorted(os.listdir(d)))
print(os.path.exists(d))
with tempfile.SpooledTemporaryFile(max_size=100, mode="w+") as s:
    s.write("small")
    print(s._rolled)
    s.write("x" * 200)
    print(s._rolled)
    s.seek(0)
    print(len(s.read()))
t = tempfile.TemporaryDirectory()
print(os.path.isdir(t.name))
t.cleanup()
print(os.path.isdir(t.name))
