"""The wire format: syscalls and results as MessagePack, decoded with type validation."""

from __future__ import annotations

from typing import get_args

import msgspec
import pytest

from pith.kernel.core import actions as ac
from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import Result
from pith.kernel.core.errors import ErrorCode
from pith.kernel.core.syscalls import SyscallRequest

SYSCALLS: list[object] = [
    sc.Call(3, b"\x00\xffmsg", (1, 2), 1.5),
    sc.Send(4, b"payload", (7,), 0.0),
    sc.Recv(5, None),
    sc.Reply(6, b"answer", (8, 9)),
    sc.ReplyRecv(6, 5, b"a", (1,), 2.0),
    sc.Signal(2, 2**64 - 1),
    sc.Wait(2, 0.25),
    sc.Poll(2),
    sc.Bind(2),
    sc.Unbind(),
    sc.CapCopy(1, 3, 40),
    sc.CapMint(1, 7, 2**63 - 1, None),
    sc.CapMove(1, 2),
    sc.CapDelete(1),
    sc.CapRevoke(1),
    sc.CapInfo(1),
    sc.EndpointCreate(),
    sc.NotificationCreate(),
    sc.MemoryCreate(1 << 30),
    sc.MemoryMap(3, True),
    sc.DeviceOpen(3, True),
    sc.DeviceIrq(3, None, 4),
    sc.ThreadCreate(),
    sc.ProcessCreate(0, "sh", (1, 2, 3), "pith.user.sh:main", ("-i", ""), True),
    sc.ProcessKill(9, -(2**31)),
    sc.ProcessSignal(9, 10),
    sc.ProcessWatch(9, 2, 8),
    sc.ProcessStatus(9),
    sc.SetPriority(1, 9, -20),
    sc.TraceEnable(2, True),
    sc.TraceRead(2, 4096),
]

RESULTS: list[object] = [
    ac.Done(),
    ac.Error(ErrorCode.TIMEOUT, "the timeout passed"),
    ac.Created(5, 42),
    ac.Created(None, 43),
    ac.Received(b"\x01msg", 2**63 - 1, (4, 5), 6),
    ac.Received(b"", 0, (), None),
    ac.Replied(b"ok", (3,)),
    ac.Signalled(2**64 - 1),
    ac.Handle("memory", 7, True, 4096),
    ac.CapDescription("endpoint", 8, 7, 3),
    ac.ProcessState(9, False, -9),
    ac.ProcessState(9, True, None),
    ac.TraceRecords((ac.TraceRecord(1, "call", 2, 3, 4, 5),), 6, {"call": 7}),
]


def roundtrip(value: object, kind: object) -> object:
    return msgspec.msgpack.decode(msgspec.msgpack.encode(value), type=kind)


def test_the_examples_cover_every_syscall_and_every_result() -> None:
    assert {type(s) for s in SYSCALLS} == set(get_args(SyscallRequest))
    assert {type(r) for r in RESULTS} == set(get_args(Result))


@pytest.mark.parametrize("call", SYSCALLS, ids=lambda c: type(c).__name__)
def test_every_syscall_round_trips_through_msgpack(call: object) -> None:
    decoded = roundtrip(call, SyscallRequest)
    assert type(decoded) is type(call) and decoded == call


@pytest.mark.parametrize("result", RESULTS, ids=lambda r: type(r).__name__)
def test_every_result_round_trips_through_msgpack(result: object) -> None:
    decoded = roundtrip(result, Result)
    assert type(decoded) is type(result) and decoded == result


def test_a_resume_round_trips_with_its_result() -> None:
    resume = ac.Resume(12, ac.Replied(b"x", (1,)))
    assert roundtrip(resume, ac.Resume) == resume


def test_an_error_code_decodes_to_the_same_number() -> None:
    decoded = roundtrip(ac.Error(ErrorCode.SERVER_DIED, "gone"), Result)
    assert isinstance(decoded, ac.Error) and ErrorCode(decoded.code) is ErrorCode.SERVER_DIED


@pytest.mark.parametrize("data", [b"", b"\xc1", b"\x92\x01", b"\xa3ab"])
def test_garbage_bytes_are_refused(data: bytes) -> None:
    with pytest.raises((msgspec.DecodeError, msgspec.ValidationError)):
        msgspec.msgpack.decode(data, type=SyscallRequest)


def test_truncated_frames_are_refused() -> None:
    frame = msgspec.msgpack.encode(sc.Send(1, b"hello"))
    with pytest.raises(msgspec.DecodeError):
        msgspec.msgpack.decode(frame[:-1], type=SyscallRequest)


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "Send", "slot": "zero"},
        {"type": "Send", "slot": 1.5},
        {"type": "Send", "slot": 1, "msg": "text, not bytes"},
        {"type": "Send", "slot": 1, "caps": ["a"]},
        {"type": "Send", "slot": 1, "timeout": "soon"},
        {"type": "Recv"},
        {"type": "MemoryMap", "slot": 1, "writable": 1},
        {"type": "ProcessCreate", "spawn": 0, "name": b"bytes"},
        {"type": "NoSuchCall", "slot": 1},
        {"slot": 1},
        [1, 2, 3],
        42,
    ],
)
def test_frames_of_the_wrong_shape_or_type_are_refused(frame: object) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.msgpack.decode(msgspec.msgpack.encode(frame), type=SyscallRequest)


def test_a_result_of_the_wrong_type_is_refused() -> None:
    frame = msgspec.msgpack.encode({"type": "Signalled", "bits": "all"})
    with pytest.raises(msgspec.ValidationError):
        msgspec.msgpack.decode(frame, type=Result)
