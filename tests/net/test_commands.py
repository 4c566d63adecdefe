"""The network commands inside Pith booted with a network (a TAP in the test's own
namespace, the host side 10.0.2.2): ping reaches the host and reports a silent address,
ifconfig and ip show Pith's address (and ip its routes), netstat and /proc/net list the
sockets a process holds, host finds localhost and asks a DNS server on the host side for
other names (which ping takes too), /proc/net/dev counts eth0's frames."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from tests.net.conftest import HERE, HOST_IP, PITH_IP, Netns, finish, read_until

# A process holding a listening TCP socket and a bound UDP socket while netstat, and cat
# of /proc/net/{tcp,udp}, run (the sockets are gone when it ends).
HOLDER = """
import subprocess
from pith.lib.posix.services import services
from pith.protocols.inet import Inet
n = Inet(services().caps["inet"])
u = n.socket("udp"); n.bind(u, "0.0.0.0", 5353)
t = n.socket("tcp"); n.bind(t, "10.0.2.15", 8080); n.listen(t)
for argv in (["netstat", "-tuan"], ["cat", "/proc/net/tcp", "/proc/net/udp"]):
    subprocess.run(argv, check=True)
"""

SCRIPT = "; ".join([
    "echo '== ping'", f"ping -c 2 -i 0.2 {HOST_IP}", "echo status=$?",
    "echo '== lost'", "ping -c 1 -W 1 10.0.2.99", "echo status=$?",
    "echo '== ifconfig'", "ifconfig",
    "echo '== ip'", "ip -4 addr show eth0", "ip route",
    "echo '== sockets'", f"python -c {shlex.quote(HOLDER)}",
    "echo '== host'", "host localhost", "echo status=$?",
    "echo '== dns'", "host box.test", "host nosuch.test", "echo status=$?",
    "ping -c 1 gateway.test", "echo status=$?",
    "echo '== dev'", "cat /proc/net/dev",
])


def sections(out: str) -> dict[str, list[str]]:
    """The output cut at the '== NAME' lines."""
    parts: dict[str, list[str]] = {}
    name = ""
    for line in out.splitlines():
        if line.startswith("== "):
            name = line[3:]
            parts[name] = []
        else:
            parts.setdefault(name, []).append(line)
    return parts


def test_the_network_commands_on_a_booted_network(netns: Netns, tmp_path: Path) -> None:
    dns = netns.start([sys.executable, str(HERE / "dns_peer.py"), "box.test=10.9.8.7",
                       f"gateway.test={HOST_IP}"])
    read_until(dns, "ready")
    pith = netns.boot(SCRIPT, "--image", str(tmp_path / "disk.img"))
    status, out, err = finish(pith)
    assert status == 0, err
    got = sections(out)

    ping = got["ping"]
    assert ping[0] == f"PING {HOST_IP} ({HOST_IP}) 56(84) bytes of data."
    replies = [line for line in ping if line.startswith(f"64 bytes from {HOST_IP}: icmp_seq=")]
    assert replies and all(" ttl=64 time=" in line and line.endswith(" ms")
                           for line in replies), ping
    assert f"--- {HOST_IP} ping statistics ---" in ping
    assert any(line.startswith("2 packets transmitted, ") for line in ping), ping
    assert any(line.startswith("rtt min/avg/max/mdev = ") for line in ping), ping
    assert ping[-1] == "status=0"

    lost = got["lost"]
    assert lost[0] == "PING 10.0.2.99 (10.0.2.99) 56(84) bytes of data."
    assert not any("bytes from" in line for line in lost), lost
    assert any(line.startswith("1 packets transmitted, 0 received, 100% packet loss")
               for line in lost), lost
    assert lost[-1] == "status=1"

    ifconfig = "\n".join(got["ifconfig"])
    assert "eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500" in ifconfig
    assert f"inet {PITH_IP}  netmask 255.255.255.0  broadcast 10.0.2.255" in ifconfig
    assert "ether 52:54:00:12:34:56  txqueuelen 1000  (Ethernet)" in ifconfig
    assert "lo: flags=73<UP,LOOPBACK,RUNNING>" in ifconfig

    assert got["ip"] == [
        "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP group "
        "default qlen 1000",
        f"    inet {PITH_IP}/24 brd 10.0.2.255 scope global eth0",
        "       valid_lft forever preferred_lft forever",
        f"default via {HOST_IP} dev eth0 ",
        f"10.0.2.0/24 dev eth0 proto kernel scope link src {PITH_IP} "]

    sockets = got["sockets"]
    assert "tcp        0      0 10.0.2.15:8080          0.0.0.0:*               LISTEN     " \
        in sockets, sockets
    assert "udp        0      0 0.0.0.0:5353            0.0.0.0:*                          " \
        in sockets, sockets
    tcp = [line.split() for line in sockets if line.split()[:1] == ["0:"]]
    assert tcp[0][1:4] == ["0F02000A:1F90", "00000000:0000", "0A"], sockets  # 10.0.2.15:8080
    assert tcp[1][1:4] == ["00000000:14E9", "00000000:0000", "07"], sockets  # 0.0.0.0:5353

    assert got["host"] == ["localhost has address 127.0.0.1", "status=0"]

    dns_lines = got["dns"]
    assert dns_lines[:3] == ["box.test has address 10.9.8.7",
                             "Host nosuch.test not found: 3(NXDOMAIN)", "status=1"], dns_lines
    assert dns_lines[3] == f"PING gateway.test ({HOST_IP}) 56(84) bytes of data."
    assert dns_lines[4].startswith(f"64 bytes from gateway.test ({HOST_IP}): icmp_seq=1 ")
    assert dns_lines[-1] == "status=0"

    dev = {line.split(":")[0].strip(): line.split(":")[1].split() for line in got["dev"][2:]}
    assert set(dev) == {"lo", "eth0"}, got["dev"]
    rx_bytes, rx_packets, tx_bytes, tx_packets = (int(dev["eth0"][i]) for i in (0, 1, 8, 9))
    assert rx_packets >= 2 and tx_packets >= 3 and rx_bytes > 0 and tx_bytes > 0, dev
