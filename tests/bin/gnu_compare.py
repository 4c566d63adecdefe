"""Run one of Pith's commands and the GNU tool it imitates on the same setup, and compare.

A Case names the argv, stdin and the files to create first; `compare` runs the GNU tool
(/usr/bin/NAME with LC_ALL=C) and our script (python pith/bin/NAME.py) one after the other in
the same fresh directory and returns what differed: stdout, exit status and the directory tree
left behind (names, kinds, contents, modes, link targets). Usable by hand as well:
    python tests/bin/gnu_compare.py sort -r -n   (stdin from the terminal's stdin)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(__file__).resolve().parents[2] / "pith" / "bin"
STAMP = int(time.time()) - 7200  # every set-up file's mtime: recent, and the same for both runs
Check = Callable[[bytes, bytes], str | None]


@dataclass
class Case:
    """argv after the command name; files: 'd/' a directory, 'l@' a symlink to the value,
    'x*' an executable file, else a file holding the value (str or bytes)."""

    args: list[str]
    stdin: bytes = b""
    files: dict[str, str | bytes] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    check: Check | None = None  # None: stdout must be equal; else a shape check, None if fine
    mtimes: dict[str, int] = field(default_factory=dict)  # else every file's is STAMP


@dataclass
class Result:
    out: bytes
    err: bytes
    status: int
    tree: list[tuple[str, ...]]


def make_files(root: Path, files: dict[str, str | bytes], mtimes: dict[str, int]) -> None:
    for name, value in files.items():
        if name.endswith("/"):
            (root / name).mkdir(parents=True, exist_ok=True)
            continue
        path = root / name.rstrip("@*")
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("@"):
            path.symlink_to(str(value))
            continue
        path.write_bytes(value.encode() if isinstance(value, str) else value)
        if name.endswith("*"):
            path.chmod(0o755)
    for path in sorted(root.rglob("*"), reverse=True):
        t = mtimes.get(str(path.relative_to(root)), STAMP)
        os.utime(path, (t, t), follow_symlinks=False)


def when(path: Path) -> str:
    """A file's mtime when it was set on purpose (in the past), else just 'recent'."""
    mtime = int(path.lstat().st_mtime)
    return "recent" if mtime > time.time() - 600 else str(mtime)


def snapshot(root: Path) -> list[tuple[str, ...]]:
    tree: list[tuple[str, ...]] = []
    for path in sorted(root.rglob("*")):
        name = str(path.relative_to(root))
        if path.is_symlink():
            tree.append((name, "link", os.readlink(path)))
        elif path.is_dir():
            tree.append((name, "dir", oct(path.stat().st_mode & 0o7777), when(path)))
        else:
            data = path.read_bytes()
            tree.append((name, "file", oct(path.stat().st_mode & 0o7777), repr(data[:200]),
                         when(path)))
    return tree


def environment(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "COLUMNS"))}
    env.update(LC_ALL="C", **extra)
    return env


def run(argv: list[str], case: Case, root: Path, executable: str | None = None) -> Result:
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    make_files(root, case.files, case.mtimes)
    proc = subprocess.run(argv, input=case.stdin, capture_output=True, cwd=root,
                          env=environment(case.env), timeout=20, executable=executable)
    return Result(proc.stdout, proc.stderr, proc.returncode, snapshot(root))


def ours(name: str) -> list[str]:
    return [sys.executable, str(BIN / f"{name}.py")]


def gnu(name: str) -> str:
    """The GNU tool; it runs with argv[0] = name so that its messages say NAME: as ours do."""
    return f"/usr/bin/{name}"


def compare(name: str, case: Case, tmp: Path) -> str | None:
    """What differs between GNU's run and ours, or None."""
    root = tmp / "work"
    want = run([name, *case.args], case, root, gnu(name))
    got = run(ours(name) + case.args, case, root)
    problems = []
    if got.status != want.status:
        problems.append(f"status {got.status} != GNU {want.status}")
    if case.check is None and got.out != want.out:
        problems.append(f"stdout\n ours: {got.out[:2000]!r}\n  GNU: {want.out[:2000]!r}")
    elif case.check is not None and (why := case.check(got.out, want.out)):
        problems.append(f"shape: {why}\n ours: {got.out[:2000]!r}\n  GNU: {want.out[:2000]!r}")
    if got.tree != want.tree:
        problems.append(f"tree\n ours: {got.tree}\n  GNU: {want.tree}")
    if not problems:
        return None
    return f"{name} {case.args} stdin={case.stdin[:60]!r}: " + "; ".join(problems) + (
        f"\n ours stderr: {got.err[-800:]!r}")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        stdin = b"" if sys.stdin.isatty() else sys.stdin.buffer.read()
        print(compare(sys.argv[1], Case(sys.argv[2:], stdin), Path(tmp)) or "same")
