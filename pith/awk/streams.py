"""awk's open files and pipes: print's > >> | destinations, getline's < and | sources.

Each is opened on first use and stays open, by its name, until close(name) or the end. Before
a command starts, all output is flushed (so the command's output comes after awk's so far). At
the end the pipes and files are closed (each command waited for) and then standard output is
flushed, as mawk does. "/dev/stdout" and "/dev/stderr" are awk's own; "-" and "/dev/stdin" as
getline sources are standard input. Entry point: `Streams`.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import IO, BinaryIO

from pith.awk.fields import RecordReader

__all__ = ["StreamError", "Streams", "from_host", "host"]


def host(text: str) -> str:
    """A name or command in awk's text (a character a byte) as the host's str for it."""
    return os.fsdecode(text.encode("latin-1", "replace"))


def from_host(text: str) -> str:
    """A host str (argv, the environment) as awk's text: its bytes, a character each."""
    return os.fsencode(text).decode("latin-1")


class StreamError(Exception):
    """An output that could not be opened: a run-time error (status 2)."""


@dataclass
class Output:
    file: IO[bytes]
    proc: subprocess.Popen[bytes] | None


@dataclass
class Input:
    reader: RecordReader
    proc: subprocess.Popen[bytes] | None
    file: IO[bytes] | None


def status_of(proc: subprocess.Popen[bytes]) -> int:
    rc = proc.wait()
    return rc if rc >= 0 else 256 - rc


class Streams:
    def __init__(self, stdout: BinaryIO, stdin_reader: RecordReader) -> None:
        self.stdout = stdout
        self.stdin_reader = stdin_reader
        self.outputs: dict[str, Output] = {}
        self.inputs: dict[str, Input] = {}

    def flush_all(self) -> None:
        self.stdout.flush()
        for out in self.outputs.values():
            out.file.flush()

    def output(self, mode: str, name: str) -> IO[bytes]:
        """The stream print > name (or >>, or |) writes to, opened if it is not."""
        out = self.outputs.get(name)
        if out is not None:
            return out.file
        if name == "/dev/stdout":
            return self.stdout
        if name == "/dev/stderr":
            return sys.stderr.buffer
        if mode == "|":
            self.flush_all()
            proc = subprocess.Popen(host(name), shell=True, stdin=subprocess.PIPE)
            assert proc.stdin is not None
            self.outputs[name] = Output(proc.stdin, proc)
            return proc.stdin
        try:
            file = open(host(name), "ab" if mode == ">>" else "wb")  # noqa: SIM115
        except OSError:
            raise StreamError(f'cannot open "{name}" for output') from None
        self.outputs[name] = Output(file, None)
        return file

    def input(self, mode: str, name: str) -> RecordReader | None:
        """The records getline < name (or name | getline) reads; None if it cannot be opened."""
        inp = self.inputs.get(name)
        if inp is not None:
            return inp.reader
        if mode == "<" and name in ("-", "/dev/stdin"):
            return self.stdin_reader
        if mode == "|":
            self.flush_all()
            proc = subprocess.Popen(host(name), shell=True, stdout=subprocess.PIPE)
            assert proc.stdout is not None
            self.inputs[name] = Input(RecordReader(proc.stdout), proc, proc.stdout)
        else:
            try:
                file = open(host(name), "rb")  # noqa: SIM115
            except OSError:
                return None
            self.inputs[name] = Input(RecordReader(file), None, file)
        return self.inputs[name].reader

    def close(self, name: str) -> int:
        """close(name): the command's exit status for a pipe, 0 for a file, -1 if not open."""
        status = -1
        out = self.outputs.pop(name, None)
        if out is not None:
            status = self.close_output(out)
        inp = self.inputs.pop(name, None)
        if inp is not None:
            status = self.close_input(inp)
        return status

    def close_output(self, out: Output) -> int:
        with contextlib.suppress(OSError):
            out.file.close()
        return status_of(out.proc) if out.proc is not None else 0

    def close_input(self, inp: Input) -> int:
        if inp.file is not None:
            inp.file.close()
        return status_of(inp.proc) if inp.proc is not None else 0

    def system(self, command: str) -> int:
        self.flush_all()
        proc = subprocess.Popen(host(command), shell=True)
        return status_of(proc)

    def fflush(self, name: str | None) -> int:
        if name is None:
            self.flush_all()
            return 0
        out = self.outputs.get(name)
        if out is None:
            if name == "/dev/stdout":
                self.stdout.flush()
                return 0
            return -1
        out.file.flush()
        return 0

    def close_all(self) -> None:
        """The end: every pipe and file closed (commands waited for), then stdout flushed."""
        for name in list(self.outputs):
            self.close(name)
        for name in list(self.inputs):
            self.close(name)
        self.stdout.flush()
