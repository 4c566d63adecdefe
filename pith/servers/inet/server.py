"""inet, the TCP/IP server: one `Stack` (the sans-I/O engine) served on the "inet" endpoint.

Its protocol is pith/protocols/inet.py; its clients are the posix layer's sockets, the
network commands and pm (`Forget`). May touch: the engine, its "eth" cap (the Ethernet
driver: `Transmit`, `LinkInfo`; pith/protocols/eth.py), the clock (time.monotonic, the
`now` the engine is given). The driver delivers received frames as `Frames` requests.

The loop around the engine (`_turn`, after every request and at every timer): frames out
to eth (`poll`), then the callers waiting on sockets that became ready are retried and
answered (sockets.py), then those whose timeout passed get ETIMEDOUT. `deadline()` is the
engine's next timer or a waiter's timeout, whichever is first, so the framework's receive
loop wakes for it (isolated or collocated alike).

Configuration (args): `ip=10.0.2.15/24 gateway=10.0.2.2 dns=10.0.2.2` (the defaults, QEMU's
user-network convention), `seed=N`. Without an "eth" cap there is only the loopback
(127.0.0.1), and no DNS. Without a seed each start picks one at random: a restarted inet
chooses new ephemeral ports, initial sequence numbers and socket numbers, so neither host
peers nor the clients of the inet that died mistake the new one's for the old one's.
A dead eth: its endpoint stays (rs restarts the driver behind it), so a Transmit
waits at most ETH_TIMEOUT, and after a failure frames are dropped for ETH_BACKOFF seconds
(TCP retransmits them) rather than waiting again: inet is never stuck.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections import Counter
from collections.abc import Callable
from ipaddress import IPv4Address, IPv4Interface
from typing import Any

import msgspec

from pith.kernel.core.errors import KernelError
from pith.lib.server import DEFER, Caller, Client, Failure, Server, ServiceError
from pith.protocols import eth as ep
from pith.protocols import inet as ip
from pith.servers.inet.errors import WOULD_BLOCK, NetError
from pith.servers.inet.resolver import BadName, answer, literal, query
from pith.servers.inet.sockets import Owners, Waiter, Waiters
from pith.servers.inet.stack import Config, SockKind, Stack

__all__ = ["ETH_BACKOFF", "ETH_TIMEOUT", "InetServer"]

ETH_TIMEOUT = 1.0  # seconds a Transmit or LinkInfo may take
ETH_BACKOFF = 0.5  # after a failed Transmit, frames are dropped this long
DEFAULTS = {"ip": "10.0.2.15/24", "gateway": "10.0.2.2", "dns": "10.0.2.2"}
TURNS = 8  # rounds of poll-and-answer after one request (loopback ping-pong settles)
_KINDS = {ip.STREAM: SockKind.STREAM, ip.DGRAM: SockKind.DGRAM}
_INTERNAL = -1  # the owner of inet's own sockets (the resolver's)


def _failure(e: NetError) -> Failure:
    return Failure(e.errno, os.strerror(getattr(errno, e.errno, errno.EIO)))


def _time_is_up() -> Failure:
    return Failure("ETIMEDOUT", "timed out")


class InetServer(Server):
    requests = ip.InetRequest | ep.Frames
    endpoint = "inet"

    def setup(self) -> None:
        opts = DEFAULTS | dict(a.split("=", 1) for a in self.args if "=" in a)
        self.clock: Callable[[], float] = time.monotonic
        self.counters: Counter[str] = Counter()
        self.eth = Client(self.caps["eth"], ep.EthReply, self.gate_of) \
            if "eth" in self.caps else None
        self.eth_down_until = 0.0
        try:
            address = IPv4Interface(opts["ip"]) if self.eth is not None else None
            gateway = IPv4Address(opts["gateway"]) if self.eth is not None and \
                opts["gateway"] else None
            self.dns = str(IPv4Address(opts["dns"])) if self.eth is not None and \
                opts["dns"] else ""
            seed = int(opts["seed"]) if "seed" in opts else int.from_bytes(os.urandom(4))
        except ValueError as e:
            raise SystemExit(f"inet: bad configuration: {e}") from None
        link = self._link()
        mac = link.mac if link is not None and len(link.mac) == 6 else Config().mac
        self.stack = Stack(Config(mac=mac, address=address, gateway=gateway, seed=seed,
                                  mtu=link.mtu if link is not None else 1500))
        self.owners = Owners()
        self.waiters = Waiters()
        self.next_ident = seed & 0xFFFF

    # --- the loop around the engine -------------------------------------------------------

    def dispatch(self, msg: bytes, caller: Caller) -> bytes | None:
        self.counters["inet.requests"] += 1
        try:
            return super().dispatch(msg, caller)
        finally:
            self._turn()

    def deadline(self) -> float | None:
        times = [t for t in (self.stack.next_deadline(), self.waiters.deadline())
                 if t is not None]
        return min(times) if times else None

    def timed_out(self) -> None:
        self._turn()

    def _turn(self) -> None:
        """Frames out, waiters answered, timeouts given; again while the engine owes work."""
        for _ in range(TURNS):
            now = self.clock()
            self._transmit(self.stack.poll(now))
            ready = {r.sock: (r.readable, r.writable, r.error is not None)
                     for r in self.stack.events()}
            for w in self.waiters.ripe(ready):
                if not w.done:
                    self._retry(w)
            for w in self.waiters.expired(now):
                self._finish(w, w.expire())
            due = self.stack.next_deadline()
            if due is None or due > self.clock():
                return

    def _retry(self, w: Waiter) -> None:
        """Make a waiter's call again, if its caller still waits (one cut short by a signal
        must not take data nobody will see)."""
        if w.caller.reply is not None:
            try:
                self.gate_of().cap_info(w.caller.reply)
            except KernelError:
                self.waiters.remove(w)
                return
        try:
            reply = w.attempt()
        except NetError as e:
            reply = _failure(e)
        except ServiceError as e:
            reply = Failure(e.error, e.message)
        if reply is not None:
            self._finish(w, reply)

    def _finish(self, w: Waiter, reply: msgspec.Struct) -> None:
        self.waiters.remove(w)
        with contextlib.suppress(KernelError):  # (the caller stopped waiting)
            self.answer(w.caller, reply)

    def _block(self, caller: Caller, attempt: Callable[[], Any], on: dict[int, str],
               timeout: float | None, expire: Callable[[], Any] = _time_is_up,
               always: bool = False) -> Any:
        """Try `attempt` now; its reply, or (it would block) EAGAIN for timeout 0, or DEFER
        with a waiter that tries again when a socket of `on` is ready."""
        reply = attempt()
        if reply is not None:
            return reply
        if timeout is not None and timeout <= 0:
            raise ServiceError("EAGAIN", "the call would block (a non-blocking socket)")
        if caller.reply is None:
            raise ServiceError("EINVAL", "a blocking call sent without waiting for a reply")
        deadline = None if timeout is None else self.clock() + min(timeout, 1e6)
        self.waiters.add(Waiter(caller, attempt, on, deadline, expire, always))
        return DEFER

    def _transmit(self, frames: list[bytes]) -> None:
        if not frames:
            return
        if self.eth is None or self.clock() < self.eth_down_until:
            self.counters["eth.tx_dropped"] += len(frames)
            return
        for at in range(0, len(frames), ep.MAX_FRAMES):
            batch = frames[at:at + ep.MAX_FRAMES]
            try:
                self.eth.call(ep.Transmit(batch), timeout=ETH_TIMEOUT)
                self.counters["eth.tx_frames"] += len(batch)
            except (KernelError, ServiceError):
                self.counters["eth.tx_failed"] += len(frames) - at
                self.eth_down_until = self.clock() + ETH_BACKOFF
                return

    def _link(self) -> ep.Link | None:
        if self.eth is None:
            return None
        try:
            link: ep.Link = self.eth.call(ep.LinkInfo(), timeout=ETH_TIMEOUT)
        except (KernelError, ServiceError):
            self.counters["eth.link_failed"] += 1
            return None
        return link

    # --- frames from eth ------------------------------------------------------------------

    def do_frames(self, request: ep.Frames, caller: Caller) -> ep.Taken:
        if self.eth is None or caller.badge >= ip.SYSTEM_BADGES:
            raise ServiceError("EPERM", "frames come from the eth driver only")
        now = self.clock()
        for frame in request.frames:
            self.stack.receive_frame(now, frame)
        self.counters["eth.rx_frames"] += len(request.frames)
        return ep.Taken(len(request.frames))

    # --- sockets ---------------------------------------------------------------------------

    def _mine(self, sock: int, caller: Caller) -> int:
        self.owners.check(sock, caller.badge)
        return sock

    def _net(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except NetError as e:
            f = _failure(e)
            self.counters[f"inet.errors.{f.error}"] += 1
            raise ServiceError(f.error, f.message) from None

    def do_socket(self, request: ip.Socket, caller: Caller) -> ip.Opened:
        kind = _KINDS.get(request.kind)
        if kind is None:
            raise ServiceError("EPROTONOSUPPORT", f"no socket kind {request.kind!r} "
                               f"(only {ip.STREAM!r}, {ip.DGRAM!r})")
        self.owners.room(caller.badge)
        sock = self._net(lambda: self.stack.open(kind))
        self.owners.own(sock, caller.badge)
        return ip.Opened(sock)

    def do_bind(self, r: ip.Bind, caller: Caller) -> ip.Done:
        self._net(lambda: self.stack.bind(self._mine(r.sock, caller), (r.host, r.port)))
        return ip.Done()

    def do_listen(self, r: ip.Listen, caller: Caller) -> ip.Done:
        self._net(lambda: self.stack.listen(self._mine(r.sock, caller), r.backlog))
        return ip.Done()

    def do_accept(self, r: ip.Accept, caller: Caller) -> Any:
        sock = self._mine(r.sock, caller)
        self.owners.room(caller.badge)

        def attempt() -> ip.Accepted | None:
            got = self.stack.accept(sock)
            if got is WOULD_BLOCK:
                return None
            new, (host, port) = got
            self.owners.own(new, caller.badge)
            return ip.Accepted(new, host, port)
        return self._net(lambda: self._block(caller, attempt, {sock: "r"}, r.timeout))

    def do_connect(self, r: ip.Connect, caller: Caller) -> Any:
        sock = self._mine(r.sock, caller)

        def attempt() -> ip.Done | None:
            return None if self.stack.connect(sock, (r.host, r.port)) is WOULD_BLOCK \
                else ip.Done()
        first = self._net(attempt)
        if first is not None:
            return first
        if r.timeout is not None and r.timeout <= 0:
            raise ServiceError("EINPROGRESS", "the connection is being made (a non-blocking "
                               "socket)")
        return self._net(lambda: self._block(caller, attempt, {sock: "w"}, r.timeout))

    def do_send(self, r: ip.Send, caller: Caller) -> Any:
        sock = self._mine(r.sock, caller)
        if len(r.data) > ip.MAX_DATA:
            raise ServiceError("EMSGSIZE", f"more than {ip.MAX_DATA} bytes in one Send")

        def attempt() -> ip.Sent | None:
            got = self.stack.send(sock, r.data)
            return None if got is WOULD_BLOCK else ip.Sent(got)
        return self._net(lambda: self._block(caller, attempt, {sock: "w"}, r.timeout))

    def do_recv(self, r: ip.Recv, caller: Caller) -> Any:
        sock = self._mine(r.sock, caller)
        if not 0 <= r.size <= ip.MAX_DATA:
            raise ServiceError("EINVAL", f"a Recv of {r.size} bytes (0..{ip.MAX_DATA})")

        def attempt() -> ip.Data | None:
            got = self.stack.recv(sock, r.size)
            return None if got is WOULD_BLOCK else ip.Data(got)
        return self._net(lambda: self._block(caller, attempt, {sock: "r"}, r.timeout))

    def do_send_to(self, r: ip.SendTo, caller: Caller) -> ip.Sent:
        sock = self._mine(r.sock, caller)
        return ip.Sent(self._net(lambda: self.stack.sendto(sock, r.data, (r.host, r.port))))

    def do_recv_from(self, r: ip.RecvFrom, caller: Caller) -> Any:
        sock = self._mine(r.sock, caller)
        if not 0 <= r.size <= ip.MAX_DATA:
            raise ServiceError("EINVAL", f"a RecvFrom of {r.size} bytes (0..{ip.MAX_DATA})")

        def attempt() -> ip.Datagram | None:
            got = self.stack.recvfrom(sock, r.size)
            if got is WOULD_BLOCK:
                return None
            data, (host, port) = got
            return ip.Datagram(data, host, port)
        return self._net(lambda: self._block(caller, attempt, {sock: "r"}, r.timeout))

    def do_shutdown(self, r: ip.Shutdown, caller: Caller) -> ip.Done:
        self._net(lambda: self.stack.shutdown(self._mine(r.sock, caller), r.how))
        return ip.Done()

    def do_close(self, r: ip.Close, caller: Caller) -> ip.Done:
        self._close(self._mine(r.sock, caller))
        return ip.Done()

    def _close(self, sock: int) -> None:
        for w in self.waiters.of_socket([sock]):  # (another thread's call on it)
            self._finish(w, Failure("EBADF", "the socket was closed"))
        with contextlib.suppress(NetError):
            self.stack.close(sock)
        self.owners.disown(sock)

    def _drop(self, sock: int) -> None:
        """Close one of inet's own sockets from its waiter (which _close would answer EBADF
        before the waiter could give its own answer)."""
        with contextlib.suppress(NetError):
            self.stack.close(sock)
        self.owners.disown(sock)

    def do_set_option(self, r: ip.SetOption, caller: Caller) -> ip.Done:
        sock = self._mine(r.sock, caller)
        if r.name not in ip.OPTIONS:
            raise ServiceError("ENOPROTOOPT", f"no option {r.name!r} (known: "
                               f"{', '.join(ip.OPTIONS)})")
        if r.name == "nodelay":
            self._net(lambda: self.stack.set_nodelay(sock, bool(r.value)))
        return ip.Done()

    def do_get_name(self, r: ip.GetName, caller: Caller) -> ip.Name:
        host, port = self._net(lambda: self.stack.getsockname(self._mine(r.sock, caller)))
        return ip.Name(host, port)

    def do_get_peer(self, r: ip.GetPeer, caller: Caller) -> ip.Name:
        host, port = self._net(lambda: self.stack.getpeername(self._mine(r.sock, caller)))
        return ip.Name(host, port)

    def do_poll(self, r: ip.Poll, caller: Caller) -> Any:
        if len(r.socks) > ip.MAX_POLL:
            raise ServiceError("EINVAL", f"{len(r.socks)} sockets in one Poll (at most "
                               f"{ip.MAX_POLL})")
        on: dict[int, str] = {}
        for i in r.socks:
            self._mine(i.sock, caller)
            on[i.sock] = on.get(i.sock, "") + ("r" if i.read else "") + ("w" if i.write else "")

        def attempt() -> ip.Ready | None:
            ready = []
            for sock, want in on.items():
                s = self.stack.readiness(sock)
                readable, writable = "r" in want and s.readable, "w" in want and s.writable
                if readable or writable or s.error is not None:
                    ready.append(ip.SocketReady(sock, readable, writable, s.error))
            return ip.Ready(ready) if ready else None
        if r.timeout is not None and r.timeout <= 0:
            return attempt() or ip.Ready([])
        return self._net(lambda: self._block(caller, attempt, on, r.timeout,
                                             expire=lambda: ip.Ready([])))

    def do_forget(self, r: ip.Forget, caller: Caller) -> ip.Done:
        if not 0 < caller.badge < ip.SYSTEM_BADGES:
            raise ServiceError("EPERM", "only pm forgets a process's sockets")
        for w in self.waiters.of_badge(r.badge):
            self.waiters.remove(w)  # (its caller is gone: nobody to answer)
        for sock in self.owners.of(r.badge):
            self._close(sock)
        return ip.Done()

    # --- names ---------------------------------------------------------------------------

    def do_resolve(self, r: ip.Resolve, caller: Caller) -> Any:
        found = literal(r.name)
        if found is not None:
            return ip.Resolved(r.name, found)
        if not self.dns:
            raise ServiceError("ENOENT", f"{r.name}: no DNS server to ask (no network)")
        ident = self._ident()
        try:
            packet = query(ident, r.name)
        except BadName:
            raise ServiceError("EINVAL", f"{r.name!r}: not a name DNS can carry") from None
        sock = self._net(lambda: self.stack.open(SockKind.DGRAM))
        self.owners.own(sock, _INTERNAL)
        try:
            self._net(lambda: self.stack.sendto(sock, packet, (self.dns, 53)))
        except ServiceError:
            self._close(sock)
            raise

        def attempt() -> msgspec.Struct | None:
            while True:
                got = self.stack.recvfrom(sock, 4096)
                if got is WOULD_BLOCK:
                    return None
                data, (host, port) = got
                addresses = answer(ident, data) if (host, port) == (self.dns, 53) else None
                if addresses is None:
                    continue
                self._drop(sock)
                if not addresses:
                    return Failure("ENOENT", f"{r.name}: no such name")
                return ip.Resolved(r.name, addresses)

        def expire() -> Failure:
            self._drop(sock)
            return Failure("ETIMEDOUT", f"{r.name}: no answer from the DNS server {self.dns}")
        try:
            return self._net(lambda: self._block(caller, attempt, {sock: "r"},
                                                 r.timeout if r.timeout else 5.0, expire))
        except ServiceError:
            self._close(sock)
            raise

    def _ident(self) -> int:
        self.next_ident = (self.next_ident + 1) & 0xFFFF
        return self.next_ident

    # --- the state of the stack ------------------------------------------------------------

    def do_interfaces(self, r: ip.Interfaces, caller: Caller) -> ip.InterfaceList:
        config = self.stack.config
        packets, size = self.stack.stats["lo.packets"], self.stack.stats["lo.bytes"]
        out = [ip.InterfaceInfo("lo", "127.0.0.1/8", "", config.loopback_mtu, True,
                                packets, size, packets, size)]
        if config.address is not None:
            link = self._link()
            mac = ":".join(f"{b:02x}" for b in config.mac)
            if link is None:
                out.append(ip.InterfaceInfo("eth0", str(config.address), mac, config.mtu,
                                            False))
            else:
                out.append(ip.InterfaceInfo("eth0", str(config.address), mac, link.mtu,
                                            link.up, link.rx_frames, link.rx_bytes,
                                            link.tx_frames, link.tx_bytes, link.dropped))
        return ip.InterfaceList(out, str(config.gateway or ""), self.dns)

    def do_statistics(self, r: ip.Statistics, caller: Caller) -> ip.Counters:
        counters = dict(self.stack.stats) | dict(self.counters)
        counters |= {"inet.sockets": len(self.owners), "inet.waiting": len(self.waiters)}
        return ip.Counters(counters)

    def do_connections(self, r: ip.Connections, caller: Caller) -> ip.ConnectionList:
        rows = []
        for row in self.stack.table():
            owner = self.owners.owner(row.sock) if row.sock is not None else 0
            rows.append(ip.ConnectionInfo(row.proto, f"{row.local[0]}:{row.local[1]}",
                                          f"{row.remote[0]}:{row.remote[1]}", row.state,
                                          max(owner, 0), row.recv_q, row.send_q))
        return ip.ConnectionList(rows[:2000])

    def do_echo(self, r: ip.Echo, caller: Caller) -> Any:
        if not 0 <= r.size <= 1400:
            raise ServiceError("EINVAL", f"an echo of {r.size} bytes (0..1400)")
        ident, sent = self._ident(), self.clock()
        self._net(lambda: self.stack.echo((r.host, 0), ident, r.seq,
                                          bytes(i & 0xFF for i in range(r.size))))

        def attempt() -> ip.EchoReply | None:
            for e in self.stack.echoes:
                if e.ident == ident and e.seq == r.seq & 0xFFFF:
                    self.stack.echoes.remove(e)
                    return ip.EchoReply(e.src, r.seq, e.size, e.ttl, max(0.0, e.at - sent))
            return None
        return self._net(lambda: self._block(caller, attempt, {}, r.timeout, always=True))
