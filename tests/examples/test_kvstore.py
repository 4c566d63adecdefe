"""The README's example server: its handlers alone, then the real thing booted."""

from __future__ import annotations

import subprocess
import sys

import msgspec
import pytest

from pith.lib.server import Caller, Failure, ServiceError
from pith.lib.start import load
from tests.kernel.host.conftest import ROOT, no_leaks  # noqa: F401  (the leak check)

kv = load(str(ROOT / "examples" / "kvstore.py") + ":KVServer")
Put, Get, Keys, Value = (load(f"{ROOT / 'examples' / 'kvstore.py'}:{n}")
                         for n in ("Put", "Get", "Keys", "Value"))
NOBODY = Caller(badge=0, reply=None)


def test_handlers_work_with_no_kernel() -> None:
    server = kv(caps={})
    assert server.do_put(Put("a", "1"), NOBODY) == Value(None)
    assert server.do_put(Put("a", "2"), NOBODY) == Value("1")
    assert server.do_get(Get("a"), NOBODY) == Value("2")
    assert server.do_keys(Keys(), NOBODY) == Value(["a"])
    with pytest.raises(ServiceError, match="ENOENT"):
        server.do_get(Get("b"), NOBODY)


def test_garbage_request_gets_a_failure_and_changes_nothing() -> None:
    server = kv(caps={})
    server.do_put(Put("a", "1"), NOBODY)
    reply = server.dispatch(b"\x93garbage", NOBODY)
    assert reply is not None
    assert isinstance(msgspec.msgpack.decode(reply, type=Failure), Failure)
    assert server.data == {"a": "1"}


def test_booted_kvstore_answers_a_client() -> None:
    command = "examples/kvstore.py put color blue get color keys get nope"
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", "examples/kvstore.toml",
            "--command", command]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines() == [
        "put None", "get blue", "keys ['color']", "get ENOENT no key 'nope'"]
    assert done.returncode == 1
