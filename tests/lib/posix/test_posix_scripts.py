"""Ordinary Python scripts give the same output on Pith as on the host.

Each script in scripts/ runs with the host's python and on a booted Pith (tests/lib/posix/
system.toml: vfs on tmpfs, pm, tty), from a spawn with stdin, stdout and stderr on files;
stdout, the exit status and stderr (its last line, where a traceback's file paths differ)
must match.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kernel.host.conftest import no_leaks  # noqa: F401  (the leak check)
from tests.lib.posix.pith_run import Case, Outcome, on_host, on_pith

CSV = "name,city,age\nana,lisbon,31\nbo,oslo,45\ncy,lisbon,27\ndee,rome,38\ned,oslo,52\n"
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
]


@pytest.fixture(scope="module")
def pith_outcomes() -> dict[str, Outcome]:
    return on_pith(CASES)


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
