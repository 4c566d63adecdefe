"""The network commands (ifconfig, ip, ping, netstat, host) and procfs's /proc/net.

Their output shapes against lines the Linux tools printed (net-tools 2.10, iproute2,
iputils 20221126, Linux 6.x's /proc/net), fed the same numbers; then the commands inside a Pith
booted without a network (the loopback only: 127.0.0.1). tests/net/test_commands.py runs
them on a booted network.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pith.bin import ifconfig, ip, netstat, ping
from pith.lib import netdb
from pith.protocols.inet import ConnectionInfo, InterfaceInfo, InterfaceList
from pith.servers.procfs import net
from tests.kernel.host.conftest import ROOT, no_leaks  # noqa: F401  (the leak check)

LO = InterfaceInfo("lo", "127.0.0.1/8", "", 65536, True, 232, 25544, 232, 25544)
ETH = InterfaceInfo("eth0", "192.0.2.2/24", "02:fc:00:00:00:01", 1400, True, 67927,
                    2440566575, 35378, 3881207)


def test_ifconfig_prints_net_tools_lines() -> None:
    assert ifconfig.long_form(ETH).splitlines() == [
        "eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1400",
        "        inet 192.0.2.2  netmask 255.255.255.0  broadcast 192.0.2.255",
        "        ether 02:fc:00:00:00:01  txqueuelen 1000  (Ethernet)",
        "        RX packets 67927  bytes 2440566575 (2.2 GiB)",
        "        RX errors 0  dropped 0  overruns 0  frame 0",
        "        TX packets 35378  bytes 3881207 (3.7 MiB)",
        "        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0", ""]
    assert ifconfig.long_form(LO).splitlines()[:4] == [
        "lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536",
        "        inet 127.0.0.1  netmask 255.0.0.0",
        "        loop  txqueuelen 1000  (Local Loopback)",
        "        RX packets 232  bytes 25544 (24.9 KiB)"]
    assert [ifconfig.scaled(n) for n in (0, 1024, 1025, 5 << 20)] == [
        "(0.0 B)", "(1024.0 B)", "(1.0 KiB)", "(5.0 MiB)"]
    down = InterfaceInfo("eth0", "10.0.2.15/24", "52:54:00:12:34:56", 1500, False)
    assert ifconfig.long_form(down).startswith("eth0: flags=4099<UP,BROADCAST,MULTICAST>  ")


def test_netstat_prints_net_tools_tables() -> None:
    assert ifconfig.short_table([LO, ETH]).splitlines() == [
        "Kernel Interface table",
        "Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg",
        "eth0             1400    67927      0      0 0         35378      0      0      0 BMRU",
        "lo              65536      232      0      0 0           232      0      0      0 LRU"]
    conns = [ConnectionInfo("tcp", "127.0.0.1:35653", "0.0.0.0:0", "LISTEN"),
             ConnectionInfo("udp", "127.0.0.1:46019", "0.0.0.0:0", ""),
             ConnectionInfo("tcp", "127.0.0.1:35653", "127.0.0.1:47894", "ESTABLISHED",
                            recv_q=3),
             ConnectionInfo("udp", "127.0.0.1:36330", "127.0.0.1:9", ""),
             ConnectionInfo("tcp", "0.0.0.0:5000", "0.0.0.0:0", "CLOSED"),
             ConnectionInfo("tcp", "10.0.2.15:40000", "10.0.2.2:80", "FIN_WAIT_1")]
    assert netstat.table(conns, {"tcp", "udp"}, True, True, True).splitlines() == [
        "Active Internet connections (servers and established)",
        "Proto Recv-Q Send-Q Local Address           Foreign Address         State      ",
        "tcp        0      0 127.0.0.1:35653         0.0.0.0:*               LISTEN     ",
        "tcp        3      0 127.0.0.1:35653         127.0.0.1:47894         ESTABLISHED",
        "tcp        0      0 10.0.2.15:40000         10.0.2.2:80             FIN_WAIT1  ",
        "udp        0      0 127.0.0.1:46019         0.0.0.0:*                          ",
        "udp        0      0 127.0.0.1:36330         127.0.0.1:9             ESTABLISHED"]
    assert netstat.table(conns, {"udp"}, True, False, False).splitlines()[::2] == [
        "Active Internet connections (only servers)",
        "udp        0      0 localhost:46019         0.0.0.0:*                          "]
    assert len(netstat.table(conns, {"tcp"}, False, True, True).splitlines()) == 4


def test_ip_prints_iproute2_lines() -> None:
    config = InterfaceList([LO, ETH], "192.0.2.1")
    assert ip.show(config, "address", None, False)[1].splitlines() == [
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default "
        "qlen 1000",
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
        "    inet 127.0.0.1/8 scope host lo",
        "       valid_lft forever preferred_lft forever",
        "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc pfifo_fast state UP group "
        "default qlen 1000",
        "    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff",
        "    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0",
        "       valid_lft forever preferred_lft forever"]
    assert ip.show(config, "link", "lo", False)[1].splitlines()[0] == (
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT "
        "group default qlen 1000")
    assert ip.show(config, "address", "lo", True)[1].splitlines()[1:] == [
        "    inet 127.0.0.1/8 scope host lo", "       valid_lft forever preferred_lft forever"]
    assert ip.show(config, "address", "nosuch", False) == (1, "")
    assert ip.routes(config).splitlines() == [
        "default via 192.0.2.1 dev eth0 ",
        "192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2 "]


def test_ping_times_and_statistics_as_iputils() -> None:
    assert [ping.milliseconds(us) for us in (70, 1234, 12345, 123456)] == [
        "0.070", "1.23", "12.3", "123"]
    p = ping.Ping("127.0.0.1", "127.0.0.1", 56, True, False)
    p.sent, p.rtts = 3, [70, 42, 1000]
    lines = p.statistics().splitlines()
    assert lines[0] == "--- 127.0.0.1 ping statistics ---"
    assert lines[1].startswith("3 packets transmitted, 3 received, 0% packet loss, time ")
    assert lines[2] == "rtt min/avg/max/mdev = 0.042/0.370/1.000/0.445 ms"
    p.rtts = [70]
    assert "3 packets transmitted, 1 received, 66% packet loss" in p.statistics()


def test_proc_net_files_in_linux_shapes() -> None:
    assert net.dev([LO]).splitlines() == [
        "Inter-|   Receive                                                |  Transmit",
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets "
        "errs drop fifo colls carrier compressed",
        "    lo:   25544     232    0    0    0     0          0         0    25544     232 "
        "   0    0    0     0       0          0"]
    conns = [ConnectionInfo("tcp", "127.0.0.1:35653", "0.0.0.0:0", "LISTEN"),
             ConnectionInfo("tcp", "127.0.0.1:35653", "127.0.0.1:47894", "ESTABLISHED",
                            recv_q=3),
             ConnectionInfo("tcp", "0.0.0.0:0", "0.0.0.0:0", "CLOSED"),
             ConnectionInfo("udp", "127.0.0.1:36330", "127.0.0.1:9", ""),
             ConnectionInfo("udp", "0.0.0.0:0", "0.0.0.0:0", "")]
    tcp = net.tcp(conns).splitlines()
    assert len(tcp) == 3 and {len(line) for line in tcp} == {149}
    assert tcp[0].startswith("  sl  local_address rem_address   st tx_queue rx_queue tr "
                             "tm->when retrnsmt   uid  timeout inode ")
    assert tcp[1].startswith("   0: 0100007F:8B45 00000000:0000 0A 00000000:00000000 "
                             "00:00000000 00000000     0        0 ")
    assert tcp[2].startswith("   1: 0100007F:8B45 0100007F:BB16 01 00000000:00000003 ")
    udp = net.udp(conns).splitlines()
    assert len(udp) == 2 and {len(line) for line in udp} == {127}
    assert udp[1].startswith("    0: 0100007F:8DEA 0100007F:0009 01 00000000:00000000 "
                             "00:00000000 00000000     0        0 ")


def test_etc_hosts_is_read_as_glibc_does(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text("# a comment\n127.0.0.1\tlocalhost\n::1 localhost ip6-localhost\n"
                     "10.1.2.3 box.example box  # mine\nnonsense line\n")
    assert netdb.hosts(str(hosts)) == [("127.0.0.1", ["localhost"]),
                                       ("10.1.2.3", ["box.example", "box"])]
    assert netdb.hosts(str(tmp_path / "none")) == []
    assert netdb.lookup("10.0.2.2") == ["10.0.2.2"]  # (no inet needed for a dotted quad)
    assert netdb.quad("10.0.2") is None


SCRIPT = "; ".join([
    "echo '== ping'", "ping -c 2 -i 0.2 -W 30 127.0.0.1", "echo status=$?",
    "echo '== noroute'", "ping -c 1 10.0.2.2 2>&1", "echo status=$?",
    "echo '== bad'", "ping -c 0 127.0.0.1 2>&1; echo status=$?; ping -W -1 127.0.0.1 2>&1",
    "echo status=$?; ping 2>&1; echo status=$?; ping -c1 nosuch 2>&1; echo status=$?",
    "echo '== ifconfig'", "ifconfig", "ifconfig eth0 2>&1", "echo status=$?",
    "echo '== ip'", "ip a", "ip route", "ip addr show eth0 2>&1", "echo status=$?",
    "echo '== host'", "host localhost", "host nosuch.example", "echo status=$?",
    "mkdir -p /etc", "echo '10.1.2.3 box.example box' > /etc/hosts", "host box",
    "host 10.1.2.3",
    "echo '== netstat'", "python /holder.py",
    "echo '== dev'", "cat /proc/net/dev",
    "echo '== interrupted'", "python /interrupt.py",
])

# ping with no count, ^C (SIGINT) once its first reply is printed: the statistics, status 0.
INTERRUPT = """
import os, signal, subprocess
p = subprocess.Popen(["ping", "-i", "0.2", "127.0.0.1"], stdout=subprocess.PIPE, text=True)
first = [p.stdout.readline(), p.stdout.readline()]
os.kill(p.pid, signal.SIGINT)
out, _ = p.communicate(timeout=60)
print("".join(first) + out, end="")
print(f"status={p.returncode}")
"""

# A TCP connection over the loopback, held while netstat -tn runs.
HOLDER = """
import subprocess
from pith.lib.posix.services import services
from pith.protocols.inet import Inet
n = Inet(services().caps["inet"])
listener = n.socket("tcp"); n.bind(listener, "127.0.0.1", 7000); n.listen(listener)
client = n.socket("tcp"); n.connect(client, "127.0.0.1", 7000, 30)
server, host, port = n.accept(listener, 30)
subprocess.run(["netstat", "-tn"], check=True)
subprocess.run(["netstat", "-tln"], check=True)
"""


def test_the_commands_on_pith_without_a_network(tmp_path: Path) -> None:
    from pith.tools.mkfs import make_image

    src = tmp_path / "src"
    src.mkdir()
    (src / "holder.py").write_text(HOLDER)
    (src / "interrupt.py").write_text(INTERRUPT)
    image = tmp_path / "disk.img"
    make_image(image, 16 << 20, src).dev.close()  # type: ignore[attr-defined]
    argv = [sys.executable, "-m", "pith", "boot", "--image", str(image), "--command", SCRIPT]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    got: dict[str, list[str]] = {}
    for line in done.stdout.splitlines():
        if line.startswith("== "):
            section = got.setdefault(line[3:], [])
        else:
            section.append(line)

    lines = got["ping"]
    assert lines[0] == "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data."
    for n in (1, 2):
        assert lines[n].startswith(f"64 bytes from 127.0.0.1: icmp_seq={n} ttl=64 time="), lines
    assert lines[3:5] == ["", "--- 127.0.0.1 ping statistics ---"]
    assert lines[5].startswith("2 packets transmitted, 2 received, 0% packet loss, time ")
    assert lines[6].startswith("rtt min/avg/max/mdev = ")
    assert got["ping"][-1] == "status=0"
    assert got["noroute"] == ["ping: connect: Network is unreachable", "status=2"]
    assert got["bad"] == [
        "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807",
        "status=1", "ping: bad linger time: -1", "status=2",
        "ping: usage error: Destination address required", "status=1",
        "ping: nosuch: Name or service not known", "status=2"]

    ifc = got["ifconfig"]
    assert ifc[0] == "lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 16384"
    assert ifc[1] == "        inet 127.0.0.1  netmask 255.0.0.0"
    packets = int(ifc[3].split()[2])
    assert packets >= 4 and ifc[5].split()[2] == str(packets), ifc  # 2 requests, 2 replies
    assert ifc[8:] == ["eth0: error fetching interface information: Device not found",
                       "status=1"]

    assert got["ip"] == ["1: lo: <LOOPBACK,UP,LOWER_UP> mtu 16384 qdisc noqueue state UNKNOWN "
                         "group default qlen 1000",
                         "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
                         "    inet 127.0.0.1/8 scope host lo",
                         "       valid_lft forever preferred_lft forever",
                         'Device "eth0" does not exist.', "status=1"]

    assert got["host"] == ["localhost has address 127.0.0.1",
                           "Host nosuch.example not found: 3(NXDOMAIN)", "status=1",
                           "box has address 10.1.2.3",
                           "3.2.1.10.in-addr.arpa domain name pointer box.example."]

    tables = got["netstat"]
    assert tables[:2] == ["Active Internet connections (w/o servers)",
                          "Proto Recv-Q Send-Q Local Address           Foreign Address"
                          "         State      "]
    rows = sorted(line.split()[3:] for line in tables[2:4])
    assert rows[0][1:] == ["127.0.0.1:7000", "ESTABLISHED"]
    assert rows[1][0] == "127.0.0.1:7000" and rows[1][2] == "ESTABLISHED"
    assert tables[4:] == [
        "Active Internet connections (only servers)",
        "Proto Recv-Q Send-Q Local Address           Foreign Address         State      ",
        "tcp        0      0 127.0.0.1:7000          0.0.0.0:*               LISTEN     "]

    dev = got["dev"][2:]
    assert len(dev) == 1 and dev[0].split()[0] == "lo:" and int(dev[0].split()[2]) >= 4

    lines = got["interrupted"]
    assert lines[1].startswith("64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time="), lines
    assert "--- 127.0.0.1 ping statistics ---" in lines, lines
    assert lines[-2].startswith("rtt min/avg/max/mdev = ") and lines[-1] == "status=0"
