"""netstat: TCP and UDP sockets (or, with -i, the interfaces), as net-tools' netstat.

Asks inet (`Connections`, `Interfaces`; pith/protocols/inet.py) through this process's inet
cap, so it runs inside Pith only. `netstat [-t] [-u] [-l|-a] [-n]`, `netstat -i`.
Without -l or -a only connections are listed (no listening TCP socket, no unconnected UDP
one), with -l only those, with -a both. Without -n an address /etc/hosts names is shown by
that name (127.0.0.1 as localhost) and a port /etc/services names by that name; there is no
reverse DNS. A TCP socket that is neither listening nor connected is not listed (Linux's
/proc/net/tcp lists only what its hash tables hold).
"""

from __future__ import annotations

import sys

from pith.bin.ifconfig import short_table
from pith.lib.gnu import UsageError, broken_pipe, options
from pith.lib.netdb import FAILURES, NoInet, host_name, inet
from pith.protocols.inet import ConnectionInfo

PROG = "netstat"
HELP = """usage: netstat [-tuln] [-a]
       netstat -i

        -t, --tcp                TCP sockets
        -u, --udp                UDP sockets
        -l, --listening          display listening server sockets
        -a, --all                display all sockets (default: connected)
        -n, --numeric            don't resolve names
        -i, --interfaces         display interface table
        -h, --help               display this help and exit
"""
STATES = {"SYN_RECEIVED": "SYN_RECV", "FIN_WAIT_1": "FIN_WAIT1", "FIN_WAIT_2": "FIN_WAIT2",
          "CLOSED": "CLOSE"}  # inet's names (RFC 9293's) as Linux's tcp_states
HEADER = ("Proto Recv-Q Send-Q Local Address           Foreign Address         State      ")
TITLES = {(True, True): "servers and established", (False, True): "only servers",
          (True, False): "w/o servers"}


def state_name(state: str) -> str:
    name = state.replace("-", "_")
    return STATES.get(name, name)


def listening(c: ConnectionInfo) -> bool:
    """A server socket: a TCP listener, or a UDP socket with no peer."""
    return c.state == "LISTEN" if c.proto == "tcp" else c.remote.rsplit(":", 1)[1] == "0"


def services(path: str = "/etc/services") -> dict[tuple[int, str], str]:
    """(port, proto) -> name from /etc/services; none when there is no such file."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return {}
    names: dict[tuple[int, str], str] = {}
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2 and "/" in fields[1]:
            port, _, proto = fields[1].partition("/")
            if port.isdigit():
                names.setdefault((int(port), proto), fields[0])
    return names


def endpoint(text: str, proto: str, numeric: bool, ports: dict[tuple[int, str], str]) -> str:
    """'127.0.0.1:80' as netstat shows it: port 0 as '*', names unless `numeric`."""
    host, _, port = text.rpartition(":")
    if not numeric and host != "0.0.0.0":
        host = host_name(host) or host
    if port == "0":
        return f"{host}:*"
    return f"{host}:{port if numeric else ports.get((int(port), proto), port)}"


def row(c: ConnectionInfo, numeric: bool, ports: dict[tuple[int, str], str]) -> str:
    state = state_name(c.state) if c.proto == "tcp" else (
        "" if listening(c) else "ESTABLISHED")
    local = endpoint(c.local, c.proto, numeric, ports)
    remote = endpoint(c.remote, c.proto, numeric, ports)
    return (f"{c.proto:<4}  {c.recv_q:>6} {c.send_q:>6} {local:<23} {remote:<23} "
            f"{state:<11}")


def table(conns: list[ConnectionInfo], protos: set[str], servers: bool, others: bool,
          numeric: bool) -> str:
    """The 'Active Internet connections' listing of `conns`."""
    ports = {} if numeric else services()
    lines = [f"Active Internet connections ({TITLES[others, servers]})", HEADER]
    for c in sorted(conns, key=lambda c: c.proto != "tcp"):
        if c.proto in protos and (servers if listening(c) else others) and \
                not (c.proto == "tcp" and c.state == "CLOSED"):
            lines.append(row(c, numeric, ports))
    return "\n".join(lines) + "\n"


def command(argv: list[str]) -> int:
    opts, args = options(argv, "tulnaih", ["tcp", "udp", "listening", "numeric", "all",
                                          "interfaces", "help"])
    given = {o.lstrip("-")[:1] for o, _ in opts}
    if "h" in given:
        sys.stdout.write(HELP)
        return 0
    if args:
        raise UsageError(f"unexpected argument '{args[0]}'")
    client = inet()
    if "i" in given:
        sys.stdout.write(short_table(client.interfaces().interfaces))
        return 0
    protos = {p for flag, p in (("t", "tcp"), ("u", "udp")) if flag in given} or {"tcp", "udp"}
    servers, others = bool(given & {"l", "a"}), "l" not in given or "a" in given
    sys.stdout.write(table(client.connections(), protos, servers, others, "n" in given))
    sys.stdout.flush()
    return 0


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        sys.stderr.write(f"{PROG}: {e}\n{HELP}")
        return 1
    except NoInet as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 1
    except BrokenPipeError:
        return broken_pipe()
    except FAILURES as e:
        sys.stderr.write(f"{PROG}: inet: {getattr(e, 'message', None) or e}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
