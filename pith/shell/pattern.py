"""Shell pattern matching (`case`, `${x%pat}`) and pathname expansion (globbing).

A pattern is a list of (text, active) segments: only active (unquoted) `* ? [` are special.
Entry points: compile_pattern, match, has_magic, glob.
"""

from __future__ import annotations

import os
import re

__all__ = ["Segs", "compile_pattern", "glob", "has_magic", "match"]

Segs = list[tuple[str, bool]]

CLASSES = {"alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z",
           "lower": "a-z", "space": r" \t\n\r\f\v", "blank": r" \t", "punct": r"!-/:-@\[-`{-~",
           "xdigit": "0-9A-Fa-f", "cntrl": r"\x00-\x1f\x7f", "print": r" -~", "graph": r"!-~"}


def _chars(segs: Segs) -> list[tuple[str, bool]]:
    return [(c, active) for text, active in segs for c in text]


def has_magic(segs: Segs) -> bool:
    """Whether the pattern can match anything but itself: an active * or ?, or an active [
    that starts a complete bracket expression (`[` alone, as in `[ $x ]`, is plain)."""
    if not any(active and any(c in "*?[" for c in text) for text, active in segs):
        return False
    chars = _chars(segs)
    for i, (c, active) in enumerate(chars):
        if active and (c in "*?" or (c == "[" and _bracket(chars, i) is not None)):
            return True
    return False


def _bracket(chars: list[tuple[str, bool]], i: int) -> tuple[str, int] | None:
    """A bracket expression starting at chars[i] == '[': (regex, next index) or None."""
    j = i + 1
    neg = False
    if j < len(chars) and chars[j][1] and chars[j][0] in "!^":
        neg = True
        j += 1
    out: list[str] = []
    first = True
    while j < len(chars):
        c, active = chars[j]
        if c == "]" and active and not first:
            body = "".join(out)
            return ("[^" if neg else "[") + body + "]", j + 1
        first = False
        if c == "[" and active and j + 1 < len(chars) and chars[j + 1][0] == ":":
            rest = "".join(ch for ch, _ in chars[j + 2:])
            end = rest.find(":]")
            if end >= 0 and rest[:end] in CLASSES:
                out.append(CLASSES[rest[:end]])
                j += 2 + end + 2
                continue
        if c == "-" and out and j + 1 < len(chars) and chars[j + 1][0] != "]":
            out.append("-")
        else:
            out.append(re.escape(c) if c not in "-" else r"\-")
        j += 1
    return None


def compile_pattern(segs: Segs, anchored: bool = True) -> str:
    """The regex (source) equivalent to a shell pattern."""
    chars = _chars(segs)
    out = []
    i = 0
    while i < len(chars):
        c, active = chars[i]
        if active and c == "*":
            out.append(".*")
        elif active and c == "?":
            out.append(".")
        elif active and c == "[":
            b = _bracket(chars, i)
            if b is not None:
                out.append(b[0])
                i = b[1]
                continue
            out.append(r"\[")
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def match(segs: Segs, text: str) -> bool:
    return re.fullmatch(compile_pattern(segs), text, re.DOTALL) is not None


def _split_slash(segs: Segs) -> list[Segs]:
    parts: list[Segs] = [[]]
    for text, active in segs:
        pieces = text.split("/")
        for k, piece in enumerate(pieces):
            if k:
                parts.append([])
            if piece:
                parts[-1].append((piece, active))
    return parts


def glob(segs: Segs) -> list[str]:
    """Pathnames matching the pattern, sorted; [] when none match."""
    comps = _split_slash(segs)
    absolute = not comps[0]
    paths = ["/" if absolute else ""]
    for k, comp in enumerate(comps[1:] if absolute else comps):
        last = k == len(comps) - (2 if absolute else 1)
        if not comp:
            paths = [p + "/" if p and not p.endswith("/") else p for p in paths]
            continue
        paths = _step(paths, comp, last)
        if not paths:
            return []
    return sorted(paths)


def _step(paths: list[str], comp: Segs, last: bool) -> list[str]:
    def join(p: str, name: str) -> str:
        return name if not p else (p + name if p.endswith("/") else p + "/" + name)

    if not has_magic(comp):
        name = "".join(t for t, _ in comp)
        return [join(p, name) for p in paths if os.path.lexists(join(p, name))]
    rx = re.compile(compile_pattern(comp), re.DOTALL)
    dot_ok = comp[0][0].startswith(".")
    out = []
    for p in paths:
        try:
            names = os.listdir(p or ".")
        except OSError:
            continue
        if dot_ok:  # readdir gives . and .., which dash's `.*` matches
            names = [".", "..", *names]
        for name in names:
            if name.startswith(".") and not dot_ok:
                continue
            if rx.fullmatch(name):
                full = join(p, name)
                if last or os.path.isdir(full):
                    out.append(full)
    return out
