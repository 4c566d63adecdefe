"""Sockets on 127.0.0.1 as programs use them: a threaded echo server and its clients,
makefile, timeouts, non-blocking calls, selectors, UDP, socketpair and the errors."""

import errno
import os
import selectors
import socket
import socketserver
import threading


def tcp_echo() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        print("listening", server.getsockname()[0], port > 0, server.family.name,
              server.type.name)

        peers = []

        def serve() -> None:
            conn, peer = server.accept()
            peers.append(peer[0])
            with conn:
                while data := conn.recv(4096):
                    conn.sendall(data[::-1])
        thread = threading.Thread(target=serve)
        thread.start()
        with socket.create_connection(("localhost", port), timeout=30) as client:
            print("peer", client.getpeername() == ("127.0.0.1", port))
            client.sendall(b"hello world")
            print("echo", client.recv(100))
            big = bytes(range(256)) * 800
            client.sendall(big)
            got = b""
            while len(got) < len(big):
                got += client.recv(65536)
            print("big", len(got), got == big[::-1] or got[:10])
            client.shutdown(socket.SHUT_WR)
            print("after shutdown", client.recv(10))
        thread.join()
        print("accepted from", peers)


def makefile_lines() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def serve() -> None:
            conn, _ = server.accept()
            with conn, conn.makefile("rwb") as f:
                for line in f:
                    f.write(line.upper())
                    f.flush()
        thread = threading.Thread(target=serve)
        thread.start()
        with socket.create_connection(("127.0.0.1", port)) as client:
            f = client.makefile("rw", encoding="utf-8", newline="\n")
            for word in ("one", "two", "three"):
                f.write(word + "\n")
                f.flush()
                print("line", f.readline().strip())
            f.close()
        thread.join()


def errors() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.listen()
        with socket.socket() as t:
            try:
                t.bind(("127.0.0.1", port))
            except OSError as e:
                print("bind twice", type(e).__name__, errno.errorcode[e.errno])
        s.settimeout(0.2)
        try:
            s.accept()
        except TimeoutError as e:
            print("accept timeout", type(e).__name__, e)
        s.setblocking(False)
        try:
            s.accept()
        except BlockingIOError as e:
            print("accept non-blocking", errno.errorcode[e.errno])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    try:
        socket.create_connection(("127.0.0.1", free))
    except ConnectionRefusedError as e:
        print("refused", errno.errorcode[e.errno])
    with socket.socket() as s:
        try:
            s.recv(10)
        except OSError as e:
            print("recv unconnected", errno.errorcode[e.errno])
        print("connect_ex", errno.errorcode.get(s.connect_ex(("127.0.0.1", free))))
    s = socket.socket()
    s.close()
    try:
        s.send(b"x")
    except OSError as e:
        print("closed", errno.errorcode[e.errno])
    print("closed fileno", s.fileno())
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).bind(("127.0.0.1", 70000))
    except OverflowError as e:
        print("port", e)


def udp() -> None:
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    b.bind(("127.0.0.1", 0))
    a.sendto(b"ping", b.getsockname())
    data, peer = b.recvfrom(100)
    print("udp", data, peer == a.getsockname())
    b.sendto(b"pong", peer)
    print("udp back", a.recv(100))
    a.settimeout(0.1)
    try:
        a.recvfrom(10)
    except TimeoutError as e:
        print("udp timeout", e)
    a.close()
    b.close()


def selecting() -> None:
    sel = selectors.DefaultSelector()
    one, two = socket.socketpair()
    sel.register(one, selectors.EVENT_READ, "one")
    print("nothing yet", sel.select(timeout=0.05))
    two.send(b"x")
    print("ready", [(key.data, mask) for key, mask in sel.select(timeout=30)])
    print("read", one.recv(10))
    sel.unregister(one)
    sel.close()
    os.write(two.fileno(), b"via os")
    print("os.read", os.read(one.fileno(), 100))
    one.close()
    two.close()


def pipes_too() -> None:
    import select
    import time
    r, w = os.pipe()
    print("empty pipe", select.select([r], [w], [], 0))
    os.write(w, b"data")
    print("pipe with data", select.select([r], [], [], 0) == ([r], [], []))
    one, two = socket.socketpair()

    def later() -> None:
        time.sleep(0.1)
        os.write(w, b"more")
    threading.Thread(target=later).start()
    os.read(r, 100)
    print("socket and pipe", select.select([one, r], [], [], 30) == ([r], [], []))
    os.read(r, 100)
    two.send(b"s")
    print("socket ready", select.select([one, r], [], [], 30) == ([one], [], []))
    poller = select.poll()
    poller.register(r, select.POLLIN)
    os.close(w)
    print("end of pipe", poller.poll(30000) == [(r, select.POLLHUP)])
    print("end of pipe, select", select.select([r], [], [], 30) == ([r], [], []))
    os.close(r)
    start = time.monotonic()
    select.select([], [], [], 0.05)
    print("select as sleep", time.monotonic() - start >= 0.05)
    try:
        select.select([r], [], [], 0)
    except OSError as e:
        print("closed fd", errno.errorcode[e.errno])
    one.close()
    two.close()


class Upper(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.wfile.write(self.rfile.readline().upper())


def with_socketserver() -> None:
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Upper) as server:
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        for word in (b"alpha\n", b"beta\n"):
            with socket.create_connection(server.server_address) as c:
                c.sendall(word)
                print("socketserver", c.makefile("rb").readline())
        server.shutdown()
        thread.join()


def names() -> None:
    print("gai", socket.getaddrinfo("127.0.0.1", 80, socket.AF_INET, socket.SOCK_STREAM))
    print("gai port text", socket.getaddrinfo("localhost", "8080", socket.AF_INET,
                                              socket.SOCK_DGRAM))
    print("by name", socket.gethostbyname("localhost"))
    try:
        socket.getaddrinfo("localhost", "no-such-service")
    except socket.gaierror as e:
        print("gaierror", e.errno)
    print("inet_aton", socket.inet_aton("10.0.2.15"), socket.htons(80))


for part in (tcp_echo, makefile_lines, errors, udp, selecting, pipes_too, with_socketserver,
             names):
    part()
