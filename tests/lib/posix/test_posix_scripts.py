"""Ordinary Python scripts give the same output on Pith as on the host.

Each script in scripts/ runs with the host's python and on a booted Pith (tests/lib/posix/
system.toml: vfs on tmpfs, pm, tty), from a spawn with stdin, stdout and stderr on files;
stdout, the exit status and stderr (its last line, where a traceback's file paths differ)
must match. What cannot work on Pith (sqlite3 on a file, multiprocessing) must fail at once
with the Python exception expected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kernel.host.conftest import no_leaks  # noqa: F401  (the leak check)
from tests.lib.posix.pith_run import Case, Outcome, on_host, on_pith

CSV = "name,city,age\nana,lisbon,31\nbo,oslo,45\ncy,lisbon,27\ndee,rome,38\ned,oslo,52\n"
TEXT = "alpha beta\ngamma\n\ndelta \u00e9psilon\nlast line no newline"
NOTES = '[{"text": "a", "tag": "work"}, {"text": "b", "tag": "home"}]'
POEM = "The cat sat.\nThe cat ran; the dog sat!\n\nA dog, a cat, the end.\n"
CASES = [
    Case("wordcount", "wordcount.py", ["poem.txt", "-"], stdin="more words the cat\n",
         files={"poem.txt": POEM}),
    Case("files", "files.py"),
    Case("tree", "tree.py"),
    Case("records", "records.py", ["people.csv"], files={"people.csv": CSV}),
    Case("options", "options.py", ["--count", "2", "--shout", "hi", "there"],
         env={"GREETING": "hello"}),
    Case("options_exit_text", "options.py", ["--count", "3", "x"]),
    Case("options_exit_3", "options.py", ["--count", "0"]),
    Case("options_bad", "options.py", ["--count", "many"]),
    Case("lines", "lines.py", stdin="one\ntwo\nthree\nfour\n"),
    Case("crash", "crash.py", scripts=["helper.py"]),
    Case("procs", "procs.py", scripts=["child.py"]),
    Case("subprocesses", "subprocesses.py", scripts=["child.py"]),
    Case("modes", "modes.py"),
    *[Case(f"stdin_{way}", "stdin_ways.py", [way], stdin=TEXT)
      for way in ["iter", "read", "readlines", "buffer", "chunks", "input", "fileinput"]],
    Case("stdin_fileinput_files", "stdin_ways.py", ["fileinput", "a.txt", "-", "b.txt"],
         stdin="from stdin\n", files={"a.txt": "A1\nA2\n", "b.txt": "B1"}),
    Case("printing", "printing.py"),
    Case("logs", "logs.py"),
    Case("paths", "paths.py"),
    Case("shutils", "shutils.py"),
    Case("osfuncs", "osfuncs.py", env={"GREETING": "hi"}),
    Case("temps", "temps.py"),
    Case("fileio", "fileio.py"),
    Case("archives", "archives.py"),
    Case("formats", "formats.py"),
    Case("stdlib_misc", "stdlib_misc.py"),
    Case("commands_add", "commands.py", ["-vv", "add", "buy", "milk", "--tag", "home"]),
    Case("commands_show", "commands.py", ["ls", "--tag", "work"], files={"notes.json": NOTES}),
    *[Case(f"commands_{name}", "commands.py", args) for name, args in [
        ("empty", ["show", "-q"]), ("bad", ["add", "--tag", "nope", "x"]),
        ("excl", ["show", "--json", "-q"]), ("none", []), ("help", ["add", "--help"])]],
    Case("workers", "workers.py"),
    Case("signals", "signals.py"),
    *[Case(f"exits_{how}", "exits.py", [how])
      for how in ["int", "big", "text", "none", "chained", "ctrlc", "exit", "nested",
                  "systemexit_in_finally", "excepthook", "normal"]],
    Case("timing", "timing.py"),
    Case("sockets", "sockets.py"),
]
# What cannot work on Pith (sqlite3's C code opens host files; multiprocessing forks or
# needs host semaphores) must fail at once with a Python exception: the last line of stderr.
UNSUPPORTED = [
    (Case("sqlite", "sqlmp.py", ["sqlite"]),
     "sqlite3.OperationalError: unable to open database file"),
    (Case("mp_pool", "sqlmp.py", ["mp"]), "PermissionError: [Errno 13] Permission denied"),
    (Case("mp_process", "sqlmp.py", ["mpprocess"]),
     "OSError: [Errno 38] Pith has no fork: start programs with os.posix_spawn"),
]


@pytest.fixture(scope="module")
def pith_outcomes() -> dict[str, Outcome]:
    return on_pith([*CASES, *(c for c, _ in UNSUPPORTED)])


def last_line(text: str) -> str:
    return text.rstrip("\n").rpartition("\n")[2]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_script_runs_on_pith_as_on_the_host(case: Case, pith_outcomes: dict[str, Outcome],
                                            tmp_path: Path) -> None:
    host = on_host(case, tmp_path / case.name)
    pith = pith_outcomes[case.name]
    assert (pith.status, pith.out) == (host.status, host.out), pith.err
    assert last_line(pith.err) == last_line(host.err)
    if "Traceback" in host.err:
        assert "Traceback (most recent call last):" in pith.err


@pytest.mark.parametrize(("case", "error"), UNSUPPORTED, ids=[c.name for c, _ in UNSUPPORTED])
def test_what_cannot_work_fails_clearly(case: Case, error: str,
                                        pith_outcomes: dict[str, Outcome]) -> None:
    pith = pith_outcomes[case.name]
    assert (pith.status, last_line(pith.err)) == (1, error), pith.err
    assert pith.out == "[('a', 4), ('b', 2)]\n"  # (sqlite3 in memory works)
