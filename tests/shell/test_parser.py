"""The shell's lexer, word parser and parser, without running anything."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pith.shell.errors import ShellSyntaxError
from pith.shell.lexer import Lexer, Source
from pith.shell.nodes import (
    Arith,
    Case,
    CmdSub,
    For,
    FuncDef,
    Group,
    If,
    Lit,
    Loop,
    Param,
    Simple,
    Subshell,
    Tilde,
)
from pith.shell.parser import parse
from pith.shell.words import parse_word


def tokens(text: str) -> list[tuple[str, str]]:
    lx = Lexer(Source(text))
    out = []
    while (t := lx.next()).kind != "eof":
        out.append((t.kind, t.text))
    return out


def single_quote(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def double_quote(s: str) -> str:
    return '"' + "".join("\\" + c if c in '"$`\\' else c for c in s) + '"'


def literal(raw: str) -> str:
    parts = parse_word(raw)
    assert all(isinstance(p, Lit) for p in parts)
    return "".join(p.text for p in parts if isinstance(p, Lit))


def test_operators_words_and_io_numbers() -> None:
    assert tokens("a|b&&c>>f 2>&1;") == [
        ("word", "a"), ("op", "|"), ("word", "b"), ("op", "&&"), ("word", "c"),
        ("op", ">>"), ("word", "f"), ("io", "2"), ("op", ">&"), ("word", "1"), ("op", ";")]


def test_quotes_and_substitutions_stay_in_one_word() -> None:
    assert tokens("echo 'a b' \"c $(d e) ${f:-g h}\" `i j` $((1 + 2))") == [
        ("word", "echo"), ("word", "'a b'"), ("word", '"c $(d e) ${f:-g h}"'),
        ("word", "`i j`"), ("word", "$((1 + 2))")]


def test_comments_and_line_continuations() -> None:
    assert tokens("a # comment\nb\\\nc") == [("word", "a"), ("newline", "\n"), ("word", "bc")]


def test_unterminated_quote_is_a_syntax_error() -> None:
    with pytest.raises(ShellSyntaxError):
        tokens("echo 'oops")


def test_heredoc_body_is_read_after_the_newline() -> None:
    script = parse("cat <<EOF; echo after\nbody $x\nEOF\necho next")
    first = script.items[0][0].first.cmds[0]
    assert isinstance(first, Simple)
    doc = first.redirs[0].heredoc
    assert doc is not None and doc.done
    assert doc.body == [Lit("body ", True), Param("x", quoted=True), Lit("\n", True)]
    assert len(script.items) == 3


def test_word_parts() -> None:
    assert parse_word("a$b") == [Lit("a"), Param("b")]
    assert parse_word('"$@"') == [Param("@", quoted=True)]
    assert parse_word("${x:-y z}") == [Param("x", ":-", [Lit("y z")])]
    assert parse_word("${#x}") == [Param("x", "#len")]
    assert parse_word("$(a b)") == [CmdSub("a b")]
    assert parse_word("$((1+x))") == [Arith([Lit("1+x", True)])]
    assert parse_word("~/d") == [Tilde(""), Lit("/d")]
    assert parse_word("\\*") == [Lit("*", True)]


def test_command_structure() -> None:
    script = parse("a | b && ! c || d & e")
    (ao1, bg1), (_ao2, bg2) = script.items
    assert bg1 and not bg2
    assert len(ao1.first.cmds) == 2
    assert [op for op, _ in ao1.rest] == ["&&", "||"]
    assert ao1.rest[0][1].negate


def test_assignments_and_redirections() -> None:
    cmd = parse("X=1 Y=2 cmd arg >out 2>&1").items[0][0].first.cmds[0]
    assert isinstance(cmd, Simple)
    assert [n for n, _ in cmd.assigns] == ["X", "Y"]
    assert [w.raw for w in cmd.words] == ["cmd", "arg"]
    assert [(r.fd, r.op) for r in cmd.redirs] == [(1, ">"), (2, ">&")]


@pytest.mark.parametrize(("text", "kind"), [
    ("if a; then b; elif c; then d; else e; fi", If),
    ("while a; do b; done", Loop),
    ("until a; do b; done", Loop),
    ("for i in 1 2; do b; done", For),
    ("case x in a|b) c;; *) d;; esac", Case),
    ("{ a; b; }", Group),
    ("(a; b)", Subshell),
    ("f() { a; }", FuncDef),
])
def test_compound_commands(text: str, kind: type) -> None:
    assert isinstance(parse(text).items[0][0].first.cmds[0], kind)


@pytest.mark.parametrize("text", [
    "if a; then b", "fi", "a; fi", "( a", "for do done", "case x in", "{ }", "a &&", "| a",
    "a ;; b", "while a; done",
])
def test_syntax_errors(text: str) -> None:
    with pytest.raises(ShellSyntaxError):
        parse(text)


def test_reserved_words_are_plain_arguments() -> None:
    cmd = parse("echo if then fi }").items[0][0].first.cmds[0]
    assert isinstance(cmd, Simple)
    assert [w.raw for w in cmd.words] == ["echo", "if", "then", "fi", "}"]


@given(st.text())
def test_single_quoting_round_trips(s: str) -> None:
    assert literal(single_quote(s)) == s


@given(st.text())
def test_double_quoting_round_trips(s: str) -> None:
    assert literal(double_quote(s)) == s


@given(st.text(alphabet=st.characters(blacklist_characters="\x00")))
def test_quoted_word_lexes_as_one_token(s: str) -> None:
    assert tokens("echo " + single_quote(s)) == [("word", "echo"), ("word", single_quote(s))]
