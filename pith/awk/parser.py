"""awk's parser: tokens to a Program, by recursive descent over POSIX awk's grammar.

Precedence, lowest first: assignment (right), ?: (right), ||, &&, in, ~ !~, relational
(non-associative; '>' inside print's unparenthesized list is a redirection), concatenation
('cmd | getline' binds just above it), + -, * / %, unary ! - +, ^ and ** (right), ++ --, $,
grouping. Entry point: `parse(src) -> Program`; AwkSyntaxError on a bad program.
"""

from __future__ import annotations

from pith.awk import nodes as n
from pith.awk.lexer import AwkSyntaxError, Token, tokens

__all__ = ["parse"]

ASSIGN_OPS = {"=", "+=", "-=", "*=", "/=", "%=", "^=", "**="}
RELATIONAL = {"<", "<=", "==", "!=", ">", ">="}
CONCAT_START = {"NUMBER", "STRING", "ERE", "NAME", "FUNC_NAME", "BUILTIN", "$", "(", "++",
                "--"}
PRINT_END = {";", "NEWLINE", "}", ">", ">>", "|", "EOF"}
LVALUES = (n.Var, n.Local, n.Field, n.Index)


class Parser:
    def __init__(self, src: str) -> None:
        self.toks: list[Token] = tokens(src)
        self.pos = 0
        self.program = n.Program()
        self.params: list[str] | None = None  # the function being parsed's parameters
        self.where = ""  # BEGIN, END, a rule or a function: where next/return may be
        self.loops = 0
        self.no_gt = False  # in print's list: '>' redirects
        self.calls: list[n.Call] = []

    # ------------------------------------------------------------ tokens

    def peek(self, ahead: int = 0) -> Token:
        return self.toks[min(self.pos + ahead, len(self.toks) - 1)]

    def at(self, *kinds: str) -> bool:
        return self.peek().kind in kinds

    def advance(self) -> Token:
        tok = self.peek()
        self.pos += 1
        return tok

    def error(self, tok: Token | None = None) -> AwkSyntaxError:
        tok = tok or self.peek()
        return AwkSyntaxError(tok.line, f"syntax error at or near {tok.near()}")

    def expect(self, kind: str) -> Token:
        if not self.at(kind):
            raise self.error()
        return self.advance()

    def newlines(self) -> None:
        while self.at("NEWLINE"):
            self.advance()

    def terminators(self) -> None:
        while self.at("NEWLINE", ";"):
            self.advance()

    # ------------------------------------------------------------ program

    def parse(self) -> n.Program:
        self.terminators()
        while not self.at("EOF"):
            self.item()
            self.terminators()
        for call in self.calls:
            fn = self.program.functions.get(call.name)
            if fn is None:
                raise AwkSyntaxError(call.line, f"function {call.name} never defined")
            if len(call.args) > len(fn.params):
                raise AwkSyntaxError(call.line, f"too many arguments in call to {call.name}")
        return self.program

    def item(self) -> None:
        if self.at("BEGIN", "END"):
            which = self.advance().kind
            self.where = which
            if not self.at("{"):
                raise self.error()
            (self.program.begins if which == "BEGIN" else self.program.ends).append(self.block())
        elif self.at("function"):
            self.function()
        else:
            self.where = "rule"
            pattern = end = None
            if not self.at("{"):
                pattern = self.expr()
                if self.at(","):
                    self.advance()
                    end = self.expr()
            action = self.block() if self.at("{") else None
            if action is None and not self.at("NEWLINE", ";", "EOF"):
                raise self.error()
            self.program.rules.append(n.Rule(pattern, end, action))

    def function(self) -> None:
        self.advance()
        name = self.advance()
        if name.kind not in ("NAME", "FUNC_NAME") or name.value in self.program.functions:
            raise self.error(name)
        self.expect("(")
        params: list[str] = []
        while not self.at(")"):
            param = self.expect("NAME").value
            if param in params or param == name.value:
                raise self.error(self.peek(-1))
            params.append(param)
            if not self.at(")"):
                self.expect(",")
        self.advance()
        self.newlines()
        self.params, self.where = params, "function"
        fn = n.Function(name.value, params, n.Block([]))
        self.program.functions[name.value] = fn
        fn.body = self.block()
        self.params = None

    # ------------------------------------------------------------ statements

    def block(self) -> n.Block:
        self.expect("{")
        body: list[n.Stmt] = []
        self.terminators()
        while not self.at("}"):
            if self.at("EOF"):
                raise self.error()
            body.append(self.statement())
            self.terminators()
        self.advance()
        return n.Block(body)

    def statement(self) -> n.Stmt:
        kind = self.peek().kind
        if kind == "{":
            return self.block()
        if kind == ";":
            self.advance()
            return n.Block([])
        compound = {"if": self.if_, "while": self.while_, "do": self.do, "for": self.for_}
        if kind in compound:
            return compound[kind]()
        stmt = self.simple_statement()
        self.end_simple()
        return stmt

    def end_simple(self) -> None:
        if self.at(";", "NEWLINE"):
            self.advance()
        elif not self.at("}", "EOF"):
            raise self.error()

    def body(self) -> n.Stmt:
        """A loop's or if's statement after its ')' (a lone ';' is an empty one)."""
        self.newlines()
        return self.statement()

    def loop_body(self) -> n.Stmt:
        self.loops += 1
        try:
            return self.body()
        finally:
            self.loops -= 1

    def condition(self) -> n.Expr:
        self.expect("(")
        test = self.expr()
        self.expect(")")
        return test

    def if_(self) -> n.Stmt:
        self.advance()
        test = self.condition()
        then = self.body()
        mark = self.pos
        self.terminators()
        if self.at("else"):
            self.advance()
            self.newlines()
            return n.If(test, then, self.statement())
        self.pos = mark
        return n.If(test, then, None)

    def while_(self) -> n.Stmt:
        self.advance()
        test = self.condition()
        if self.at(";"):
            self.advance()
            return n.While(test, n.Block([]))
        return n.While(test, self.loop_body())

    def do(self) -> n.Stmt:
        self.advance()
        body = self.loop_body()
        self.terminators()
        self.expect("while")
        test = self.condition()
        self.end_simple()
        return n.Do(body, test)

    def for_(self) -> n.Stmt:
        self.advance()
        self.expect("(")
        if (self.at("NAME") and self.peek(1).kind == "in" and self.peek(2).kind == "NAME"
                and self.peek(3).kind == ")"):
            var = self.name_ref(self.advance().value)
            self.advance()
            array = self.name_ref(self.advance().value)
            self.advance()
            return n.ForIn(var, array, self.loop_body())
        init = None if self.at(";") else self.simple_expr()
        self.expect(";")
        self.newlines()
        test = None if self.at(";") else self.expr()
        self.expect(";")
        self.newlines()
        step = None if self.at(")") else self.simple_expr()
        self.expect(")")
        if self.at(";"):
            self.advance()
            return n.For(init, test, step, n.Block([]))
        return n.For(init, test, step, self.loop_body())

    def simple_expr(self) -> n.Expr:
        return self.expr()

    def simple_statement(self) -> n.Stmt:
        tok = self.peek()
        kind = tok.kind
        if kind in ("print", "printf"):
            return self.print_()
        if kind == "delete":
            self.advance()
            array = self.array_name()
            if not self.at("["):
                return n.Delete(array, None)
            return n.Delete(array, self.subscripts())
        if kind in ("next", "nextfile"):
            self.advance()
            if self.where in ("BEGIN", "END"):
                raise AwkSyntaxError(tok.line, f"improper use of {kind}")
            return n.Next() if kind == "next" else n.NextFile()
        if kind in ("exit", "return"):
            self.advance()
            if kind == "return" and self.where != "function":
                raise self.error(tok)
            value = None if self.at(";", "NEWLINE", "}", "EOF") else self.expr()
            return n.Exit(value) if kind == "exit" else n.Return(value)
        if kind in ("break", "continue"):
            self.advance()
            if not self.loops:
                raise self.error(tok)
            return n.Break() if kind == "break" else n.Continue()
        return n.ExprStmt(self.expr())

    def print_(self) -> n.Stmt:
        printf = self.advance().kind == "printf"
        args = self.print_group()
        if args is None:
            args = [] if self.at(*PRINT_END) else self.print_list()
        if printf and not args:
            raise self.error()
        if not self.at(">", ">>", "|"):
            return n.Print(printf, args)
        mode = self.advance().kind
        saved, self.no_gt = self.no_gt, True
        try:
            dest = self.ternary()
        finally:
            self.no_gt = saved
        return n.Print(printf, args, mode, dest)

    def print_group(self) -> list[n.Expr] | None:
        """print (a, b) [> dest]: the list, or None (and nothing consumed) if it is not one."""
        if not self.at("("):
            return None
        mark = self.pos
        self.advance()
        try:
            items = self.expr_list(")")
        except AwkSyntaxError:
            self.pos = mark
            return None
        if self.at(*PRINT_END):
            return items
        self.pos = mark
        return None

    def print_list(self) -> list[n.Expr]:
        saved, self.no_gt = self.no_gt, True
        try:
            items = [self.expr()]
            while self.at(","):
                self.advance()
                items.append(self.expr())
            return items
        finally:
            self.no_gt = saved

    def expr_list(self, close: str) -> list[n.Expr]:
        """Expressions separated by ',' up to `close` (consumed); '>' compares again."""
        saved, self.no_gt = self.no_gt, False
        try:
            items: list[n.Expr] = []
            while not self.at(close):
                items.append(self.expr())
                if not self.at(close):
                    self.expect(",")
                    if self.at(close):
                        raise self.error()
            self.advance()
            return items
        finally:
            self.no_gt = saved

    def subscripts(self) -> list[n.Expr]:
        self.expect("[")
        subs = self.expr_list("]")
        if not subs:
            raise self.error(self.peek(-1))
        return subs

    # ------------------------------------------------------------ names

    def name_ref(self, name: str) -> n.Var | n.Local:
        if self.params is not None and name in self.params:
            return n.Local(self.params.index(name), name)
        if name in self.program.functions and self.params is not None:
            raise self.error(self.peek(-1))
        return n.Var(name)

    def array_name(self) -> n.Var | n.Local:
        return self.name_ref(self.expect("NAME").value)

    # ------------------------------------------------------------ expressions

    def expr(self) -> n.Expr:
        left = self.ternary()
        if self.at(*ASSIGN_OPS):
            if not isinstance(left, LVALUES):
                raise self.error()
            op = self.advance().kind
            self.newlines()
            return n.Assign("^=" if op == "**=" else op, left, self.expr())
        return left

    def ternary(self) -> n.Expr:
        test = self.logical_or()
        if not self.at("?"):
            return test
        self.advance()
        self.newlines()
        yes = self.expr()
        self.newlines()
        self.expect(":")
        self.newlines()
        return n.Cond(test, yes, self.expr())

    def logical_or(self) -> n.Expr:
        left = self.logical_and()
        while self.at("||"):
            self.advance()
            left = n.Logical("||", left, self.logical_and())
        return left

    def logical_and(self) -> n.Expr:
        left = self.membership()
        while self.at("&&"):
            self.advance()
            left = n.Logical("&&", left, self.membership())
        return left

    def membership(self) -> n.Expr:
        left = self.matching()
        while self.at("in"):
            self.advance()
            subs = left.items if isinstance(left, n.Group) else [left]
            left = n.In(subs, self.array_name())
        if isinstance(left, n.Group):
            raise self.error()
        return left

    def matching(self) -> n.Expr:
        left = self.relational()
        while self.at("~", "!~"):
            negate = self.advance().kind == "!~"
            left = n.Match(negate, left, self.relational())
        return left

    def relational(self) -> n.Expr:
        left = self.concat()
        while self.at(*RELATIONAL) and not (self.no_gt and self.at(">")):
            op = self.advance().kind
            left = n.Compare(op, left, self.concat())
        return left

    def concat(self) -> n.Expr:
        parts = [self.additive()]
        while self.at(*CONCAT_START):
            parts.append(self.additive())
        left = parts[0] if len(parts) == 1 else n.Concat(parts)
        while self.at("|") and self.peek(1).kind == "getline":
            self.advance()
            self.advance()
            left = n.Getline("cmd", self.getline_target(), left)
        return left

    def additive(self) -> n.Expr:
        left = self.multiplicative()
        while self.at("+", "-"):
            op = self.advance().kind
            left = n.Binary(op, left, self.multiplicative())
        return left

    def multiplicative(self) -> n.Expr:
        left = self.unary()
        while self.at("*", "/", "%"):
            op = self.advance().kind
            left = n.Binary(op, left, self.unary())
        return left

    def unary(self) -> n.Expr:
        if self.at("!", "-", "+"):
            op = self.advance().kind
            return n.Unary(op, self.unary())
        return self.power()

    def power(self) -> n.Expr:
        base = self.postfix()
        if not self.at("^", "**"):
            return base
        self.advance()
        return n.Binary("^", base, self.exponent())

    def exponent(self) -> n.Expr:
        if self.at("!", "-", "+"):
            op = self.advance().kind
            return n.Unary(op, self.exponent())
        return self.power()

    def postfix(self) -> n.Expr:
        e = self.primary()
        if self.at("++", "--") and isinstance(e, LVALUES):
            return n.IncDec(self.advance().kind, False, e)
        return e

    def primary(self) -> n.Expr:
        tok = self.peek()
        kind = tok.kind
        if kind == "NUMBER":
            self.advance()
            return n.Num(float(tok.value))
        if kind == "STRING":
            self.advance()
            return n.Str(tok.value)
        if kind == "ERE":
            self.advance()
            return n.Regex(tok.value)
        if kind == "(":
            return self.parenthesized()
        if kind == "$":
            self.advance()
            return n.Field(self.field_operand())
        if kind in ("++", "--"):
            self.advance()
            target = self.primary()
            if not isinstance(target, LVALUES):
                raise self.error()
            return n.IncDec(kind, True, target)
        if kind in ("-", "+", "!"):
            self.advance()
            return n.Unary(kind, self.unary())
        if kind == "NAME":
            return self.variable()
        if kind == "FUNC_NAME":
            return self.call()
        if kind == "BUILTIN":
            return self.builtin()
        if kind == "getline":
            self.advance()
            into = self.getline_target()
            if self.at("<"):
                self.advance()
                return n.Getline("file", into, self.getline_source())
            return n.Getline("plain", into, None)
        raise self.error()

    def parenthesized(self) -> n.Expr:
        self.advance()
        items = self.expr_list(")")
        if not items:
            raise self.error(self.peek(-1))
        if len(items) == 1:
            return items[0]
        if not self.at("in"):
            raise self.error()
        return n.Group(items)

    def field_operand(self) -> n.Expr:
        if self.at("-", "+", "!"):
            op = self.advance().kind
            return n.Unary(op, self.field_operand())
        if self.at("++", "--"):
            return self.primary()
        return self.primary()

    def variable(self) -> n.Expr:
        ref = self.name_ref(self.advance().value)
        if self.at("["):
            return n.Index(ref, self.subscripts())
        return ref

    def call(self) -> n.Expr:
        tok = self.advance()
        self.expect("(")
        call = n.Call(tok.value, self.expr_list(")"), tok.line)
        self.calls.append(call)
        return call

    def builtin(self) -> n.Expr:
        name = self.advance().value
        if not self.at("("):
            if name != "length":
                raise self.error()
            return n.Builtin(name, [])
        self.advance()
        args = self.expr_list(")")
        if not ARITY[name][0] <= len(args) <= ARITY[name][1]:
            raise self.error(self.peek(-1))
        if name == "split" and not isinstance(args[1], (n.Var, n.Local)):
            raise self.error(self.peek(-1))
        return n.Builtin(name, args)

    def getline_target(self) -> n.Expr | None:
        if self.at("$"):
            self.advance()
            return n.Field(self.field_operand())
        if self.at("NAME"):
            return self.variable()
        return None

    def getline_source(self) -> n.Expr:
        if self.at("$"):
            self.advance()
            return n.Field(self.field_operand())
        return self.postfix()


ARITY = {"length": (0, 1), "substr": (2, 3), "index": (2, 2), "split": (2, 3),
         "sub": (2, 3), "gsub": (2, 3), "match": (2, 2), "sprintf": (1, 255),
         "tolower": (1, 1), "toupper": (1, 1), "int": (1, 1), "sqrt": (1, 1), "exp": (1, 1),
         "log": (1, 1), "sin": (1, 1), "cos": (1, 1), "atan2": (2, 2), "rand": (0, 0),
         "srand": (0, 1), "system": (1, 1), "close": (1, 1), "fflush": (0, 1)}


def parse(src: str) -> n.Program:
    """The program `src` as a tree; AwkSyntaxError (its line and token) when it is not awk."""
    return Parser(src).parse()
