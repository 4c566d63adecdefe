"""nc: OpenBSD netcat's everyday part — connect or listen (TCP or UDP), copy stdin to the
peer and the peer to stdout.

Options: -l listen, -k keep listening (another connection after one ends), -u UDP,
-N shut the connection down after EOF on stdin, -q SECS quit SECS after EOF on stdin,
-w SECS timeout of the connect and of an idle read, -z only check that the port answers,
-v say what happens on stderr, -n no name look-ups (accepted), -p PORT local port,
-s ADDR local address, -4 (accepted). `nc -l PORT` and `nc -l -p PORT` both listen.
Status: 0, or 1 when the connection fails (silently without -v, as OpenBSD's).
"""

import contextlib
import os
import socket
import sys
import threading
import time

from pith.lib.gnu import UsageError, options

PROG = "nc"
HELP = """usage: nc [-46klNnuvz] [-p source_port] [-q seconds] [-s sourceaddr]
\t  [-w timeout] [destination] [port]
\tCommand Summary:
\t\t-4\t\tUse IPv4
\t\t-k\t\tKeep inbound sockets open for multiple connects
\t\t-l\t\tListen mode, for inbound connects
\t\t-N\t\tShutdown the network socket after EOF on stdin
\t\t-n\t\tSuppress name/port resolutions
\t\t-p port\t\tSpecify local port for remote connects
\t\t-q secs\t\tquit after EOF on stdin and delay of secs
\t\t-s sourceaddr\tLocal source address
\t\t-u\t\tUDP mode
\t\t-v\t\tVerbose
\t\t-w timeout\tTimeout for connects and final net reads
\t\t-z\t\tZero-I/O mode [used for scanning]
"""


class Settings:
    def __init__(self) -> None:
        self.listen = self.keep = self.udp = self.shut = self.scan = self.verbose = False
        self.quit_after: float | None = None
        self.timeout: float | None = None
        self.port: int | None = None
        self.source = ""


def say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise UsageError(f"{what} {text} is invalid") from None


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise UsageError(f"port number invalid: {text}")
    return int(text)


def parse(argv: list[str]) -> tuple[Settings, list[str]]:
    opts, rest = options(argv, "4hklNnp:q:s:uvw:z", ["help"])
    s = Settings()
    for o, a in opts:
        if o in ("-h", "--help"):
            raise SystemExit(sys.stdout.write(HELP) and 0)
        s.listen |= o == "-l"
        s.keep |= o == "-k"
        s.udp |= o == "-u"
        s.shut |= o == "-N"
        s.scan |= o == "-z"
        s.verbose |= o == "-v"
        if o == "-q":
            s.quit_after = _number(a, "quit timeout")
        elif o == "-w":
            s.timeout = _number(a, "timeout")
        elif o == "-p":
            s.port = _port(a)
        elif o == "-s":
            s.source = a
    return s, rest


def pump_out(sock: socket.socket, s: Settings) -> None:
    """The peer's bytes to stdout, until it ends (or -w's idle time passes)."""
    sock.settimeout(s.timeout)
    out = sys.stdout.buffer
    try:
        while data := sock.recv(65536):
            out.write(data)
            out.flush()
    except (TimeoutError, ConnectionResetError):
        pass


def pump_in(sock: socket.socket, s: Settings, peer: tuple[str, int] | None) -> None:
    """stdin to the peer; at its end -N shuts the connection down, -q ends nc after SECS."""
    try:
        while data := os.read(0, 65536):
            if peer is None:
                sock.sendall(data)
            else:
                sock.sendto(data, peer)
    except OSError:
        return
    if s.shut and not s.udp:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
    if s.quit_after is not None:
        time.sleep(max(0.0, s.quit_after))
        sys.stdout.flush()
        os._exit(0)


def converse(sock: socket.socket, s: Settings, peer: tuple[str, int] | None = None) -> None:
    threading.Thread(target=pump_in, args=(sock, s, peer), daemon=True).start()
    if peer is not None:  # UDP: the datagrams of the peer
        sock.settimeout(s.timeout)
        try:
            while True:
                sys.stdout.buffer.write(sock.recv(65536))
                sys.stdout.buffer.flush()
        except TimeoutError:
            return
    pump_out(sock, s)


def connect(host: str, port: int, s: Settings) -> int:
    kind = socket.SOCK_DGRAM if s.udp else socket.SOCK_STREAM
    proto = "udp" if s.udp else "tcp"
    try:
        address = socket.gethostbyname(host)
    except OSError:
        say(f"nc: getaddrinfo for host \"{host}\" port {port}: Name or service not known")
        return 1
    sock = socket.socket(socket.AF_INET, kind)
    try:
        if s.source or s.port:
            sock.bind((s.source, s.port or 0))
        sock.settimeout(s.timeout)
        sock.connect((address, port))
    except OSError as e:
        if s.verbose:
            why = "Connection timed out" if isinstance(e, TimeoutError) else os.strerror(
                e.errno or 5)
            say(f"nc: connect to {host} port {port} ({proto}) failed: {why}")
        sock.close()
        return 1
    if s.verbose:
        say(f"Connection to {host} {port} port [{proto}/*] succeeded!")
    if not s.scan:
        converse(sock, s, (address, port) if s.udp else None)
    sock.close()
    return 0


def listen(port: int, s: Settings) -> int:
    kind = socket.SOCK_DGRAM if s.udp else socket.SOCK_STREAM
    server = socket.socket(socket.AF_INET, kind)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        server.bind((s.source or "0.0.0.0", port))
    except OSError as e:
        say(f"nc: {os.strerror(e.errno or 5)}")
        return 1
    if s.verbose:
        say(f"Listening on {s.source or '0.0.0.0'} {port}")
    if s.udp:
        data, peer = server.recvfrom(65536)
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        if s.verbose:
            say(f"Connection received on {peer[0]} {peer[1]}")
        server.connect(peer)
        converse(server, s, peer)
        return 0
    server.listen(1)
    while True:
        conn, peer = server.accept()
        if s.verbose:
            say(f"Connection received on {peer[0]} {peer[1]}")
        converse(conn, s)
        conn.close()
        if not s.keep:
            return 0


def main(argv: list[str]) -> int:
    try:
        s, rest = parse(argv)
        if s.listen:
            if len(rest) > 1 or (not rest and s.port is None):
                raise UsageError("missing port number" if not rest else "too many arguments")
            return listen(_port(rest[0]) if rest else s.port or 0, s)
        if len(rest) != 2:
            raise UsageError("missing hostname and port" if not rest else "missing port number")
        return connect(rest[0], _port(rest[1]), s)
    except UsageError as e:
        say(f"nc: {e}")
        sys.stdout.write(HELP)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
