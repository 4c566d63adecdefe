"""`pith boot` refuses, at once and by name, a Pith tree the booting user cannot read.

Run as root, the checks run in a forked child that has become an ordinary user (root reads
everything, so for root every check passes, as it should: its sandboxed processes read
Pith's code with CAP_DAC_READ_SEARCH).
"""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pith.tools.boot_cli import BootError, check_install


def _unused_uid() -> int:
    for uid in range(62000, 63000):
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
    raise RuntimeError("no unused uid in 62000..62999")


def as_user(check: Callable[[], None]) -> str:
    """Run `check` in a child as an ordinary user: "ok", or the BootError's text."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        out = "ok"
        try:
            os.close(r)
            if os.geteuid() == 0:
                uid = _unused_uid()
                os.setgroups([])
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
            check()
        except BootError as e:
            out = str(e)
        except BaseException as e:
            out = f"unexpected: {e!r}"
        finally:
            try:
                os.write(w, out.encode()[:4000])
            finally:
                os._exit(0)
    os.close(w)
    try:
        with os.fdopen(r, "rb") as pipe:
            data = pipe.read()  # (ends when the child exits)
    finally:
        os.waitpid(pid, 0)
    return data.decode()


@pytest.fixture
def tree() -> Iterator[Path]:
    """A small Pith-like tree in a directory every user can search."""
    top = Path(tempfile.mkdtemp(prefix="pith-install-"))
    try:
        top.chmod(0o755)
        package = top / "pith"
        (package / "servers").mkdir(parents=True)
        (package / "__pycache__").mkdir(mode=0o700)
        for name in ("__init__.py", "servers/__init__.py", "servers/tmpfs.py"):
            (package / name).write_text("")
            (package / name).chmod(0o644)
        for directory in (package, package / "servers"):
            directory.chmod(0o755)
        if os.geteuid() != 0:
            (package / "__pycache__").chmod(0o000)
        yield package
    finally:
        for directory in (top, top / "pith", top / "pith" / "servers",
                          top / "pith" / "__pycache__"):
            directory.chmod(0o755)
        shutil.rmtree(top)


def test_a_readable_tree_passes_and_an_unreadable_bytecode_cache_does_not_matter(
        tree: Path) -> None:
    assert as_user(lambda: check_install(tree)) == "ok"


def test_an_unreadable_file_is_named(tree: Path) -> None:
    (tree / "servers" / "tmpfs.py").chmod(0o600 if os.geteuid() == 0 else 0o000)
    assert as_user(lambda: check_install(tree)) == (
        f"{tree}/servers/tmpfs.py: Permission denied: Pith's code must be readable by the "
        f"user who boots it (uid {_unused_uid() if os.geteuid() == 0 else os.geteuid()})")


def test_an_unlistable_directory_is_named(tree: Path) -> None:
    (tree / "servers").chmod(0o700 if os.geteuid() == 0 else 0o000)
    assert as_user(lambda: check_install(tree)).startswith(
        f"{tree}/servers: Permission denied")


def test_a_tree_under_a_private_directory_is_refused(tree: Path) -> None:
    tree.parent.chmod(0o700 if os.geteuid() == 0 else 0o000)
    assert as_user(lambda: check_install(tree)).startswith(
        f"{tree}: Permission denied: {tree.parent} is not searchable by uid")


def test_this_pith_passes_for_the_user_running_the_tests() -> None:
    check_install()  # (the tests run from this tree, so it is readable)
