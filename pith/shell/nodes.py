"""The shell's syntax tree: words (with their expansion parts) and commands, as dataclasses.

The lexer and parser build these; expand.py reads the word parts and run.py walks the
commands. Everything here is plain data (picklable), so a subshell's command can be sent
to a new shell process with the rest of the state (see state.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "AndOr",
    "Arith",
    "Case",
    "CaseItem",
    "CmdSub",
    "Command",
    "For",
    "FuncDef",
    "Group",
    "HereDoc",
    "If",
    "Lit",
    "Loop",
    "Param",
    "Part",
    "Pipeline",
    "Prepared",
    "Redir",
    "Script",
    "Simple",
    "Subshell",
    "Tilde",
    "Word",
]


# --- word parts -------------------------------------------------------------------------------

@dataclass
class Lit:
    """Literal text; `quoted` text is neither split nor globbed."""
    text: str
    quoted: bool = False


@dataclass
class Param:
    """`$name` or `${name OP arg}`; op is '' (plain), '#len', or one of - = ? + (with or
    without ':') % %% # ##."""
    name: str
    op: str = ""
    arg: list[Part] | None = None
    quoted: bool = False


@dataclass
class CmdSub:
    """`$(code)` or `` `code` ``: the code is parsed when it runs."""
    code: str
    quoted: bool = False


@dataclass
class Arith:
    """`$((expr))`: the parts are expanded, then evaluated (arith.py)."""
    parts: list[Part]
    quoted: bool = False


@dataclass
class Tilde:
    """An unquoted `~` or `~user` at the start of a word."""
    user: str


Part = Lit | Param | CmdSub | Arith | Tilde


@dataclass
class Word:
    """One shell word: its source text and its parts; decl marks an assignment-like argument
    of export, readonly or local (expanded as an assignment: ~ after = and :, no splitting)."""
    raw: str
    parts: list[Part]
    decl: bool = False


# --- commands ---------------------------------------------------------------------------------

@dataclass
class HereDoc:
    """A here-document's body; filled in by the lexer once it reaches the body's lines."""
    delim: str
    strip_tabs: bool
    quoted: bool
    body: list[Part] = field(default_factory=list)
    done: bool = False


@dataclass
class Redir:
    """`[fd]op target`: op is one of < > >> >| <> <& >& << <<-."""
    fd: int
    op: str
    target: Word | None
    heredoc: HereDoc | None = None


@dataclass
class Simple:
    assigns: list[tuple[str, Word]]
    words: list[Word]
    redirs: list[Redir]
    line: int = 0


@dataclass
class Prepared:
    """A simple command already expanded by the parent (a builtin or function run in a
    pipeline stage by a child shell)."""
    argv: list[str]
    assigns: list[tuple[str, str]]
    redirs: list[Redir]


@dataclass
class Pipeline:
    cmds: list[Command]
    negate: bool = False


@dataclass
class AndOr:
    """first, then (op, pipeline) pairs with op '&&' or '||'."""
    first: Pipeline
    rest: list[tuple[str, Pipeline]]


@dataclass
class Script:
    """A list: and-or lists, each maybe run in the background."""
    items: list[tuple[AndOr, bool]]


@dataclass
class Subshell:
    body: Script
    redirs: list[Redir] = field(default_factory=list)


@dataclass
class Group:
    body: Script
    redirs: list[Redir] = field(default_factory=list)


@dataclass
class If:
    arms: list[tuple[Script, Script]]
    orelse: Script | None
    redirs: list[Redir] = field(default_factory=list)


@dataclass
class Loop:
    """while (until=False) or until (until=True)."""
    cond: Script
    body: Script
    until: bool
    redirs: list[Redir] = field(default_factory=list)


@dataclass
class For:
    name: str
    words: list[Word] | None
    body: Script
    redirs: list[Redir] = field(default_factory=list)


@dataclass
class CaseItem:
    patterns: list[Word]
    body: Script


@dataclass
class Case:
    word: Word
    items: list[CaseItem]
    redirs: list[Redir] = field(default_factory=list)


@dataclass
class FuncDef:
    name: str
    body: Command


Command = Simple | Prepared | Subshell | Group | If | Loop | For | Case | FuncDef
