"""procfs's /proc/net files, in Linux's shapes, made from what inet answers.

    dev   the interface counters (`Interfaces`): Linux's two header lines, a row an interface
    tcp   TCP sockets and connections (`Connections`): sl, local_address and rem_address as
          hex ADDRESS:PORT (the address as the little-endian word Linux prints), st the
          state's hex code, tx_queue:rx_queue, then the timer, uid and inode fields (zero:
          Pith's sockets are no files and carry no uid), each line padded to 149 columns
    udp   UDP sockets, the same fields, padded to 127 columns

Pure functions of inet's replies (pith/protocols/inet.py): no I/O here; server.py asks.
A TCP socket neither listening nor connected, and a UDP socket not bound, are left out,
as Linux lists only what its hash tables hold.
"""

from __future__ import annotations

from ipaddress import IPv4Address

from pith.protocols.inet import ConnectionInfo, InterfaceInfo

__all__ = ["TCP_STATES", "dev", "tcp", "udp"]

TCP_STATES = {"ESTABLISHED": 0x01, "SYN_SENT": 0x02, "SYN_RECEIVED": 0x03, "FIN_WAIT_1": 0x04,
              "FIN_WAIT_2": 0x05, "TIME_WAIT": 0x06, "CLOSED": 0x07, "CLOSE_WAIT": 0x08,
              "LAST_ACK": 0x09, "LISTEN": 0x0A, "CLOSING": 0x0B}  # include/net/tcp_states.h
UDP_UNCONNECTED, UDP_CONNECTED = 0x07, 0x01
DEV_HEADER = ("Inter-|   Receive                                                |  Transmit\n"
              " face |bytes    packets errs drop fifo frame compressed multicast|bytes    "
              "packets errs drop fifo colls carrier compressed\n")
TCP_HEADER = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
              "   uid  timeout inode")
UDP_HEADER = ("   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
              "   uid  timeout inode ref pointer drops")
TCP_WIDTH, UDP_WIDTH = 149, 127  # Linux pads every line of the file to these


def dev(interfaces: list[InterfaceInfo]) -> str:
    """/proc/net/dev: bytes, packets, errs, drop … received, then sent, per interface."""
    rows = [f"{i.name:>6}:{i.rx_bytes:>8} {i.rx_packets:>7} {0:>4} {i.dropped:>4} {0:>4} "
            f"{0:>5} {0:>10} {0:>9} {i.tx_bytes:>8} {i.tx_packets:>7} {0:>4} {0:>4} {0:>4} "
            f"{0:>5} {0:>7} {0:>10}\n" for i in interfaces]
    return DEV_HEADER + "".join(rows)


def _hex(endpoint: str) -> str:
    """'127.0.0.1:8000' as '0100007F:1F40'."""
    host, _, port = endpoint.rpartition(":")
    return f"{IPv4Address(host).packed[::-1].hex().upper()}:{int(port):04X}"


def _port(endpoint: str) -> int:
    return int(endpoint.rpartition(":")[2])


def _state(c: ConnectionInfo) -> int:
    if c.proto == "udp":
        return UDP_UNCONNECTED if _port(c.remote) == 0 else UDP_CONNECTED
    return TCP_STATES.get(c.state.replace("-", "_"), TCP_STATES["CLOSED"])


def _row(sl: int, width: int, c: ConnectionInfo, tail: str) -> str:
    return (f"{sl:>{width}}: {_hex(c.local)} {_hex(c.remote)} {_state(c):02X} "
            f"{c.send_q:08X}:{c.recv_q:08X} 00:00000000 00000000 {0:>5} {0:>8} 0 {tail}")


def tcp(connections: list[ConnectionInfo]) -> str:
    """/proc/net/tcp: listeners and connections (TIME-WAIT's too)."""
    shown = [c for c in connections if c.proto == "tcp" and _state(c) != TCP_STATES["CLOSED"]]
    lines = [TCP_HEADER] + [_row(n, 4, c, "1 0000000000000000 100 0 0 10 0")
                            for n, c in enumerate(shown)]
    return "".join(f"{line:<{TCP_WIDTH}}\n" for line in lines)


def udp(connections: list[ConnectionInfo]) -> str:
    """/proc/net/udp: every bound UDP socket."""
    shown = [c for c in connections if c.proto == "udp" and _port(c.local) != 0]
    lines = [UDP_HEADER] + [_row(n, 5, c, "2 0000000000000000 0") for n, c in enumerate(shown)]
    return "".join(f"{line:<{UDP_WIDTH}}\n" for line in lines)
