"""More of issue 16's commands (od, hexdump, cmp, tac, nl, ...) against the host's tools.

As tests/bin/test_more_commands.py: each row runs the host's tool (GNU's, util-linux's
hexdump) and our script (pith/bin/NAME.py) with the same argv, stdin and files in a fresh
directory (LC_ALL=C); stdout, exit status and the tree left behind must match.
tests/bin/test_on_pith.py runs some of them inside Pith.
"""

from __future__ import annotations

import pytest

from tests.bin.gnu_compare import Case
from tests.bin.test_commands import run_all

BYTES = b"hello world\n\0\1\377abcdefghijklmnopqrstuvwxyz\t\x7f\x80"
DUMP_FILES: dict[str, str | bytes] = {"f": BYTES, "z": bytes(100), "e": "", "g": "abc"}


def split(rows: str) -> list[list[str]]:
    """'a b|c' as [['a', 'b'], ['c']]: a table of argvs in one string."""
    return [row.split() for row in rows.split("|")]


OD_ARGS = split(
    "f|-c f|-An -tx1 f|-An -tx1 -tc f|-t d1 -t u2 f|-t a f|-t x1z f|-tx -td f|-t d8 -A x f"
    "|-bcdosx f|-i -l f|-t o1 -v z|z|-Ad z|-An z|-j 3 f|-N 5 f|-j 0x2 -N 10 -t a f|-j 1b f"
    "|-N 1k f|-w4 -tx1 -Ad f|-w8 -tu4 f|-w f|-t x3 f|-t q f|-A q f|-j 100 f|-w6 -tx4 f"
    "|nope|nope f|f nope|e|-N 0 f|-c f g|-j 2 -c g f|-tx2 g|-tx8 g|-tdC -tuS -toI -txL f"
    "|-tox1 f|--bogus f|-j x f||-An -c|-t")
HEXDUMP_ARGS = split(
    "f|-C f|-b f|-c f|-d f|-o f|-x f|-C -b f|-x -C f|-C -n 5 -s 3 f|-s 100 f|-s 1K f"
    "|-n 0x10 f|-n x f|-n 0 f|z|-C z|-v z|-C -v z|-s 3 z|e|-C e|nope|-C f f|f nope|nope f"
    "|-s 3 f f|-C g|g||-C|-q f")

CASES: dict[str, list[Case]] = {
    "od": [Case(a, b"from\0stdin\n", files=DUMP_FILES) for a in OD_ARGS],
    "hexdump": [Case(a, b"from\0stdin\n", files=DUMP_FILES) for a in HEXDUMP_ARGS],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_host(name: str) -> None:
    problems = run_all(name, CASES[name])
    assert not problems, "\n\n".join(problems)
