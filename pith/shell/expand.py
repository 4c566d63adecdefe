"""Word expansion: parameters, command substitution, arithmetic, tilde, then field
splitting on IFS and pathname expansion, as dash does them.

Entry points (all take the running Shell, which supplies variables and runs `$(...)`):
expand_words (command words: split and globbed), expand_string (assignments, redirection
targets: neither), expand_pattern (case and ${x%pat}: quoting kept for matching).
Expansion yields segments (text, kind): LIT (unquoted source text: globbed, not split),
EXP (unquoted expansion results: split and globbed), QUOTED (neither), BREAK (a field
boundary, from $@).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pith.shell import arith
from pith.shell.errors import ExpansionError
from pith.shell.nodes import Arith, CmdSub, Lit, Param, Part, Tilde, Word
from pith.shell.pattern import Segs, glob, has_magic, match

if TYPE_CHECKING:
    from pith.shell.run import Shell

__all__ = ["expand_pattern", "expand_string", "expand_words", "strip_pattern"]

LIT, EXP, QUOTED, BREAK = 0, 1, 2, 3
Seg = tuple[str, int]


def expand_words(sh: Shell, words: list[Word]) -> list[str]:
    out: list[str] = []
    for w in words:
        if w.decl:
            out.append(expand_string(sh, w.parts))
            continue
        for fld in _split(sh, _parts(sh, w.parts)):
            if "f" not in sh.st.options and has_magic(fld):
                found = glob(fld)
                if found:
                    out.extend(found)
                    continue
            out.append("".join(t for t, _ in fld))
    return out


def expand_string(sh: Shell, parts: list[Part]) -> str:
    return "".join(t for t, _ in _joined(sh, _parts(sh, parts)))


def expand_pattern(sh: Shell, parts: list[Part]) -> Segs:
    return [(t, k != QUOTED) for t, k in _joined(sh, _parts(sh, parts))]


def _joined(sh: Shell, segs: list[Seg]) -> list[Seg]:
    """Where no field splitting happens, $@ and $* join their fields with IFS's first
    character (a space if IFS is unset), as dash does: `IFS=:; x=$@` is a:b."""
    if all(k != BREAK for _, k in segs):
        return segs
    ifs = sh.get_var("IFS")
    sep = " " if ifs is None else ifs[:1]
    return [(sep, QUOTED) if k == BREAK else (t, k) for t, k in segs]


# --- parts --------------------------------------------------------------------------------

def _parts(sh: Shell, parts: list[Part], in_param: bool = False) -> list[Seg]:
    segs: list[Seg] = []
    for p in parts:
        if isinstance(p, Lit):
            segs.append((p.text, QUOTED if p.quoted else (EXP if in_param else LIT)))
        elif isinstance(p, Param):
            got = _param(sh, p)
            if p.quoted and not got and not (p.op == "" and p.name == "@"):
                got = [("", QUOTED)]  # "$unset" is still an (empty) field; "$@" may vanish
            segs.extend(got)
        elif isinstance(p, CmdSub):
            segs.append((sh.command_sub(p.code), QUOTED if p.quoted else EXP))
        elif isinstance(p, Arith):
            text = expand_string(sh, p.parts)
            value = arith.evaluate(text, sh.get_var, sh.set_var)
            segs.append((str(value), QUOTED if p.quoted else EXP))
        elif isinstance(p, Tilde):
            segs.append((_tilde(sh, p.user), QUOTED))
    return segs


def _tilde(sh: Shell, user: str) -> str:
    if not user:
        home = sh.get_var("HOME")
        return "~" if home is None else home
    try:
        import pwd

        return pwd.getpwnam(user).pw_dir
    except (ImportError, KeyError, OSError):
        return "~" + user


def _kind(p: Param) -> int:
    return QUOTED if p.quoted else EXP


def _all_params(sh: Shell, p: Param) -> list[Seg]:
    args = sh.st.positional
    if p.quoted and p.name == "*":
        ifs = sh.get_var("IFS")
        sep = " " if ifs is None else ifs[:1]
        return [(sep.join(args), QUOTED)]
    segs: list[Seg] = []
    for k, a in enumerate(args):
        if k:
            segs.append(("", BREAK))
        segs.append((a, _kind(p)))
    return segs


def _param(sh: Shell, p: Param) -> list[Seg]:
    if p.op == "" and p.name in ("@", "*"):
        return _all_params(sh, p)
    value = sh.get_var(p.name)
    if p.op == "#len":
        if value is None:
            sh.check_unset(p.name)
        # (in bytes, as dash counts: it knows no multibyte characters)
        return [(str(len((value or "").encode("utf-8", "surrogateescape"))), _kind(p))]
    op = p.op
    if op == "":
        if value is None:
            sh.check_unset(p.name)
            return []
        return [(value, _kind(p))]
    colon = op.startswith(":")
    missing = value is None or (colon and value == "")
    base = op.lstrip(":")
    arg = p.arg or []
    if base == "-":
        return _parts(sh, arg, in_param=True) if missing else [(value or "", _kind(p))]
    if base == "=":
        if missing:
            new = expand_string(sh, arg)
            sh.set_var(p.name, new)
            return [(new, _kind(p))]
        return [(value or "", _kind(p))]
    if base == "?":
        if missing:
            msg = expand_string(sh, arg) or (
                "parameter null or not set" if colon else "parameter not set")
            raise ExpansionError(f"{p.name}: {msg}")
        return [(value or "", _kind(p))]
    if base == "+":
        return [] if missing else _parts(sh, arg, in_param=True)
    if value is None:
        sh.check_unset(p.name)
    pat = expand_pattern(sh, arg)
    return [(strip_pattern(value or "", pat, op), _kind(p))]


def strip_pattern(value: str, pat: Segs, op: str) -> str:
    """${x%pat} (shortest suffix), %% (longest), # (shortest prefix), ## (longest)."""
    n = len(value)
    if op in ("#", "##"):
        rng = range(n + 1) if op == "#" else range(n, -1, -1)
        for i in rng:
            if match(pat, value[:i]):
                return value[i:]
    else:
        rng = range(n, -1, -1) if op == "%" else range(n + 1)
        for i in rng:
            if match(pat, value[i:]):
                return value[:i]
    return value


# --- field splitting ------------------------------------------------------------------------

def _split(sh: Shell, segs: list[Seg]) -> list[Segs]:
    ifs = sh.get_var("IFS")
    if ifs is None:
        ifs = " \t\n"
    ws = "".join(c for c in ifs if c in " \t\n")
    fields: list[Segs] = []
    cur: Segs = []
    started = False
    ws_split = False

    def emit() -> None:
        nonlocal cur, started
        fields.append(cur)
        cur = []
        started = False

    for text, kind in segs:
        if kind == BREAK:
            if started:
                emit()
            ws_split = False
            continue
        if kind == QUOTED:
            cur.append((text, False))
            started = True
            ws_split = False
            continue
        if kind == LIT or not ifs:
            if text:
                cur.append((text, True))
                started = True
                ws_split = False
            continue
        for c in text:
            if c in ifs:
                if c in ws:
                    if started:
                        emit()
                        ws_split = True
                else:
                    if started or not ws_split:
                        emit()
                    ws_split = False
            else:
                cur.append((c, True))
                started = True
                ws_split = False
    if started:
        emit()
    return fields

