"""awk's syntax tree: the expressions, statements and program the parser makes.

Plain dataclasses, no behaviour; interp.py runs them. Names are resolved at parse time: a
function's parameter is a Local (its slot in the call's frame), any other name a Var.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Assign",
    "Binary",
    "Block",
    "Break",
    "Builtin",
    "Call",
    "Compare",
    "Concat",
    "Cond",
    "Continue",
    "Delete",
    "Do",
    "Exit",
    "Expr",
    "ExprStmt",
    "Field",
    "For",
    "ForIn",
    "Function",
    "Getline",
    "Group",
    "If",
    "In",
    "IncDec",
    "Index",
    "Local",
    "Logical",
    "Match",
    "Next",
    "NextFile",
    "Num",
    "Print",
    "Program",
    "Regex",
    "Return",
    "Rule",
    "Stmt",
    "Str",
    "Unary",
    "Var",
    "While",
]


class Expr:
    """Any expression."""


class Stmt:
    """Any statement."""


@dataclass
class Num(Expr):
    value: float


@dataclass
class Str(Expr):
    value: str


@dataclass
class Regex(Expr):
    """/ERE/: as a value, whether $0 matches; as match's, split's, sub's or ~'s operand, the ERE."""
    source: str


@dataclass
class Var(Expr):
    name: str


@dataclass
class Local(Expr):
    slot: int
    name: str


@dataclass
class Field(Expr):
    index: Expr


@dataclass
class Index(Expr):
    array: Var | Local
    subs: list[Expr]


@dataclass
class Assign(Expr):
    op: str  # = += -= *= /= %= ^=
    target: Expr  # an lvalue: Var, Local, Field or Index
    value: Expr


@dataclass
class Cond(Expr):
    test: Expr
    yes: Expr
    no: Expr


@dataclass
class Logical(Expr):
    op: str  # && or ||
    left: Expr
    right: Expr


@dataclass
class In(Expr):
    subs: list[Expr]
    array: Var | Local


@dataclass
class Match(Expr):
    negate: bool
    left: Expr
    regex: Expr


@dataclass
class Compare(Expr):
    op: str  # < <= == != > >=
    left: Expr
    right: Expr


@dataclass
class Concat(Expr):
    parts: list[Expr]


@dataclass
class Binary(Expr):
    op: str  # + - * / % ^
    left: Expr
    right: Expr


@dataclass
class Unary(Expr):
    op: str  # - + !
    operand: Expr


@dataclass
class IncDec(Expr):
    op: str  # ++ or --
    prefix: bool
    target: Expr


@dataclass
class Call(Expr):
    name: str
    args: list[Expr]
    line: int


@dataclass
class Builtin(Expr):
    name: str
    args: list[Expr]


@dataclass
class Getline(Expr):
    kind: str  # "plain" (the main input), "file" (getline < F) or "cmd" (C | getline)
    target: Expr | None  # the lvalue read into, or None for $0
    source: Expr | None


@dataclass
class Group(Expr):
    """(a, b, ...): print's parenthesized list, or the subscripts before 'in'."""
    items: list[Expr]


@dataclass
class Block(Stmt):
    body: list[Stmt]


@dataclass
class ExprStmt(Stmt):
    expr: Expr


@dataclass
class Print(Stmt):
    printf: bool
    args: list[Expr]
    mode: str | None = None  # > >> | or None for standard output
    dest: Expr | None = None


@dataclass
class If(Stmt):
    test: Expr
    then: Stmt
    orelse: Stmt | None


@dataclass
class While(Stmt):
    test: Expr
    body: Stmt


@dataclass
class Do(Stmt):
    body: Stmt
    test: Expr


@dataclass
class For(Stmt):
    init: Expr | None
    test: Expr | None
    step: Expr | None
    body: Stmt


@dataclass
class ForIn(Stmt):
    var: Expr
    array: Var | Local
    body: Stmt


@dataclass
class Next(Stmt):
    pass


@dataclass
class NextFile(Stmt):
    pass


@dataclass
class Exit(Stmt):
    value: Expr | None


@dataclass
class Return(Stmt):
    value: Expr | None


@dataclass
class Break(Stmt):
    pass


@dataclass
class Continue(Stmt):
    pass


@dataclass
class Delete(Stmt):
    array: Var | Local
    subs: list[Expr] | None  # None: the whole array


@dataclass
class Rule:
    """pattern { action }: no pattern matches every record; two are a range."""
    pattern: Expr | None
    end: Expr | None
    action: Block | None  # None: print $0


@dataclass
class Function:
    name: str
    params: list[str]
    body: Block


@dataclass
class Program:
    begins: list[Block] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    ends: list[Block] = field(default_factory=list)
    functions: dict[str, Function] = field(default_factory=dict)
