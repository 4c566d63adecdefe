"""Word parsing: a word's raw text (as the lexer kept it) into expansion parts.

Entry points: parse_word(raw) for a command word, parse_heredoc(text, literal) for a
here-document body, parse_arith(text) for the inside of $(( )). Quote removal happens here:
quoted characters become Lit(quoted=True) parts, so later stages never see quotes.
"""

from __future__ import annotations

from pith.shell.errors import ShellSyntaxError
from pith.shell.nodes import Arith, CmdSub, Lit, Param, Part, Tilde, Word

__all__ = ["is_name", "make_word", "parse_arith", "parse_heredoc", "parse_word"]

SPECIAL = "@*#?-$!0123456789"
OPS = [":-", ":=", ":?", ":+", "-", "=", "?", "+", "%%", "%", "##", "#"]


def is_name(s: str) -> bool:
    return bool(s) and (s[0].isalpha() or s[0] == "_") and all(
        c.isalnum() or c == "_" for c in s) and s.isascii()


def make_word(raw: str, assignment: bool = False) -> Word:
    """A word; an assignment's value also expands a ~ after each unquoted ':'."""
    parser = _Parser(raw, "word")
    parser.assignment = assignment
    return Word(raw, parser.parse())


def parse_word(raw: str) -> list[Part]:
    return _Parser(raw, "word").parse()


def parse_heredoc(text: str, literal: bool) -> list[Part]:
    if literal:
        return [Lit(text, True)]
    return _Parser(text, "heredoc").parse()


def parse_arith(text: str) -> list[Part]:
    return _Parser(text, "heredoc").parse()


class CaseWords:
    """Follows `case ... esac` inside $( ): there a ')' ends a pattern, not the substitution."""

    def __init__(self) -> None:
        self.word = ""
        self.depth = 0

    def feed(self, c: str) -> bool:
        """Take the next character; True if a bracket here does not count."""
        if c.isalnum() or c == "_":
            self.word += c
            return self.depth > 0
        if self.word == "case":
            self.depth += 1
        elif self.word == "esac" and self.depth:
            self.depth -= 1
        self.word = ""
        return self.depth > 0


def _find_close(s: str, i: int, open_: str, close: str) -> int:
    """Index of the bracket closing the one just before s[i] (quotes skipped)."""
    depth = 1
    cases = CaseWords()
    while i < len(s):
        c = s[i]
        if cases.feed(c) and open_ == "(" and c in "()":
            i += 1
            continue
        if c == "\\":
            i += 2
            continue
        if c == "'" and close == ")":
            j = s.find("'", i + 1)
            i = (j if j >= 0 else len(s)) + 1
            continue
        if c == '"':
            i = _find_close_quote(s, i + 1) + 1
            continue
        if c == "`":
            j = s.find("`", i + 1)
            i = (j if j >= 0 else len(s)) + 1
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ShellSyntaxError(f'Missing "{close}"')


def _find_close_quote(s: str, i: int) -> int:
    while i < len(s):
        if s[i] == "\\":
            i += 2
            continue
        if s[i] == '"':
            return i
        if s[i] == "$" and s[i + 1:i + 2] in ("(", "{"):
            i = _find_close(s, i + 2, s[i + 1], ")" if s[i + 1] == "(" else "}") + 1
            continue
        i += 1
    return len(s)


class _Parser:
    def __init__(self, s: str, mode: str) -> None:
        self.s = s
        self.i = 0
        # 'word', 'dq' (inside "..."), 'heredoc', 'dqword' (the word of "${x:-word}": quotes
        # '"' work, "'" is an ordinary character, all of it is quoted)
        self.mode = mode
        self.parts: list[Part] = []
        self.assignment = False

    def lit(self, text: str, quoted: bool) -> None:
        last = self.parts[-1] if self.parts else None
        if isinstance(last, Lit) and last.quoted == quoted:
            last.text += text
        else:
            self.parts.append(Lit(text, quoted))

    def parse(self) -> list[Part]:
        s = self.s
        quoted = self.mode != "word"
        if self.mode == "word" and s.startswith("~"):
            self._tilde()
        while self.i < len(s):
            c = s[self.i]
            if c == "\\":
                self._backslash()
            elif c == "'" and self.mode == "word":
                j = s.find("'", self.i + 1)
                if j < 0:
                    raise ShellSyntaxError("Unterminated quoted string")
                self.lit(s[self.i + 1:j], True)
                self.i = j + 1
            elif c == '"' and self.mode in ("word", "dqword"):
                j = _find_close_quote(s, self.i + 1)
                inner = _Parser(s[self.i + 1:j], "dq").parse()
                self.parts.extend(inner or [Lit("", True)])
                self.i = j + 1
            elif c == "`":
                self._backquote(quoted)
            elif c == "$":
                self._dollar(quoted)
            else:
                self.lit(c, quoted)
                self.i += 1
                if c == ":" and self.assignment and s.startswith("~", self.i):
                    self._tilde()
        return self.parts

    def _tilde(self) -> None:
        """A tilde prefix at self.i: up to the first '/' (or, in an assignment, ':')."""
        s, start = self.s, self.i
        j = start + 1
        while j < len(s) and s[j] != "/" and not (self.assignment and s[j] == ":"):
            j += 1
        user = s[start + 1:j]
        if all(c.isalnum() or c in "._-" for c in user):
            self.parts.append(Tilde(user))
            self.i = j

    def _backslash(self) -> None:
        s, i = self.s, self.i
        n = s[i + 1:i + 2]
        escapable = {"word": None, "dq": '$`"\\', "heredoc": "$`\\",
                     "dqword": '$`"\\}'}[self.mode]
        if not n:  # a backslash ending the text stands for itself
            self.lit("\\", True)
        elif escapable is None or n in escapable:
            self.lit(n, True)
        elif self.mode == "heredoc" and n == "\n":
            pass
        else:
            self.lit("\\" + n, True)
        self.i = i + 2

    def _backquote(self, quoted: bool) -> None:
        s = self.s
        out = []
        i = self.i + 1
        escapable = '$`\\"' if quoted else "$`\\"  # inside "..." (or a here-doc) \" too
        while i < len(s) and s[i] != "`":
            if s[i] == "\\" and i + 1 < len(s) and s[i + 1] in escapable:
                out.append(s[i + 1])
                i += 2
                continue
            out.append(s[i])
            i += 1
        self.parts.append(CmdSub("".join(out), quoted))
        self.i = i + 1

    def _dollar(self, quoted: bool) -> None:
        s, i = self.s, self.i + 1
        c = s[i:i + 1]
        if s.startswith("((", i):
            # always arithmetic, as in dash (`$( (cmd) )` needs the space)
            end = _find_close(s, i + 2, "(", ")")
            if s[end + 1:end + 2] != ")":
                raise ShellSyntaxError("Missing '))'")
            self.parts.append(Arith(parse_arith(s[i + 2:end]), quoted))
            self.i = end + 2
            return
        if c == "(":
            end = _find_close(s, i + 1, "(", ")")
            self.parts.append(CmdSub(s[i + 1:end], quoted))
            self.i = end + 1
        elif c == "{":
            end = _find_close(s, i + 1, "{", "}")
            self.parts.append(_braced(s[i + 1:end], quoted))
            self.i = end + 1
        elif c and c in SPECIAL:
            self.parts.append(Param(c, quoted=quoted))
            self.i = i + 1
        elif c and (c.isalpha() or c == "_") and c.isascii():
            j = i
            while j < len(s) and (s[j].isalnum() or s[j] == "_") and s[j].isascii():
                j += 1
            self.parts.append(Param(s[i:j], quoted=quoted))
            self.i = j
        else:
            self.lit("$", quoted)
            self.i = i


def _braced(body: str, quoted: bool) -> Param:
    """The inside of ${...}."""
    if body.startswith("#") and body[1:] != "" and _name_len(body[1:]) == len(body) - 1:
        return Param(body[1:], "#len", None, quoted)
    n = _name_len(body)
    if n == 0:
        raise ShellSyntaxError("Bad substitution")
    name, rest = body[:n], body[n:]
    if not rest:
        return Param(name, "", None, quoted)
    for op in OPS:
        if rest.startswith(op):
            if quoted and op[-1] in "-=?+":
                arg = [_quote(p) for p in _Parser(rest[len(op):], "dqword").parse()]
            else:
                arg = parse_word(rest[len(op):])
            return Param(name, op, arg, quoted)
    raise ShellSyntaxError("Bad substitution")


def _quote(p: Part) -> Part:
    if isinstance(p, Lit | Param | CmdSub | Arith):
        p.quoted = True
    return p


def _name_len(s: str) -> int:
    if not s:
        return 0
    if s[0].isdigit():
        j = 0
        while j < len(s) and s[j].isdigit():
            j += 1
        return j
    if s[0] in SPECIAL:
        return 1
    j = 0
    while j < len(s) and (s[j].isalnum() or s[j] == "_") and s[j].isascii():
        j += 1
    return j
