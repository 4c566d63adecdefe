"""ifconfig: show the network interfaces (lo, and eth0 with a network), as net-tools 2.10.

Asks inet (`Interfaces`, pith/protocols/inet.py) through this process's inet cap, so it runs
inside Pith only. `ifconfig [-a] [-s] [INTERFACE]`: the long form (flags, mtu, inet address,
netmask, broadcast, ether, RX/TX packets and bytes) or, with -s, netstat -i's table.
Interfaces are configured at boot (`pith boot --net tap --ip …`), not by ifconfig.
"""

from __future__ import annotations

import sys
from ipaddress import IPv4Interface

from pith.lib.gnu import UsageError, broken_pipe, options
from pith.lib.netdb import FAILURES, NoInet, inet
from pith.protocols.inet import InterfaceInfo

PROG = "ifconfig"
HELP = """Usage:
  ifconfig [-a] [-s] [interface]

  -a     display all interfaces, even those that are down
  -s     display a short list (like netstat -i)
  --help display this help and exit

Pith's interfaces are set at boot (pith boot --net tap --ip ADDR/PREFIX), not here.
"""
UP, BROADCAST, LOOPBACK, RUNNING, MULTICAST = 0x1, 0x2, 0x8, 0x40, 0x1000
FLAG_NAMES = [(UP, "UP"), (BROADCAST, "BROADCAST"), (LOOPBACK, "LOOPBACK"),
              (RUNNING, "RUNNING"), (MULTICAST, "MULTICAST")]
SHORT_FLAGS = [(BROADCAST, "B"), (LOOPBACK, "L"), (MULTICAST, "M"), (RUNNING, "R"), (UP, "U")]
UNITS = [(1 << 50, "PiB"), (1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]


def flags(i: InterfaceInfo) -> int:
    """SIOCGIFFLAGS's bits: configured interfaces are UP; RUNNING when the link is."""
    kind = LOOPBACK if i.name == "lo" else BROADCAST | MULTICAST
    return UP | kind | (RUNNING if i.up else 0)


def scaled(n: int) -> str:
    """net-tools' '(24.9 KiB)': tenths, truncated, in the largest unit n exceeds."""
    for size, unit in UNITS:
        if n > size:
            tenths = n * 10 // size
            return f"({tenths // 10}.{tenths % 10} {unit})"
    return f"({n}.0 B)"


def long_form(i: InterfaceInfo) -> str:
    """One interface as `ifconfig` prints it, with the blank line after it."""
    bits = flags(i)
    names = ",".join(name for bit, name in FLAG_NAMES if bits & bit)
    address = IPv4Interface(i.address)
    lines = [f"{i.name}: flags={bits}<{names}>  mtu {i.mtu}"]
    inet_line = f"        inet {address.ip}  netmask {address.netmask}"
    if i.name != "lo":
        inet_line += f"  broadcast {address.network.broadcast_address}"
    lines.append(inet_line)
    lines.append("        loop  txqueuelen 1000  (Local Loopback)" if i.name == "lo" else
                 f"        ether {i.mac}  txqueuelen 1000  (Ethernet)")
    lines += [f"        RX packets {i.rx_packets}  bytes {i.rx_bytes} {scaled(i.rx_bytes)}",
              f"        RX errors 0  dropped {i.dropped}  overruns 0  frame 0",
              f"        TX packets {i.tx_packets}  bytes {i.tx_bytes} {scaled(i.tx_bytes)}",
              "        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0", ""]
    return "\n".join(lines) + "\n"


def short_table(interfaces: list[InterfaceInfo]) -> str:
    """netstat -i's (and ifconfig -s's) 'Kernel Interface table'."""
    lines = ["Kernel Interface table",
             "Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP "
             "TX-OVR Flg"]
    for i in sorted(interfaces, key=lambda i: i.name):
        bits = flags(i)
        flg = "".join(letter for bit, letter in SHORT_FLAGS if bits & bit)
        lines.append(f"{i.name:<15.15} {i.mtu:>5} {i.rx_packets:>8} {0:>6} {i.dropped:>6} "
                     f"{0:<6} {i.tx_packets:>8} {0:>6} {0:>6} {0:>6} {flg}")
    return "\n".join(lines) + "\n"


def command(argv: list[str]) -> int:
    opts, args = options(argv, "as", ["help"])
    given = {o for o, _ in opts}
    if "--help" in given:
        sys.stdout.write(HELP)
        return 0
    if len(args) > 1:
        sys.stderr.write(f"{PROG}: setting an interface is not supported (Pith sets them at "
                         "boot)\n")
        return 1
    try:
        interfaces = sorted(inet().interfaces().interfaces, key=lambda i: i.name)
    except NoInet as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 1
    if args:
        interfaces = [i for i in interfaces if i.name == args[0]]
        if not interfaces:
            sys.stderr.write(f"{args[0]}: error fetching interface information: "
                             "Device not found\n")
            return 1
    sys.stdout.write(short_table(interfaces) if "-s" in given else
                     "".join(long_form(i) for i in interfaces))
    sys.stdout.flush()
    return 0


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        sys.stderr.write(f"{PROG}: {e}\n{HELP}")
        return 1
    except BrokenPipeError:
        return broken_pipe()
    except FAILURES as e:
        sys.stderr.write(f"{PROG}: inet: {getattr(e, 'message', None) or e}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
