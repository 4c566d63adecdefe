"""Kernel size check: counts the code lines of every .py file under `pith/kernel/`.

A code line is a line holding at least one token that is not a comment and not
part of a docstring (module, class or function). Blank lines, comment-only lines
and docstring lines do not count; a line with code and a trailing comment does,
and so does every line of a multi-line string that is not a docstring.

CI fails above LIMIT code lines (docs/design.md §2); AIM is where we want to be.
Reads files only. Entry points: `code_lines`, `count_code_lines`, `measure`, `main`.
Run as `python -m pith.tools.kernel_size [--limit N] [--root DIR]` or `pith kernel-size`.
"""

from __future__ import annotations

import argparse
import ast
import io
import sys
import tokenize
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "AIM",
    "DEFAULT_ROOT",
    "LIMIT",
    "code_lines",
    "count_code_lines",
    "main",
    "measure",
]

LIMIT = 2000
AIM = 1500
DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "kernel"

# (line, column in characters): the coordinates tokenize uses.
Position = tuple[int, int]

_NOT_CODE = frozenset(
    {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENDMARKER,
        tokenize.ENCODING,
    }
)

_HAS_DOCSTRING = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _char_column(lines: Sequence[str], line: int, byte_col: int) -> int:
    """Convert ast's UTF-8 byte column on 1-based `line` to tokenize's character column."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def _docstring_spans(source: str, lines: Sequence[str]) -> list[tuple[Position, Position]]:
    """Return the (start, end) of every module, class and function docstring in `source`."""
    spans: list[tuple[Position, Position]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, _HAS_DOCSTRING) or not node.body:
            continue
        first = node.body[0]
        if not (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            continue
        end_line = first.end_lineno if first.end_lineno is not None else first.lineno
        end_col = first.end_col_offset if first.end_col_offset is not None else 0
        start = (first.lineno, _char_column(lines, first.lineno, first.col_offset))
        end = (end_line, _char_column(lines, end_line, end_col))
        spans.append((start, end))
    return spans


def code_lines(source: str) -> set[int]:
    """Return the 1-based numbers of the code lines of `source`.

    Raises SyntaxError or tokenize.TokenError when `source` is not valid Python.
    """
    lines = io.StringIO(source).readlines()
    spans = _docstring_spans(source, lines)
    result: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in _NOT_CODE:
            continue
        if any(start <= tok.start and tok.end <= end for start, end in spans):
            continue
        result.update(range(tok.start[0], tok.end[0] + 1))
    return result


def count_code_lines(source: str) -> int:
    """Return how many code lines `source` has (see the module docstring)."""
    return len(code_lines(source))


def measure(root: Path) -> list[tuple[Path, int]]:
    """Return (path relative to `root`, code lines) for every .py file under `root`, sorted."""
    results: list[tuple[Path, int]] = []
    for path in sorted(root.rglob("*.py")):
        with tokenize.open(path) as f:
            source = f.read()
        try:
            count = count_code_lines(source)
        except (SyntaxError, tokenize.TokenError) as e:
            raise ValueError(f"cannot parse {path}: {e}") from e
        results.append((path.relative_to(root), count))
    return results


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pith.tools.kernel_size",
        description="Count the code lines of the Pith kernel and fail above the limit.",
    )
    parser.add_argument(
        "--limit", type=int, default=LIMIT, help=f"maximum code lines (default {LIMIT})"
    )
    parser.add_argument(
        "--root", type=Path, default=DEFAULT_ROOT, help="directory to count (default pith/kernel)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the per-file table and the total; return 1 above the limit, 2 on bad input."""
    args = _parse_args(argv)
    root: Path = args.root
    limit: int = args.limit
    if not root.is_dir():
        print(f"kernel size: {root} is not a directory", file=sys.stderr)
        return 2
    try:
        results = measure(root)
    except ValueError as e:
        print(f"kernel size: {e}", file=sys.stderr)
        return 2
    print(f"{'lines':>7}  file")
    for path, count in results:
        print(f"{count:>7}  {path.as_posix()}")
    total = sum(count for _, count in results)
    print(f"kernel size: {total} code lines (limit {limit}, aim {AIM})")
    if total > limit:
        print(
            f"kernel size: FAIL: {total} code lines is above the limit of {limit}; "
            "move policy out of the kernel into a server",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
