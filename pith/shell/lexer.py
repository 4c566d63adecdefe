"""The shell's lexer: characters in, tokens out, lazily.

Entry points: Source (the characters, pulled a line at a time from a callback so an
interactive shell only reads what it needs), Lexer.next() -> Token. A word token keeps its
raw text (quotes and all; words.py turns it into parts); backslash-newline is removed here.
Here-document bodies are read when the newline after their `<<` operator is lexed, and put
into the HereDoc the delimiter word's token carries. An alias's value is pushed back into
the Source (Source.push_alias, called by the parser) and read as if it had been typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pith.shell.errors import ShellSyntaxError
from pith.shell.nodes import HereDoc
from pith.shell.words import CaseWords, parse_heredoc

__all__ = ["OPERATORS", "Lexer", "Source", "Token"]

OPERATORS = ["<<-", "&&", "||", ";;", "<<", ">>", "<&", ">&", "<>", ">|",
             "&", "|", ";", "<", ">", "(", ")"]
META = " \t\n;&|<>()"


class Source:
    """Characters with lookahead; `more()` returns the next line (with its newline) or None."""

    def __init__(self, text: str = "", more: Callable[[], str | None] | None = None) -> None:
        self.buf = text
        self.pos = 0
        self.more = more
        self.line = 1
        self.base = 0  # how many characters were dropped from the front of buf
        self.aliases: list[tuple[str, int]] = []  # aliases being read: (name, where it ends)

    def offset(self) -> int:
        """Where the next character is, counted from the start of the input."""
        return self.base + self.pos

    def _fill(self, k: int) -> bool:
        while self.pos + k >= len(self.buf):
            if self.more is None:
                return False
            line = self.more()
            if line is None:
                self.more = None
                return False
            self.buf = self.buf[self.pos:] + line
            self.base += self.pos
            self.pos = 0
        return True

    def push_alias(self, name: str, value: str) -> None:
        """Read `value` next. As in dash, the alias stays in use (not expanded again)
        until the lexer has read past its end, and a value not ending in a blank is read
        with a blank after it, so its last word still counts as inside it."""
        if not value.endswith((" ", "\t")):
            value += " "
        here = self.offset()
        self.aliases = [(n, end + len(value)) for n, end in self.aliases if end > here]
        self.aliases.append((name, here + len(value)))
        self.buf = self.buf[:self.pos] + value + self.buf[self.pos:]

    def alias_in_use(self, name: str) -> bool:
        here = self.offset()
        self.aliases = [(n, end) for n, end in self.aliases if end > here]
        return any(n == name for n, _ in self.aliases)

    def peek(self, k: int = 0) -> str:
        return self.buf[self.pos + k] if self._fill(k) else ""

    def get(self) -> str:
        c = self.peek()
        if c:
            self.pos += 1
            if c == "\n":
                self.line += 1
        return c

    def read_line(self) -> str | None:
        """The rest of the current line, newline included (None at end of input)."""
        out: list[str] = []
        while True:
            c = self.get()
            if not c:
                return "".join(out) if out else None
            out.append(c)
            if c == "\n":
                return "".join(out)

    def drop_line(self) -> None:
        """Discard what is buffered (interactive error recovery)."""
        self.base += len(self.buf)
        self.buf = ""
        self.pos = 0
        self.aliases = []


@dataclass
class Token:
    kind: str  # 'word', 'io' (an fd number before a redirection), 'op', 'newline', 'eof'
    text: str
    line: int = 0
    heredoc: HereDoc | None = None
    start: int = 0  # its offset in the input (Source.offset)


class Lexer:
    def __init__(self, src: Source) -> None:
        self.src = src
        self.pending: list[HereDoc] = []
        self.want_delim: str | None = None

    def next(self) -> Token:
        src = self.src
        while True:
            c = src.peek()
            if c in (" ", "\t"):
                src.get()
            elif c == "\\" and src.peek(1) == "\n":
                src.get()
                src.get()
            elif c == "#":
                while src.peek() not in ("", "\n"):
                    src.get()
            else:
                break
        line = src.line
        start = src.offset()
        if c == "":
            return Token("eof", "", line)
        if c == "\n":
            src.get()
            self._read_heredocs()
            return Token("newline", "\n", line)
        for op in OPERATORS:
            if all(src.peek(i) == ch for i, ch in enumerate(op)):
                for _ in op:
                    src.get()
                if op in ("<<", "<<-"):
                    self.want_delim = op
                return Token("op", op, line)
        raw = self._word()
        if raw.isdigit() and src.peek() in ("<", ">"):
            return Token("io", raw, line)
        tok = Token("word", raw, line, start=start)
        if self.want_delim is not None:
            tok.heredoc = self._heredoc(raw, self.want_delim == "<<-")
            self.want_delim = None
        return tok

    # --- here-documents ---------------------------------------------------------------------

    def _heredoc(self, raw: str, strip_tabs: bool) -> HereDoc:
        quoted = any(q in raw for q in "'\"\\")
        delim = raw.replace("'", "").replace('"', "").replace("\\", "") if quoted else raw
        doc = HereDoc(delim, strip_tabs, quoted)
        self.pending.append(doc)
        return doc

    def _read_heredocs(self) -> None:
        docs, self.pending = self.pending, []
        for doc in docs:
            lines: list[str] = []
            while True:
                line = self.src.read_line()
                if line is None:
                    break
                if doc.strip_tabs:
                    line = line.lstrip("\t")
                if line.rstrip("\n") == doc.delim:
                    break
                lines.append(line)
            text = "".join(lines)
            doc.body = parse_heredoc(text, literal=doc.quoted)
            doc.done = True

    # --- words ------------------------------------------------------------------------------

    def _word(self) -> str:
        src = self.src
        out: list[str] = []
        while True:
            c = src.peek()
            if c == "" or c in META:
                return "".join(out)
            if c == "\\":
                src.get()
                n = src.get()
                if n != "\n":
                    out.append("\\" + n)
            elif c == "'":
                out.append(self._single())
            elif c == '"':
                out.append(self._double())
            elif c == "`":
                out.append(self._backquote())
            elif c == "$":
                out.append(self._dollar())
            else:
                out.append(src.get())

    def _eof(self, what: str = "Unterminated quoted string") -> ShellSyntaxError:
        return ShellSyntaxError(what)

    def _single(self) -> str:
        src = self.src
        out = [src.get()]
        while True:
            c = src.get()
            if not c:
                raise self._eof()
            out.append(c)
            if c == "'":
                return "".join(out)

    def _double(self) -> str:
        src = self.src
        out = [src.get()]
        while True:
            c = src.peek()
            if not c:
                raise self._eof()
            if c == "\\":
                src.get()
                n = src.get()
                if not n:
                    raise self._eof()
                if n != "\n":
                    out.append("\\" + n)
            elif c == "`":
                out.append(self._backquote())
            elif c == "$":
                out.append(self._dollar())
            else:
                out.append(src.get())
                if c == '"':
                    return "".join(out)

    def _backquote(self) -> str:
        src = self.src
        out = [src.get()]
        while True:
            c = src.get()
            if not c:
                raise self._eof('EOF in backquote substitution')
            if c == "\\":
                n = src.get()
                if n != "\n":
                    out.append("\\" + n)
                continue
            out.append(c)
            if c == "`":
                return "".join(out)

    def _dollar(self) -> str:
        src = self.src
        src.get()
        c = src.peek()
        if c == "(":
            return "$" + self._balanced("(", ")")
        if c == "{":
            return "$" + self._balanced("{", "}")
        return "$"

    def _balanced(self, open_: str, close: str) -> str:
        """From an opening bracket to its match, skipping quoted text."""
        src = self.src
        out = [src.get()]
        depth = 1
        cases = CaseWords()
        while depth:
            c = src.peek()
            if cases.feed(c) and open_ == "(" and c in "()":
                out.append(src.get())
                continue
            if not c:
                what = f'Missing "{close}"' if close == "}" else "Unterminated quoted string"
                raise self._eof(what)
            if c == "'":
                out.append(self._single())
            elif c == '"':
                out.append(self._double())
            elif c == "`":
                out.append(self._backquote())
            elif c == "\\":
                src.get()
                n = src.get()
                if n != "\n":
                    out.append("\\" + n)
            elif c == "$":
                out.append(self._dollar())
            else:
                out.append(src.get())
                if c == open_:
                    depth += 1
                elif c == close:
                    depth -= 1
        return "".join(out)
