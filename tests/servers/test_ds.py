"""ds, the data store: the registry, the per-service stash, Watch; the framework's start
reason and Prepare/save/restore over ds; and one booted system where a server counts its
starts in ds, is told why it starts, and its published cap goes and comes back."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import msgspec
import pytest

from pith.kernel.core.actions import CapDescription, Replied
from pith.kernel.core.errors import InvalidSlot
from pith.lib.server import DEFER, Caller, Failure, Prepare, Prepared, Server, ServiceError
from pith.protocols import ds as p
from pith.protocols.echo import Counted, Echo, Stats
from pith.servers.ds.server import DsServer
from pith.servers.echo.server import EchoServer
from pith.servers.tmpfs.server import TmpfsServer
from tests.kernel.host.conftest import (
    boot,
    no_leaks,  # noqa: F401  (the leak check)
)

enc = msgspec.msgpack.encode


class FakeGate:
    """The few syscalls ds and the framework make, on a made-up CSpace: caps (slot ->
    object), replies sent, and calls to a ds in this same process."""

    def __init__(self) -> None:
        self.caps: dict[int, int] = {}
        self.replies: dict[int, tuple[Any, tuple[int, ...]]] = {}
        self.ds: DsServer | None = None
        self.badge = 7  # the badge on the caller's ds cap

    def cap_info(self, slot: int) -> CapDescription:
        if slot not in self.caps:
            raise InvalidSlot(f"slot {slot} is empty")
        return CapDescription("endpoint", self.caps[slot], 3, 0)

    def cap_delete(self, slot: int) -> None:
        del self.caps[slot]

    def reply(self, reply: int, msg: bytes = b"", caps: tuple[int, ...] = ()) -> None:
        self.caps.pop(reply, None)
        self.replies[reply] = (msgspec.msgpack.decode(msg, type=p.DsReply | Failure), caps)

    def call(self, slot: int, msg: bytes = b"", caps: tuple[int, ...] = (),
             timeout: float | None = None) -> Replied:
        assert self.ds is not None
        out = self.ds.dispatch(msg, Caller(self.badge, None))
        assert out is not None
        return Replied(out, ())


def ask(server: DsServer, request: Any, badge: int = 5, caps: tuple[int, ...] = (),
        reply: int | None = None) -> Any:
    """Dispatch `request`; its decoded reply (DEFER if none yet), raising on a Failure."""
    out = server.dispatch(enc(request), Caller(badge, reply, caps))
    if out is None:
        return DEFER
    answer = msgspec.msgpack.decode(out, type=p.DsReply | Failure)
    if isinstance(answer, Failure):
        raise ServiceError(answer.error, answer.message)
    return answer


@pytest.fixture
def fake() -> FakeGate:
    return FakeGate()


@pytest.fixture
def ds(fake: FakeGate) -> DsServer:
    server = DsServer({"ds": 0}, (), lambda: fake)  # type: ignore[arg-type, return-value]
    fake.ds = server
    return server


def test_the_stash_is_per_badge_and_survives_what_the_caller_does(ds: DsServer) -> None:
    ask(ds, p.Stash("a", b"one"), badge=5)
    ask(ds, p.Stash("a", b"other"), badge=6)
    assert ask(ds, p.Fetch("a"), badge=5).data == b"one"
    assert ask(ds, p.Fetch("a"), badge=6).data == b"other"
    assert ask(ds, p.StashKeys(), badge=5).names == ["a"]
    ask(ds, p.Drop("a"), badge=5)
    with pytest.raises(ServiceError) as e:
        ask(ds, p.Fetch("a"), badge=5)
    assert e.value.error == "ENOENT"
    assert ask(ds, p.Fetch("a"), badge=6).data == b"other"


@pytest.mark.parametrize(("request_", "error"), [
    (p.Stash("k", bytes(p.MAX_VALUE + 1)), "E2BIG"),
    (p.Stash("", b"x"), "EINVAL"),
    (p.Stash("k" * (p.MAX_KEY + 1), b"x"), "EINVAL"),
])
def test_stash_refusals(ds: DsServer, request_: Any, error: str) -> None:
    with pytest.raises(ServiceError) as e:
        ask(ds, request_)
    assert e.value.error == error
    assert ask(ds, p.StashKeys()).names == []  # and nothing changed


def test_unbadged_callers_have_no_stash(ds: DsServer) -> None:
    with pytest.raises(ServiceError) as e:
        ask(ds, p.Stash("k", b"x"), badge=0)
    assert e.value.error == "EPERM"


def test_a_stash_is_bounded_in_keys_and_bytes(ds: DsServer) -> None:
    for i in range(p.MAX_KEYS):
        ask(ds, p.Stash(f"k{i}", b"x"))
    with pytest.raises(ServiceError, match="256 keys") as e:
        ask(ds, p.Stash("one more", b"x"))
    assert e.value.error == "ENOSPC"
    ask(ds, p.Stash("k0", b"replaced"))  # a key already there may change
    big = bytes(p.MAX_VALUE)
    for i in range(p.MAX_STASH // p.MAX_VALUE):
        ask(ds, p.Stash(f"big{i}", big), badge=9)
    with pytest.raises(ServiceError, match="at most 1048576") as e:
        ask(ds, p.Stash("big-too-many", big), badge=9)
    assert e.value.error == "ENOSPC"


def test_publish_lookup_and_a_publishers_death(ds: DsServer, fake: FakeGate) -> None:
    fake.caps[40] = 1234  # the cap that came with the Publish
    assert ask(ds, p.Publish("blk"), caps=(40,)).version == 1
    fake.caps[50] = 99  # (the Reply cap of the lookup)
    assert ask(ds, p.Lookup("blk"), badge=8, reply=50) is DEFER
    found, caps = fake.replies[50]
    assert found == p.Found(1) and caps == (40,)  # answered with a copy of the cap
    fake.caps[41] = 777
    with pytest.raises(ServiceError) as e:
        ask(ds, p.Publish("blk"), badge=8, caps=(41,))  # the name is another's
    assert e.value.error == "EPERM"
    assert 41 not in fake.caps  # a refused cap is not kept
    del fake.caps[40]  # the publisher died: the kernel revoked ds's copy
    with pytest.raises(ServiceError, match="its publisher has gone") as e:
        ask(ds, p.Lookup("blk"), reply=51)
    assert e.value.error == "ENOENT"
    fake.caps[40] = 5678  # restarted, it publishes again (the slot is reused)
    assert ask(ds, p.Publish("blk"), caps=(40,)).version == 2
    assert 40 in fake.caps  # (the stale entry's slot was not deleted under the new cap)


def test_publish_needs_exactly_one_cap(ds: DsServer, fake: FakeGate) -> None:
    fake.caps.update({1: 10, 2: 20})
    with pytest.raises(ServiceError, match="with one cap, not 2"):
        ask(ds, p.Publish("x"), caps=(1, 2))
    assert 1 not in fake.caps and 2 not in fake.caps  # caps a request does not keep go


def test_watch_is_a_long_poll_answered_by_a_publish(ds: DsServer, fake: FakeGate) -> None:
    fake.caps[60] = 1
    assert ask(ds, p.Watch(["mfs"], 0), reply=60) is DEFER  # nothing yet: it waits
    fake.caps[61] = 2
    assert ask(ds, p.Watch(["other"], 0), reply=61) is DEFER
    fake.caps[40] = 1234
    ask(ds, p.Publish("mfs"), caps=(40,))
    assert fake.replies[60][0] == p.Changed(1, ["mfs"])  # told at once
    assert 61 not in fake.replies  # the other still waits
    news = ask(ds, p.Watch(["mfs", "other"], 0), reply=62)
    assert news == p.Changed(1, ["mfs"])  # newer than seen already: answered at once
    assert ask(ds, p.Watch(["mfs"], news.version), reply=63) is DEFER
    ask(ds, p.Unpublish("mfs"))
    assert fake.replies[63][0] == p.Changed(2, ["mfs"])  # an unpublish is news too


def test_ds_refuses_a_live_update(ds: DsServer) -> None:
    with pytest.raises(ServiceError) as e:
        ask(ds, Prepare())
    assert e.value.error == "ENOTSUP"


# --- the framework: start reason, Prepare, save and restore -------------------------------

def test_the_start_reason_is_the_last_argument_taken_off(fake: FakeGate) -> None:
    echo = EchoServer({"echo": 0}, ("x=1", "start=restart"))
    assert echo.start_reason == "restart" and echo.args == ("x=1",)
    assert EchoServer({"echo": 0}).start_reason == "fresh"


def test_prepare_saves_into_ds_and_an_update_restores(ds: DsServer, fake: FakeGate) -> None:
    gate_of: Any = lambda: fake  # noqa: E731
    old = EchoServer({"echo": 0, "ds": 1}, ("start=fresh",), gate_of)
    for _ in range(3):
        old.dispatch(enc(Echo("hi")), Caller(1, None))
    prepared = msgspec.msgpack.decode(old.dispatch(enc(Prepare()), Caller(0, None)) or b"",
                                      type=Prepared)
    assert prepared == Prepared(1) and old.stopped  # "3": one byte handed over
    assert ds.stashes[fake.badge][p.STATE_KEY] == b"3"
    new = EchoServer({"echo": 0, "ds": 1}, ("start=update",), gate_of)
    stats = msgspec.msgpack.decode(new.dispatch(enc(Stats()), Caller(1, None)) or b"",
                                   type=Counted)
    assert stats == Counted(3, "update")
    crashed = EchoServer({"echo": 0, "ds": 1}, ("start=restart",), gate_of)
    assert crashed.count == 0  # only an update hands state over


def test_a_server_without_save_takes_no_live_update() -> None:
    tmpfs = TmpfsServer({"tmpfs": 0})  # its files are only in its memory
    out = msgspec.msgpack.decode(tmpfs.dispatch(enc(Prepare()), Caller(0, None)) or b"",
                                 type=Failure)
    assert out.error == "ENOTSUP" and "would be lost" in out.message
    assert not tmpfs.stopped  # it goes on serving


class Updatable(DsServer):
    """A server that defers requests (ds's Watch) and allows live updates."""

    do_prepare = Server.do_prepare

    def save(self) -> None:
        return None


def test_a_server_with_deferred_requests_refuses_to_prepare(fake: FakeGate) -> None:
    gate_of: Any = lambda: fake  # noqa: E731
    server = Updatable({"ds": 0}, (), gate_of)
    fake.caps[70] = 1
    ask(server, p.Watch(["x"]), reply=70)  # deferred: its caller waits
    with pytest.raises(ServiceError, match="1 deferred requests") as e:
        ask(server, Prepare())
    assert e.value.error == "EBUSY" and not server.stopped
    del fake.caps[70]  # the caller went away (its Reply cap with it)
    out = server.dispatch(enc(Prepare()), Caller(0, None))
    assert msgspec.msgpack.decode(out or b"", type=Prepared) == Prepared(0)
    assert server.stopped


# --- booted: a server that counts its starts in ds ------------------------------------------

PROTOCOL = """
import msgspec
class Bump(msgspec.Struct, frozen=True, tag=True):
    pass
class Stats(msgspec.Struct, frozen=True, tag=True):
    pass
class Crash(msgspec.Struct, frozen=True, tag=True):
    pass
class Count(msgspec.Struct, frozen=True, tag=True):
    count: int
    version: str
    start_reason: str
    starts: int
"""  # counter_server.py's (a command cannot import from tests/: the sandbox)

COUNTER = """
import threading
from pith.kernel.core.errors import ServerDied
from pith.protocols.ds import Ds
from pith.lib.server import Client, ServiceError
from pith.lib.syscall import gate, with_gate
from pith.protocols.rs import RsReply, StartService, StopService
exec(PROTOCOL)
counter, ds, g = Client(CAPS["counter"], Count), Ds(CAPS["ds"]), gate()
s = counter.call(Stats())
print("first", s.start_reason, s.starts)
seen = ds.watch(["counter.mine"]).version  # published already: answered at once
mine = ds.lookup("counter.mine")
print("lookup", g.cap_info(mine).kind)
news = []
watcher = threading.Thread(target=with_gate(g.thread_create(),
                                            lambda: news.append(ds.watch(["counter.mine"], seen))))
watcher.start()
try:
    counter.call(Crash())
except ServerDied:
    pass
s = counter.call(Stats(), timeout=10)
print("after a crash", s.start_reason, s.starts)
watcher.join(10)
print("told", news[0].names, news[0].version > seen)
Client(CAPS["rs"], RsReply).call(StopService("counter"))
try:
    ds.lookup("counter.mine")
except ServiceError as e:
    print(e.error, e.message)
Client(CAPS["rs"], RsReply).call(StartService("counter"))
s = counter.call(Stats(), timeout=10)
print("started again", s.start_reason, s.starts)
ds.stash("mine", b"the command's own")
print(ds.fetch("mine"), ds.stashed())
"""


def counter_manifest(tmp_path: Path) -> str:
    here = Path(__file__).parent
    path = tmp_path / "counter.toml"
    path.write_text(f"""
[servers.ds]
program = "pith.servers.ds.server:DsServer"
provides = ["ds"]

[servers.counter]
program = "{here / 'counter_server.py'}:CounterServer"
provides = ["counter"]
uses = ["ds"]
depends = ["ds"]
""")
    return str(path)


def test_a_server_counts_its_starts_in_ds_and_knows_why_it_starts(tmp_path: Path) -> None:
    code = f"PROTOCOL = {PROTOCOL!r}\n" + COUNTER
    done = boot(f"python -c {shlex.quote(code)}", counter_manifest(tmp_path))
    assert done.stdout.splitlines() == [
        "first fresh 1",
        "lookup endpoint",
        "after a crash restart 2",
        "told ['counter.mine'] True",
        "ENOENT nothing published as 'counter.mine' (its publisher has gone)",
        "started again fresh 3",
        "b\"the command's own\" ['mine']",
    ], done.stderr


class FullGate(FakeGate):
    """The caller's CSpace is full: a reply carrying a cap is refused (and changes nothing)."""

    def reply(self, reply: int, msg: bytes = b"", caps: tuple[int, ...] = ()) -> None:
        if caps:
            from pith.kernel.core.errors import CSpaceFull

            raise CSpaceFull("no free slot in the CSpace of process 12")
        super().reply(reply, msg, caps)


def test_a_lookup_whose_caller_has_no_free_slot_is_enospc_and_ds_goes_on() -> None:
    fake = FullGate()
    ds = DsServer({"ds": 0}, (), lambda: fake)  # type: ignore[arg-type, return-value]
    fake.ds = ds
    fake.caps[40] = 1234
    ask(ds, p.Publish("blk"), caps=(40,))
    fake.caps[50] = 99
    assert ask(ds, p.Lookup("blk"), badge=8, reply=50) is DEFER
    failed, caps = fake.replies[50]
    assert isinstance(failed, Failure) and failed.error == "ENOSPC" and caps == ()
    assert 40 in fake.caps  # the entry is kept for the next lookup
