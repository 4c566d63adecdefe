"""pathlib: mkdir, write/read, glob, rglob, iterdir, stat, rename, replace, unlink, resolve."""
from pathlib import Path

base = Path("work")
(base / "a" / "b").mkdir(parents=True)
(base / "a").mkdir(exist_ok=True)
for name in ["a/one.txt", "a/b/two.txt", "a/b/three.py", "four.md"]:
    (base / name).write_text(f"{name}\n" * 3)
(base / "data.bin").write_bytes(bytes(range(10)))
print(sorted(p.name for p in base.iterdir()))
print(sorted(str(p.relative_to(base)) for p in base.rglob("*.txt")))
print(sorted(str(p) for p in base.glob("*/*")))
print(sorted(str(p) for p in base.glob("**/*.py")))
p = base / "a" / "one.txt"
print(p.exists(), p.is_file(), p.is_dir(), p.suffix, p.stem, p.parent.name, p.stat().st_size)
print(p.read_text().splitlines(), (base / "data.bin").read_bytes()[3:6])
print(p.with_suffix(".bak").name, p.with_name("x.y").name, p.parts[-3:])
q = p.rename(base / "a" / "renamed.txt")
print(q.name, p.exists(), q.exists())
q.replace(base / "moved.txt")
print(sorted(x.name for x in base.iterdir()))
r = (base / "a" / ".." / "moved.txt").resolve()
print(r.relative_to(Path.cwd()), r.is_absolute(), Path.cwd() == Path(".").resolve())
print(Path("work/moved.txt").absolute().relative_to(Path.cwd().absolute()))
with (base / "moved.txt").open("a") as f:
    f.write("more\n")
print(len((base / "moved.txt").read_text().splitlines()))
(base / "moved.txt").unlink()
(base / "moved.txt").unlink(missing_ok=True)
try:
    (base / "moved.txt").unlink()
except FileNotFoundError as e:
    print("FileNotFoundError", e.filename)
try:
    (base / "a").rmdir()
except OSError as e:
    print(type(e).__name__, e.errno)
(base / "link").symlink_to("four.md")
print((base / "link").is_symlink(), (base / "link").resolve().name, (base / "link").read_text()[:7])
print(Path("work/four.md").samefile("work/link"), Path("~").expanduser() != Path("~"))
touched = base / "touched"
touched.touch()
touched.touch()
print(touched.stat().st_size, touched.exists())
print(sorted(str(p) for p in Path(".").glob("w*")))
print(Path("/").exists(), Path("nope/nothing").exists(), Path("work").is_dir())
