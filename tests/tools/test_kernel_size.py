"""Tests for pith.tools.kernel_size: what counts as a kernel code line, and the limit."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pith.tools.kernel_size import code_lines, count_code_lines, main, measure


def _write(root: Path, name: str, source: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def test_blank_and_comment_lines_do_not_count() -> None:
    source = "\n# a comment\n\nx = 1\n    \n# another\n"
    assert code_lines(source) == {4}


def test_trailing_comment_counts_as_code() -> None:
    assert count_code_lines("x = 1  # the answer\n") == 1


def test_docstrings_do_not_count() -> None:
    source = textwrap.dedent(
        '''\
        """Module docstring,
        over two lines."""

        class C:
            """Class docstring."""

            def f(self) -> int:
                """Function
                docstring.
                """
                return 1


        async def g() -> None:
            """Async docstring."""
        '''
    )
    # class C:, def f, return 1, async def g
    assert code_lines(source) == {4, 7, 11, 14}


def test_multiline_string_that_is_not_a_docstring_counts() -> None:
    source = textwrap.dedent(
        '''\
        def f() -> str:
            x = 1
            """Not a docstring: not the first statement."""
            return """a
        b
        c"""

        TEXT = """one
        two"""
        '''
    )
    assert code_lines(source) == {1, 2, 3, 4, 5, 6, 8, 9}


def test_docstring_on_the_def_line_keeps_the_def() -> None:
    assert count_code_lines('def f() -> None: """Doc."""\n') == 1


def test_non_ascii_before_docstring() -> None:
    source = 'def é() -> None: """Doc — with a dash."""\n'
    assert count_code_lines(source) == 1


def test_measure_lists_every_file(tmp_path: Path) -> None:
    _write(tmp_path, "a.py", "x = 1\n")
    _write(tmp_path, "core/b.py", '"""Doc."""\ny = 2\nz = 3\n')
    assert measure(tmp_path) == [(Path("a.py"), 1), (Path("core/b.py"), 2)]


def test_main_passes_under_the_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "a.py", "x = 1\ny = 2\n")
    assert main(["--root", str(tmp_path), "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "a.py" in out
    assert "kernel size: 2 code lines (limit 2, aim 1500)" in out


def test_main_fails_above_the_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "a.py", "x = 1\ny = 2\nz = 3\n")
    assert main(["--root", str(tmp_path), "--limit", "2"]) == 1
    assert "above the limit of 2" in capsys.readouterr().err


def test_module_exits_1_above_the_limit(tmp_path: Path) -> None:
    _write(tmp_path, "a.py", "x = 1\ny = 2\n")
    proc = subprocess.run(
        [sys.executable, "-m", "pith.tools.kernel_size", "--root", str(tmp_path), "--limit", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert "kernel size: 2 code lines (limit 1, aim 1500)" in proc.stdout
    assert "above the limit of 1" in proc.stderr


def test_unparsable_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, "bad.py", "def (:\n")
    assert main(["--root", str(tmp_path)]) == 2
    assert "cannot parse" in capsys.readouterr().err


def test_the_real_kernel_is_within_the_limit() -> None:
    assert main([]) == 0
