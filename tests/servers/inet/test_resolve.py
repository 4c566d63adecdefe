"""inet's stub resolver against a DNS server on its own loopback (a UDP socket on
127.0.0.1:53 answering with tests/net/dns_peer.py's replies): an answer, NXDOMAIN and no
answer each reach the caller once, and the resolver's socket goes afterwards."""

from __future__ import annotations

from pith.lib.server import Failure
from pith.protocols import inet as ip
from tests.net.dns_peer import reply
from tests.servers.inet.test_server import World

RECORDS = {"box.test": "10.9.8.7"}


def served() -> tuple[World, int]:
    """A World whose inet asks 127.0.0.1 for names, and the server's socket (badge 1002)."""
    w = World()
    w.inet.dns = "127.0.0.1"
    server = w(ip.Socket(ip.DGRAM), 1002).sock
    w(ip.Bind(server, "127.0.0.1", 53), 1002)
    return w, server


def answer_one(w: World, server: int) -> None:
    query = w(ip.RecvFrom(server, 512, 0.0), 1002)
    w(ip.SendTo(server, reply(query.data, RECORDS), query.host, query.port), 1002)


def test_a_name_the_server_knows_and_one_it_does_not() -> None:
    w, server = served()
    for name, expected in (("box.test", ip.Resolved("box.test", ["10.9.8.7"])),
                           ("nosuch.test", "ENOENT")):
        slot, first = w.send(ip.Resolve(name, 5.0))
        assert first is None  # (deferred: the query is on its way)
        answer_one(w, server)
        got = w.answered(slot)
        assert (got.error if isinstance(got, Failure) else got) == expected
    assert w(ip.Statistics()).counters["inet.sockets"] == 1  # (the resolver's are gone)


def test_no_answer_is_etimedout_once() -> None:
    w, _ = served()
    slot, _ = w.send(ip.Resolve("box.test", 2.0))
    w.later(3.0)
    got = w.answered(slot)
    assert isinstance(got, Failure) and got.error == "ETIMEDOUT", got
    assert w(ip.Statistics()).counters["inet.sockets"] == 1
