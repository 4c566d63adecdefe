"""awk's interpreter: runs a Program's tree over the input (BEGIN, each record's rules, END).

State: the globals (a dict: scalars and arrays, FS NR ... among them), the call frames (a
list of slots per call: a value, an array, None for untyped, or a Ref to the caller's untyped
variable, which becomes an array when used as one), the Record, the main input (ARGV's files
and assignments, read as they are reached) and the Streams. Control flow (next, exit, return,
break, continue) is by exceptions. Entry points: `Interpreter(program, argv, assigns).run()`,
`AwkError` (a run-time error: status 2).
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Callable
from typing import IO, BinaryIO, ClassVar

from pith.awk import nodes as n
from pith.awk.fields import RecordReader
from pith.awk.format import FormatError, sprintf
from pith.awk.record import FieldError, Record
from pith.awk.regex import RegexError, compile_ere
from pith.awk.streams import StreamError, Streams, from_host, host
from pith.awk.values import UNINIT, Value, compare, number_text, strnum, to_bool, to_num

__all__ = ["AwkError", "Interpreter"]

Array = dict[str, Value]
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z_0-9]*=", re.DOTALL)


class AwkError(Exception):
    """A run-time error: 'awk: run time error: ...' and status 2."""


class NextRecord(Exception):
    pass


class NextFile(Exception):
    pass


class ExitProgram(Exception):
    pass


class ReturnValue(Exception):
    def __init__(self, value: Value) -> None:
        self.value = value


class BreakLoop(Exception):
    pass


class ContinueLoop(Exception):
    pass


class Ref:
    """A caller's untyped variable passed to a function: it becomes an array on first use."""

    def __init__(self, container: dict[str, object] | list[object], key: str | int) -> None:
        self.container, self.key = container, key

    def array(self) -> Array:
        c = self.container
        current = c.get(self.key) if isinstance(c, dict) else c[self.key]  # type: ignore[index, arg-type]
        if isinstance(current, Ref):
            arr = current.array()
        elif isinstance(current, dict):
            return current
        else:
            arr = {}
        self.container[self.key] = arr  # type: ignore[index]
        return arr


def awk_pow(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except OverflowError:
        return math.inf if x > 0 or (y == int(y) and int(y) % 2 == 0) else -math.inf
    except ValueError:
        return -math.nan


class Interpreter:
    def __init__(self, program: n.Program, argv: list[str], assigns: list[tuple[str, str]],
                 stdout: BinaryIO | None = None) -> None:
        self.program = program
        self.vars: dict[str, object] = {}
        self.frames: list[list[object]] = []
        self.frame: list[object] = []
        self.record = Record(self.field_separator, lambda: self.special_str("OFS"), self.tostr)
        self.stdin = RecordReader(sys.stdin.buffer)
        self.out = stdout or sys.stdout.buffer
        self.err = sys.stderr.buffer
        self.streams = Streams(self.out, self.stdin)
        self.tty = os.isatty(self.out.fileno()) if stdout is None else False
        self.main: RecordReader | None = None
        self.main_file: BinaryIO | None = None
        self.arg_index = 1
        self.read_a_file = False
        self.ranges = [False] * len(program.rules)
        self.status = 0
        self.phase = "BEGIN"  # then main, then END
        self.seed: float = 0.0
        from pith.awk.builtins import BUILTINS, Random
        self.builtins = BUILTINS
        self.random = Random(0)
        self.init_vars(argv)
        for name, value in assigns:
            self.assign_text(name, value)

    def init_vars(self, argv: list[str]) -> None:
        v = self.vars
        v.update(FS=" ", OFS=" ", ORS="\n", RS="\n", SUBSEP="\x1c", CONVFMT="%.6g",
                 OFMT="%.6g", NR=0.0, FNR=0.0, RSTART=0.0, RLENGTH=-1.0, FILENAME="")
        v["ARGV"] = {str(i): (strnum(a) if i else a) for i, a in enumerate(argv)}
        v["ARGC"] = float(len(argv))
        v["ENVIRON"] = {from_host(k): strnum(from_host(val)) for k, val in os.environ.items()}

    # ------------------------------------------------------------ conversions

    def tostr(self, v: Value) -> str:
        if isinstance(v, str):
            return v
        return number_text(v, self.special_str("CONVFMT"), self.format)

    def output_str(self, v: Value) -> str:
        if isinstance(v, str):
            return v
        return number_text(v, self.special_str("OFMT"), self.format)

    def special_str(self, name: str) -> str:
        v = self.vars.get(name, "")
        if isinstance(v, str):
            return v
        if isinstance(v, float):
            return number_text(v, "%.6g", self.format)
        return ""

    def format(self, fmt: str, args: list[Value]) -> str:
        try:
            return sprintf(fmt, args, self.special_str("CONVFMT"))
        except FormatError as e:
            raise AwkError(str(e)) from None
        except (OverflowError, ValueError, MemoryError) as e:
            raise AwkError(f"bad format {fmt!r}: {e}") from None

    def printf_text(self, fmt: str, args: list[Value]) -> tuple[str, AwkError | None]:
        """printf's text; with too few arguments, what came before it and the error (mawk)."""
        try:
            return sprintf(fmt, args, self.special_str("CONVFMT")), None
        except FormatError as e:
            return e.partial, AwkError(str(e))
        except (OverflowError, ValueError, MemoryError) as e:
            raise AwkError(f"bad format {fmt!r}: {e}") from None

    def field_separator(self) -> tuple[str, bool]:
        return self.special_str("FS"), self.special_str("RS") == ""

    def regex(self, node: n.Expr) -> re.Pattern[str]:
        source = node.source if isinstance(node, n.Regex) else self.tostr(self.eval(node))
        try:
            return compile_ere(source)
        except RegexError as e:
            raise AwkError(f"regular expression compile failed ({e})\n{source}") from None

    def assign_text(self, name: str, text: str) -> None:
        """-v name=text or a name=text operand: escapes done, a strnum if it looks numeric."""
        from pith.awk.lexer import unescape
        if isinstance(self.vars.get(name), dict):
            raise AwkError(f"can't assign to {name}; it's an array name.")
        self.set_global(name, strnum(unescape(text)))

    # ------------------------------------------------------------ running

    def run(self) -> int:
        try:
            try:
                for block in self.program.begins:
                    self.exec_block(block)
                if self.program.rules or self.program.ends:
                    self.phase = "main"
                    self.main_loop()
            except ExitProgram:
                pass
            self.phase = "END"
            try:
                for block in self.program.ends:
                    self.exec_block(block)
            except ExitProgram:
                pass
        finally:
            self.streams.close_all()
        return self.status

    def main_loop(self) -> None:
        rules = self.program.rules
        while True:
            text = self.next_main_record()
            if text is None:
                return
            self.record.set_text(text)
            try:
                for i, rule in enumerate(rules):
                    if self.rule_matches(i, rule):
                        if rule.action is None:
                            self.print_record()
                        else:
                            self.exec_block(rule.action)
            except NextRecord:
                pass
            except NextFile:
                self.close_main()

    def rule_matches(self, i: int, rule: n.Rule) -> bool:
        if rule.pattern is None:
            return True
        if rule.end is None:
            return self.test(rule.pattern)
        if not self.ranges[i]:
            if not self.test(rule.pattern):
                return False
            self.ranges[i] = True
        if self.test(rule.end):
            self.ranges[i] = False
        return True

    def test(self, e: n.Expr) -> bool:
        if isinstance(e, n.Regex):
            return self.regex(e).search(self.record.text) is not None
        return to_bool(self.eval(e))

    def print_record(self) -> None:
        self.write(self.out, self.record.text + self.special_str("ORS"))

    def write(self, f: IO[bytes], text: str) -> None:
        f.write(text.encode("latin-1", "replace"))
        if (self.tty and f is self.out) or f is self.err:
            f.flush()

    # ------------------------------------------------------------ the main input

    def next_main_record(self) -> str | None:
        """The next record of the main input (ARGV's files, else stdin), counted in NR, FNR."""
        while True:
            if self.main is None and not self.open_next_input():
                return None
            assert self.main is not None
            text = self.main.read(self.special_str("RS"))
            if text is not None:
                self.vars["NR"] = to_num(self.get_global("NR")) + 1
                self.vars["FNR"] = to_num(self.get_global("FNR")) + 1
                return text
            self.close_main()

    def close_main(self) -> None:
        if self.main_file is not None:
            self.main_file.close()
        self.main, self.main_file = None, None

    def open_next_input(self) -> bool:
        if self.phase == "END":
            return False
        while self.arg_index < to_num(self.get_global("ARGC")):
            argv = self.vars["ARGV"]
            assert isinstance(argv, dict)
            arg = self.tostr(argv.get(str(self.arg_index), ""))
            self.arg_index += 1
            if arg == "":
                continue
            if ASSIGNMENT.match(arg):
                name, _, value = arg.partition("=")
                self.assign_text(name, value)
                continue
            self.read_a_file = True
            self.open_main(arg)
            return True
        if self.read_a_file:
            return False
        self.read_a_file = True
        self.open_main("-")
        return True

    def open_main(self, name: str) -> None:
        self.vars["FNR"] = 0.0
        self.vars["FILENAME"] = name
        if name in ("-", "/dev/stdin"):
            self.main = self.stdin
            return
        try:
            self.main_file = open(host(name), "rb")  # noqa: SIM115
        except OSError as e:
            raise AwkError(f"cannot open {name} ({os.strerror(e.errno or 0)})") from None
        self.main = RecordReader(self.main_file)

    # ------------------------------------------------------------ statements

    def exec_block(self, block: n.Block) -> None:
        for stmt in block.body:
            self.EXEC[type(stmt)](self, stmt)

    def exec(self, stmt: n.Stmt) -> None:
        self.EXEC[type(stmt)](self, stmt)

    def exec_expr(self, stmt: n.ExprStmt) -> None:
        self.eval(stmt.expr)

    def exec_print(self, stmt: n.Print) -> None:
        error = None
        if stmt.printf:
            values = [self.eval(a) for a in stmt.args]
            text, error = self.printf_text(self.tostr(values[0]), values[1:])
        elif not stmt.args:
            text = self.record.text + self.special_str("ORS")
        else:
            text = self.special_str("OFS").join(
                [self.output_str(self.eval(a)) for a in stmt.args]) + self.special_str("ORS")
        f = self.out
        if stmt.mode is not None:
            assert stmt.dest is not None
            try:
                f = self.streams.output(stmt.mode, self.tostr(self.eval(stmt.dest)))
            except StreamError as e:
                raise AwkError(str(e)) from None
        self.write(f, text)
        if error is not None:
            raise error

    def exec_if(self, stmt: n.If) -> None:
        if to_bool(self.eval(stmt.test)):
            self.exec(stmt.then)
        elif stmt.orelse is not None:
            self.exec(stmt.orelse)

    def exec_while(self, stmt: n.While) -> None:
        while to_bool(self.eval(stmt.test)):
            try:
                self.exec(stmt.body)
            except BreakLoop:
                break
            except ContinueLoop:
                pass

    def exec_do(self, stmt: n.Do) -> None:
        while True:
            try:
                self.exec(stmt.body)
            except BreakLoop:
                break
            except ContinueLoop:
                pass
            if not to_bool(self.eval(stmt.test)):
                break

    def exec_for(self, stmt: n.For) -> None:
        if stmt.init is not None:
            self.eval(stmt.init)
        while stmt.test is None or to_bool(self.eval(stmt.test)):
            try:
                self.exec(stmt.body)
            except BreakLoop:
                break
            except ContinueLoop:
                pass
            if stmt.step is not None:
                self.eval(stmt.step)

    def exec_for_in(self, stmt: n.ForIn) -> None:
        for key in list(self.array(stmt.array)):
            self.assign(stmt.var, strnum(key))
            try:
                self.exec(stmt.body)
            except BreakLoop:
                break
            except ContinueLoop:
                pass

    def exec_delete(self, stmt: n.Delete) -> None:
        arr = self.array(stmt.array)
        if stmt.subs is None:
            arr.clear()
        else:
            arr.pop(self.subscript(stmt.subs), None)

    def exec_exit(self, stmt: n.Exit) -> None:
        if stmt.value is not None:
            self.status = int(to_num(self.eval(stmt.value))) & 0xFF
        raise ExitProgram

    def exec_return(self, stmt: n.Return) -> None:
        raise ReturnValue(UNINIT if stmt.value is None else self.eval(stmt.value))

    def exec_next(self, stmt: n.Next) -> None:
        if self.phase != "main":
            raise AwkError("improper use of next")
        raise NextRecord

    def exec_nextfile(self, stmt: n.NextFile) -> None:
        if self.phase != "main":
            raise AwkError("improper use of nextfile")
        raise NextFile

    def exec_break(self, stmt: n.Break) -> None:
        raise BreakLoop

    def exec_continue(self, stmt: n.Continue) -> None:
        raise ContinueLoop

    EXEC: ClassVar[dict[type, Callable[..., None]]] = {
        n.Block: exec_block, n.ExprStmt: exec_expr, n.Print: exec_print,
        n.If: exec_if, n.While: exec_while, n.Do: exec_do, n.For: exec_for,
        n.ForIn: exec_for_in, n.Delete: exec_delete, n.Exit: exec_exit, n.Return: exec_return,
        n.Next: exec_next, n.NextFile: exec_nextfile, n.Break: exec_break,
        n.Continue: exec_continue}

    # ------------------------------------------------------------ variables

    def get_global(self, name: str) -> Value:
        if name == "NF":
            return float(self.record.nf())
        v = self.vars.get(name, UNINIT)
        if isinstance(v, dict):
            raise AwkError(f"can't use array {name} in scalar context")
        return v  # type: ignore[return-value]

    def set_global(self, name: str, v: Value) -> None:
        if name == "NF":
            self.set_nf(v)
            return
        if isinstance(self.vars.get(name), dict):
            raise AwkError(f"can't assign to {name}; it's an array name.")
        self.vars[name] = v

    def set_nf(self, v: Value) -> None:
        x = to_num(v)
        try:
            self.record.set_nf(int(x) if math.isfinite(x) else -1)
        except FieldError as e:
            raise AwkError(str(e)) from None

    def get_local(self, node: n.Local) -> Value:
        v = self.frame[node.slot]
        if v is None or isinstance(v, Ref):
            return UNINIT
        if isinstance(v, dict):
            raise AwkError(f"can't use array {node.name} in scalar context")
        return v  # type: ignore[return-value]

    def set_local(self, node: n.Local, v: Value) -> None:
        if isinstance(self.frame[node.slot], dict):
            raise AwkError(f"can't assign to {node.name}; it's an array name.")
        self.frame[node.slot] = v

    def array(self, ref: n.Var | n.Local) -> Array:
        if isinstance(ref, n.Local):
            v = self.frame[ref.slot]
            if isinstance(v, Ref):
                v = v.array()
                self.frame[ref.slot] = v
            elif v is None:
                v = self.frame[ref.slot] = {}
        else:
            v = self.vars.get(ref.name)
            if v is None and ref.name != "NF":
                v = self.vars[ref.name] = {}
        if not isinstance(v, dict):
            raise AwkError(f"can't use scalar {ref.name} as array")
        return v

    def subscript(self, subs: list[n.Expr]) -> str:
        if len(subs) == 1:
            return self.tostr(self.eval(subs[0]))
        return self.special_str("SUBSEP").join([self.tostr(self.eval(s)) for s in subs])

    def field_index(self, e: n.Expr) -> int:
        x = to_num(self.eval(e))
        if not math.isfinite(x):
            raise AwkError(f"bad field index ${x}")
        return int(x)

    def get_field(self, i: int) -> Value:
        try:
            return self.record.get(i)
        except FieldError as e:
            raise AwkError(str(e)) from None

    def set_field(self, i: int, v: Value) -> None:
        try:
            self.record.set(i, v)
        except FieldError as e:
            raise AwkError(str(e)) from None

    def assign(self, target: n.Expr, v: Value) -> None:
        """target = v, for any lvalue."""
        if isinstance(target, n.Var):
            self.set_global(target.name, v)
        elif isinstance(target, n.Local):
            self.set_local(target, v)
        elif isinstance(target, n.Field):
            self.set_field(self.field_index(target.index), v)
        elif isinstance(target, n.Index):
            self.array(target.array)[self.subscript(target.subs)] = v
        else:
            raise AwkError("assignment to a non-lvalue")

    def update(self, target: n.Expr, change: Callable[[Value], Value]) -> tuple[Value, Value]:
        """target = change(target), the lvalue's place found once: (old, new)."""
        if isinstance(target, n.Var):
            old = self.get_global(target.name)
            self.set_global(target.name, new := change(old))
        elif isinstance(target, n.Local):
            old = self.get_local(target)
            self.set_local(target, new := change(old))
        elif isinstance(target, n.Field):
            i = self.field_index(target.index)
            old = self.get_field(i)
            self.set_field(i, new := change(old))
        elif isinstance(target, n.Index):
            arr, key = self.array(target.array), self.subscript(target.subs)
            old = arr.get(key, UNINIT)
            arr[key] = new = change(old)
        else:
            raise AwkError("assignment to a non-lvalue")
        return old, new

    # ------------------------------------------------------------ expressions

    def eval(self, e: n.Expr) -> Value:
        return self.EVAL[type(e)](self, e)

    def eval_num(self, e: n.Num) -> Value:
        return e.value

    def eval_str(self, e: n.Str) -> Value:
        return e.value

    def eval_regex(self, e: n.Regex) -> Value:
        return 1.0 if self.regex(e).search(self.record.text) else 0.0

    def eval_var(self, e: n.Var) -> Value:
        return self.get_global(e.name)

    def eval_local(self, e: n.Local) -> Value:
        return self.get_local(e)

    def eval_field(self, e: n.Field) -> Value:
        return self.get_field(self.field_index(e.index))

    def eval_index(self, e: n.Index) -> Value:
        arr = self.array(e.array)
        key = self.subscript(e.subs)
        v = arr.get(key)
        if v is None:
            v = arr[key] = UNINIT
        return v

    def eval_assign(self, e: n.Assign) -> Value:
        if e.op == "=":
            if isinstance(e.target, n.Index):
                arr, key = self.array(e.target.array), self.subscript(e.target.subs)
                arr[key] = v = self.eval(e.value)
                return v
            v = self.eval(e.value)
            self.assign(e.target, v)
            return v
        op = e.op[:-1]
        if isinstance(e.target, n.Index):
            arr, key = self.array(e.target.array), self.subscript(e.target.subs)
            right = to_num(self.eval(e.value))
            arr[key] = v = self.arith(op, to_num(arr.get(key, UNINIT)), right)
            return v
        right = to_num(self.eval(e.value))
        return self.update(e.target, lambda old: self.arith(op, to_num(old), right))[1]

    def eval_cond(self, e: n.Cond) -> Value:
        return self.eval(e.yes) if to_bool(self.eval(e.test)) else self.eval(e.no)

    def eval_logical(self, e: n.Logical) -> Value:
        left = to_bool(self.eval(e.left))
        if e.op == "&&":
            return 1.0 if left and to_bool(self.eval(e.right)) else 0.0
        return 1.0 if left or to_bool(self.eval(e.right)) else 0.0

    def eval_in(self, e: n.In) -> Value:
        key = self.subscript(e.subs)
        return 1.0 if key in self.array(e.array) else 0.0

    def eval_match(self, e: n.Match) -> Value:
        text = self.tostr(self.eval(e.left))
        found = self.regex(e.regex).search(text) is not None
        return 1.0 if found != e.negate else 0.0

    def eval_compare(self, e: n.Compare) -> Value:
        c = compare(self.eval(e.left), self.eval(e.right), self.special_str("CONVFMT"),
                    self.format)
        op = e.op
        result = (c < 0 if op == "<" else c <= 0 if op == "<=" else c == 0 if op == "==" else
                  c != 0 if op == "!=" else c > 0 if op == ">" else c >= 0)
        return 1.0 if result else 0.0

    def eval_concat(self, e: n.Concat) -> Value:
        return "".join([self.tostr(self.eval(p)) for p in e.parts])

    def arith(self, op: str, x: float, y: float) -> float:
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        if op == "/":
            if y == 0:
                raise AwkError("division by zero")
            return x / y
        if op == "%":
            if y == 0:
                raise AwkError("division by zero in %")
            return math.fmod(x, y) if math.isfinite(x) else math.nan
        return awk_pow(x, y)

    def eval_binary(self, e: n.Binary) -> Value:
        return self.arith(e.op, to_num(self.eval(e.left)), to_num(self.eval(e.right)))

    def eval_unary(self, e: n.Unary) -> Value:
        v = self.eval(e.operand)
        if e.op == "!":
            return 0.0 if to_bool(v) else 1.0
        x = to_num(v)
        return -x if e.op == "-" else x

    def eval_incdec(self, e: n.IncDec) -> Value:
        step = 1.0 if e.op == "++" else -1.0
        old, new = self.update(e.target, lambda v: to_num(v) + step)
        return new if e.prefix else to_num(old)

    def eval_group(self, e: n.Group) -> Value:
        raise AwkError("a parenthesized list is only print's or in's")

    def eval_builtin(self, e: n.Builtin) -> Value:
        return self.builtins[e.name](self, e.args)

    def eval_call(self, e: n.Call) -> Value:
        fn = self.program.functions[e.name]
        frame: list[object] = [None] * len(fn.params)
        for i, arg in enumerate(e.args):
            frame[i] = self.argument(arg)
        self.frames.append(self.frame)
        self.frame = frame
        try:
            self.exec_block(fn.body)
        except ReturnValue as r:
            return r.value
        finally:
            self.frame = self.frames.pop()
        return UNINIT

    def argument(self, arg: n.Expr) -> object:
        """What a call's argument passes: an array by reference, an untyped name as a Ref."""
        if isinstance(arg, n.Var) and arg.name != "NF":
            v = self.vars.get(arg.name)
            if isinstance(v, dict):
                return v
            if v is None:
                return Ref(self.vars, arg.name)
            return v
        if isinstance(arg, n.Local):
            v = self.frame[arg.slot]
            if isinstance(v, (dict, Ref)):
                return v
            if v is None:
                return Ref(self.frame, arg.slot)
            return v
        return self.eval(arg)

    def eval_getline(self, e: n.Getline) -> Value:
        if e.kind == "plain":
            text = self.next_main_record()
            if text is None:
                return 0.0
        else:
            assert e.source is not None
            name = self.tostr(self.eval(e.source))
            reader = self.streams.input("<" if e.kind == "file" else "|", name)
            if reader is None:
                return -1.0
            text = reader.read(self.special_str("RS"))
            if text is None:
                return 0.0
            if e.kind == "cmd":
                self.vars["NR"] = to_num(self.get_global("NR")) + 1
        if e.target is None:
            self.record.set_text(text)
        else:
            self.assign(e.target, strnum(text))
        return 1.0

    EVAL: ClassVar[dict[type, Callable[..., Value]]] = {
        n.Num: eval_num, n.Str: eval_str, n.Regex: eval_regex,
        n.Var: eval_var, n.Local: eval_local, n.Field: eval_field, n.Index: eval_index,
        n.Assign: eval_assign, n.Cond: eval_cond, n.Logical: eval_logical, n.In: eval_in,
        n.Match: eval_match, n.Compare: eval_compare, n.Concat: eval_concat,
        n.Binary: eval_binary, n.Unary: eval_unary, n.IncDec: eval_incdec,
        n.Group: eval_group, n.Builtin: eval_builtin, n.Call: eval_call,
        n.Getline: eval_getline}

