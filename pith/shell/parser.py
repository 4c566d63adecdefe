"""The shell's parser: tokens in, a syntax tree (nodes.py) out, one complete command at a time.

Entry point: Parser(lexer).next_command() -> Script | None (None at end of input). A
complete command is a list ending at a newline, so a script runs each line as soon as it
is parsed (as dash does), and an interactive shell reads no further than it must.
Reserved words are recognised here, only where a command may start; so are aliases (as
dash: a word where a command name may be, unquoted, not a reserved word, and the word after
an alias whose value ends in a blank), whose values go back into the lexer's input.
"""

from __future__ import annotations

import re

from pith.shell.errors import ShellSyntaxError
from pith.shell.lexer import Lexer, Source, Token
from pith.shell.nodes import (
    AndOr,
    Case,
    CaseItem,
    Command,
    For,
    FuncDef,
    Group,
    If,
    Lit,
    Loop,
    Pipeline,
    Redir,
    Script,
    Simple,
    Subshell,
    Word,
)
from pith.shell.words import is_name, make_word

__all__ = ["Parser", "parse"]

RESERVED = {"if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until",
            "for", "{", "}", "!", "in"}
REDIR_OPS = {"<", ">", ">>", ">|", "<>", "<&", ">&", "<<", "<<-"}
ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def parse(text: str) -> Script:
    """Parse a whole program (all its complete commands) into one Script."""
    p = Parser(Lexer(Source(text)))
    items = []
    while (cmd := p.next_command()) is not None:
        items.extend(cmd.items)
    return Script(items)


class Parser:
    def __init__(self, lexer: Lexer, aliases: dict[str, str] | None = None) -> None:
        self.lx = lexer
        self.tok: Token | None = None
        self.aliases = aliases if aliases is not None else {}
        self.alias_next: int | None = None  # a word from here on is alias-eligible too

    def expand_alias(self, command_position: bool = True) -> bool:
        """If the word ahead is an alias to expand, push its value into the input, forget
        the word and say so (the caller looks ahead again)."""
        t = self.peek()
        if t.kind != "word":
            return False
        if self.alias_next is not None and t.start >= self.alias_next:
            self.alias_next = None
            command_position = True
        value = self.aliases.get(t.text) if command_position else None
        src = self.lx.src
        if value is None or src.alias_in_use(t.text):
            return False
        self.tok = None
        src.push_alias(t.text, value)
        if value.endswith((" ", "\t")):
            self.alias_next = src.offset() + len(value)
        return True

    # --- tokens -----------------------------------------------------------------------------

    def peek(self) -> Token:
        if self.tok is None:
            self.tok = self.lx.next()
        return self.tok

    def take(self) -> Token:
        t = self.peek()
        self.tok = None
        return t

    def is_op(self, *ops: str) -> bool:
        t = self.peek()
        return t.kind == "op" and t.text in ops

    def is_word(self, *words: str) -> bool:
        t = self.peek()
        return t.kind == "word" and t.text in words

    def unexpected(self, expecting: str | None = None) -> ShellSyntaxError:
        t = self.peek()
        if t.kind == "eof":
            what = "end of file"
        elif t.kind == "newline":
            what = "newline"
        else:
            what = f'"{t.text}"'
        more = f' (expecting "{expecting}")' if expecting else ""
        return ShellSyntaxError(f"{what} unexpected{more}")

    def expect_word(self, word: str) -> None:
        if not self.is_word(word):
            raise self.unexpected(word)
        self.take()

    def linebreak(self) -> None:
        while self.peek().kind == "newline":
            self.take()

    def reset(self) -> None:
        """Forget the lookahead (interactive recovery after an error)."""
        self.tok = None
        self.lx.pending.clear()
        self.lx.want_delim = None

    # --- lists ------------------------------------------------------------------------------

    def next_command(self) -> Script | None:
        """The next complete command (a list up to a newline), or None at end of input."""
        t = self.peek()
        if t.kind == "eof":
            return None
        if t.kind == "newline":  # (an empty line is a command of its own: nothing to run,
            self.take()  # and an interactive shell prompts with PS1 again, as dash)
            return Script([])
        script = self.list_(top=True)
        t = self.peek()
        if t.kind == "newline":
            self.take()
        elif t.kind != "eof":
            raise self.unexpected()
        return script

    def list_(self, top: bool = False, ends: tuple[str, ...] = ()) -> Script:
        items: list[tuple[AndOr, bool]] = []
        while True:
            if not top:
                self.linebreak()
            if self._at_end(ends):
                break
            ao = self.and_or()
            bg = False
            if self.is_op("&", ";"):
                bg = self.take().text == "&"
                items.append((ao, bg))
                if top and self.peek().kind in ("newline", "eof"):
                    break
                continue
            items.append((ao, bg))
            if top or self.peek().kind != "newline":
                break
        if not items:
            raise self.unexpected()
        return Script(items)

    def _at_end(self, ends: tuple[str, ...]) -> bool:
        t = self.peek()
        if t.kind == "eof":
            return True
        if t.kind == "op" and t.text in (")", ";;"):
            return True
        return t.kind == "word" and t.text in ends

    def compound_list(self, *ends: str) -> Script:
        body = self.list_(ends=ends)
        self.linebreak()
        return body

    def and_or(self) -> AndOr:
        first = self.pipeline()
        rest: list[tuple[str, Pipeline]] = []
        while self.is_op("&&", "||"):
            op = self.take().text
            self.linebreak()
            rest.append((op, self.pipeline()))
        return AndOr(first, rest)

    def pipeline(self) -> Pipeline:
        negate = False
        if self.is_word("!"):
            self.take()
            negate = True
        cmds = [self.command()]
        while self.is_op("|"):
            self.take()
            self.linebreak()
            cmds.append(self.command())
        return Pipeline(cmds, negate)

    # --- commands ---------------------------------------------------------------------------

    def command(self) -> Command:
        while self.aliases and self.expand_alias():
            pass
        t = self.peek()
        if t.kind == "op" and t.text == "(":
            self.take()
            body = self.compound_list()
            if not self.is_op(")"):
                raise self.unexpected(")")
            self.take()
            return self._redirs_after(Subshell(body))
        if t.kind == "word" and t.text in RESERVED:
            return self._reserved(t.text)
        return self.simple()

    def _redirs_after(self, cmd: Subshell | Group | If | Loop | For | Case) -> Command:
        while (r := self.redirect()) is not None:
            cmd.redirs.append(r)
        return cmd

    def _reserved(self, word: str) -> Command:
        if word == "{":
            self.take()
            body = self.compound_list("}")
            self.expect_word("}")
            return self._redirs_after(Group(body))
        if word == "if":
            return self._redirs_after(self.if_())
        if word in ("while", "until"):
            self.take()
            cond = self.compound_list("do")
            self.expect_word("do")
            body = self.compound_list("done")
            self.expect_word("done")
            return self._redirs_after(Loop(cond, body, word == "until"))
        if word == "for":
            return self._redirs_after(self.for_())
        if word == "case":
            return self._redirs_after(self.case())
        raise self.unexpected()

    def if_(self) -> If:
        self.take()
        arms = []
        orelse = None
        while True:
            cond = self.compound_list("then")
            self.expect_word("then")
            body = self.compound_list("elif", "else", "fi")
            arms.append((cond, body))
            if self.is_word("elif"):
                self.take()
                continue
            if self.is_word("else"):
                self.take()
                orelse = self.compound_list("fi")
            self.expect_word("fi")
            return If(arms, orelse)

    def for_(self) -> For:
        self.take()
        t = self.take()
        if t.kind != "word" or not is_name(t.text):
            raise ShellSyntaxError("Bad for loop variable")
        words: list[Word] | None = None
        self.linebreak()
        if self.is_word("in"):
            self.take()
            words = []
            while self.peek().kind == "word":
                words.append(make_word(self.take().text))
            if not self.is_op(";") and self.peek().kind != "newline":
                raise self.unexpected("do")
        if self.is_op(";"):
            self.take()
        self.linebreak()
        self.expect_word("do")
        body = self.compound_list("done")
        self.expect_word("done")
        return For(t.text, words, body)

    def case(self) -> Case:
        self.take()
        t = self.take()
        if t.kind != "word":
            raise self.unexpected()
        word = make_word(t.text)
        self.linebreak()
        self.expect_word("in")
        self.linebreak()
        items = []
        while not self.is_word("esac"):
            if self.is_op("("):
                self.take()
            pats = []
            while True:
                p = self.take()
                if p.kind != "word":
                    self.tok = p
                    raise self.unexpected()
                pats.append(make_word(p.text))
                if self.is_op("|"):
                    self.take()
                    continue
                if not self.is_op(")"):
                    raise self.unexpected(")")
                self.take()
                break
            self.linebreak()
            if self.is_op(";;") or self.is_word("esac"):
                body = Script([])
            else:
                body = self.compound_list("esac")
            items.append(CaseItem(pats, body))
            if self.is_op(";;"):
                self.take()
                self.linebreak()
            elif not self.is_word("esac"):
                raise self.unexpected("esac")
        self.take()
        return Case(word, items)

    def redirect(self) -> Redir | None:
        t = self.peek()
        fd = -1
        if t.kind == "io":
            self.take()
            fd = int(t.text)
            t = self.peek()
        if not (t.kind == "op" and t.text in REDIR_OPS):
            if fd >= 0:
                raise self.unexpected()
            return None
        self.take()
        target = self.take()
        if target.kind != "word":
            self.tok = target
            raise self.unexpected()
        if fd < 0:
            fd = 0 if t.text[0] == "<" else 1
        if t.text in ("<<", "<<-"):
            return Redir(fd, t.text, None, target.heredoc)
        return Redir(fd, t.text, make_word(target.text))

    def simple(self) -> Command:
        assigns: list[tuple[str, Word]] = []
        words: list[Word] = []
        redirs: list[Redir] = []
        line = self.peek().line
        while True:
            r = self.redirect()
            if r is not None:
                redirs.append(r)
                continue
            if self.aliases and self.expand_alias(not words):
                continue
            t = self.peek()
            if t.kind != "word":
                break
            self.take()
            if not words and ASSIGN.match(t.text):
                name, _, value = t.text.partition("=")
                assigns.append((name, make_word(value, assignment=True)))
            elif ASSIGN.match(t.text) and _declaration([w.raw for w in words]):
                name, _, value = t.text.partition("=")
                parts = [Lit(name + "=", True), *make_word(value, assignment=True).parts]
                words.append(Word(t.text, parts, decl=True))
            else:
                words.append(make_word(t.text))
                if len(words) == 1 and not assigns and not redirs and self.is_op("("):
                    return self.funcdef(t.text)
        if not (assigns or words or redirs):
            raise self.unexpected()
        return Simple(assigns, words, redirs, line)

    def funcdef(self, name: str) -> FuncDef:
        self.take()
        if not self.is_op(")"):
            raise self.unexpected(")")
        self.take()
        self.linebreak()
        if not is_name(name):
            raise ShellSyntaxError("Bad function name")
        return FuncDef(name, self.command())


def _declaration(words: list[str]) -> bool:
    """Whether a command starting with these words is export, readonly or local (also after
    `command`): their assignment-like arguments expand as assignments, as in dash."""
    while words and words[0] == "command":
        words = words[1:]
    return bool(words) and words[0] in ("export", "readonly", "local")
