"""ping: send ICMP echo requests to a host and report the replies, as iputils' ping.

Asks inet (`Echo`, pith/protocols/inet.py) through this process's inet cap, so it runs
inside Pith only. `ping [-c COUNT] [-i INTERVAL] [-s SIZE] [-W TIMEOUT] [-q] [-n] HOST`.
HOST is a dotted quad or a name (/etc/hosts, then inet's resolver: pith/lib/netdb.py).

One request is outstanding at a time (inet's Echo waits for its own reply): each waits
TIMEOUT seconds (-W; without it, the interval, and 10 s for the last, as iputils lingers),
then the next goes when INTERVAL has passed since the one before. ^C ends it early, with
the statistics. Exit status (iputils'): 0 if any reply came, 1 if none, 2 on an error.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from ipaddress import IPv4Address, IPv4Interface

from pith.lib.gnu import UsageError, broken_pipe, options
from pith.lib.netdb import FAILURES, NoInet, inet, lookup, quad
from pith.lib.server import ServiceError
from pith.protocols.inet import Inet

PROG = "ping"
HELP = """
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -c <count>         stop after <count> replies
  -h                 print help and exit
  -i <interval>      seconds between sending each packet
  -n                 no dns name resolution
  -q                 quiet output
  -s <size>          use <size> as number of data bytes to be sent
  -W <timeout>       time to wait for response

For more details see ping(8).
"""
MAX_SIZE = 1400  # data bytes inet echoes in one request (no fragments)
LINGER = 10.0  # seconds the last request waits without -W (iputils' MAXWAIT)


class BadLinger(Exception):
    """-W below 0: iputils' only option error with status 2."""


class Ping:
    """The settings and the tally of one run."""

    def __init__(self, target: str, address: str, size: int, quiet: bool,
                 numeric: bool) -> None:
        self.target, self.address, self.size, self.quiet = target, address, size, quiet
        self.sent = 0
        self.rtts: list[int] = []  # microseconds, of each reply (iputils counts in them)
        self.start = time.monotonic()
        self.label = address if numeric or quad(target) else f"{target} ({address})"

    def once(self, client: Inet, seq: int, timeout: float) -> None:
        """Send echo `seq` and wait for its reply: a line for it, or none for a loss."""
        self.sent += 1
        try:
            reply = client.echo(self.address, seq, self.size, timeout)
        except ServiceError as e:
            if e.error == "ENETUNREACH":  # (the route went since the run began)
                sys.stderr.write(f"{PROG}: sendmsg: Network is unreachable\n")
            elif e.error != "ETIMEDOUT":
                raise
            return
        us = int(reply.rtt * 1_000_000)
        self.rtts.append(us)
        shown = f" time={milliseconds(us)} ms" if self.size >= 16 else ""
        self.say(f"{reply.size + 8} bytes from {self.label}: icmp_seq={reply.seq} "
                 f"ttl={reply.ttl}{shown}")

    def say(self, line: str) -> None:
        if not self.quiet:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def statistics(self) -> str:
        got = len(self.rtts)
        loss = (self.sent - got) * 100 // self.sent if self.sent else 0
        elapsed = round((time.monotonic() - self.start) * 1000)
        lines = [f"--- {self.target} ping statistics ---",
                 f"{self.sent} packets transmitted, {got} received, {loss}% packet "
                 f"loss, time {elapsed}ms"]
        if self.rtts and self.size >= 16:
            mean = sum(self.rtts) // got
            mdev = math.isqrt(max(0, sum(r * r for r in self.rtts) // got - mean * mean))
            shown = (f"{us // 1000}.{us % 1000:03d}" for us in
                     (min(self.rtts), mean, max(self.rtts), mdev))
            lines.append(f"rtt min/avg/max/mdev = {'/'.join(shown)} ms")
        return "\n".join(lines) + "\n"


def milliseconds(us: int) -> str:
    """iputils' time=: three decimals under 1 ms, two under 10, one under 100 (truncated)."""
    for limit, places in ((1000, 3), (10_000, 2), (100_000, 1)):
        if us < limit:
            return f"{us // 1000}.{us % 1000 // 10 ** (3 - places):0{places}d}"
    return str(us // 1000)


def number(text: str, low: float, high: float, integer: bool = False) -> float:
    """An option's value in [low, high], else iputils' 'invalid argument'."""
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        raise UsageError(f"invalid argument: '{text}'") from None
    if not low <= value <= high:
        raise UsageError(f"invalid argument: '{text}': out of range: {low} <= value <= "
                         f"{high}")
    return value


def routable(client: Inet, address: str) -> bool:
    """Whether inet has a route to `address` (iputils learns it by connect()ing a probe):
    the loopback's, an interface's network, or eth0's gateway."""
    ip = IPv4Address(address)
    config = client.interfaces()
    for i in config.interfaces:
        if ip in IPv4Interface(i.address).network or (i.name != "lo" and config.gateway):
            return True
    return False


def linger(text: str) -> float | None:
    """-W's seconds (0: as if not given); iputils' 'bad linger time' (status 2) if < 0."""
    value = number(text, -2**31, 2**31)
    if value < 0:
        raise BadLinger(f"bad linger time: {text}")
    return value or None


def run(p: Ping, client: Inet, count: int | None, interval: float,
        timeout: float | None) -> None:
    """Send `count` requests (None: until ^C), `interval` seconds apart."""
    seq = 0
    while count is None or seq < count:
        seq += 1
        began = time.monotonic()
        last = count is not None and seq == count
        p.once(client, seq, timeout if timeout is not None else LINGER if last else interval)
        if not last:
            time.sleep(max(0.0, interval - (time.monotonic() - began)))


def command(argv: list[str]) -> int:
    opts, args = options(argv, "c:i:s:W:qnh", ["help"])
    count: int | None = None
    interval, size, timeout, quiet, numeric = 1.0, 56, None, False, False
    for o, v in opts:
        if o in ("-h", "--help"):
            sys.stdout.write(HELP)
            return 0
        if o == "-c":
            count = int(number(v, 1, 2**63 - 1, integer=True))
        elif o == "-i":
            interval = number(v, 0.002, 2**31)
        elif o == "-s":
            size = int(number(v, 0, 2**31, integer=True))
        elif o == "-W":
            timeout = linger(v)
        elif o == "-q":
            quiet = True
        elif o == "-n":
            numeric = True
    if not args:
        sys.stderr.write(f"{PROG}: usage error: Destination address required\n")
        return 1
    if size > MAX_SIZE:
        sys.stderr.write(f"{PROG}: packet size {size} is too large for Pith's inet "
                         f"(at most {MAX_SIZE})\n")
        return 2
    target = args[-1]
    client = inet()
    try:
        address = lookup(target, client)[0]
    except ServiceError:
        sys.stderr.write(f"{PROG}: {target}: Name or service not known\n")
        return 2
    if not routable(client, address):
        sys.stderr.write(f"{PROG}: connect: Network is unreachable\n")
        return 2
    p = Ping(target, address, size, quiet, numeric)
    sys.stdout.write(f"PING {target} ({address}) {size}({size + 28}) bytes of data.\n")
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):  # (^C: the statistics, as iputils)
        run(p, client, count, interval, timeout)
    sys.stdout.write("\n" + p.statistics())
    if not p.rtts:
        sys.stdout.write("\n")  # (iputils ends a run with no reply with a blank line)
    sys.stdout.flush()
    return 0 if p.rtts else 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 1
    except (NoInet, BadLinger) as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 2
    except BrokenPipeError:
        return broken_pipe()
    except FAILURES as e:
        sys.stderr.write(f"{PROG}: inet: {getattr(e, 'message', None) or e}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
