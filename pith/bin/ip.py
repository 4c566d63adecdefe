"""ip: show the interfaces, their addresses and the routes, as iproute2's `ip` prints them.

Asks inet (`Interfaces`, pith/protocols/inet.py) through this process's inet cap, so it runs
inside Pith only. `ip [-4] address|link [show [dev] NAME]`, `ip route [show]`; objects by
prefix as iproute2 takes them (`ip a`, `ip r`). Nothing is changed here: Pith's network is
configured at boot (`pith boot --net tap --ip … --gateway …`).
"""

from __future__ import annotations

import sys
from ipaddress import IPv4Interface

from pith.lib.gnu import broken_pipe
from pith.lib.netdb import FAILURES, NoInet, inet
from pith.protocols.inet import InterfaceInfo, InterfaceList

PROG = "ip"
HELP = """Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
where  OBJECT := { address | link | route }
       OPTIONS := { -4 }
       COMMAND := show [ dev ] [ NAME ]
Pith's network is set at boot (pith boot --net tap --ip ADDR/PREFIX --gateway ADDR).
"""
OBJECTS = ("address", "route", "link")  # (iproute2's order of matching a prefix)


def flags(i: InterfaceInfo) -> str:
    if i.name == "lo":
        return "<LOOPBACK,UP,LOWER_UP>"
    return "<BROADCAST,MULTICAST,UP,LOWER_UP>" if i.up else "<NO-CARRIER,BROADCAST,MULTICAST,UP>"


def link_lines(n: int, i: InterfaceInfo, link_mode: bool) -> list[str]:
    """The interface's first two lines (`ip link`'s with mode DEFAULT)."""
    qdisc, state = ("noqueue", "UNKNOWN") if i.name == "lo" else (
        "pfifo_fast", "UP" if i.up else "DOWN")
    mode = " mode DEFAULT" if link_mode else ""
    head = (f"{n}: {i.name}: {flags(i)} mtu {i.mtu} qdisc {qdisc} state {state}{mode} group "
            "default qlen 1000")
    link = ("    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00" if i.name == "lo"
            else f"    link/ether {i.mac} brd ff:ff:ff:ff:ff:ff")
    return [head, link]


def address_lines(i: InterfaceInfo) -> list[str]:
    a = IPv4Interface(i.address)
    where = "scope host" if i.name == "lo" else \
        f"brd {a.network.broadcast_address} scope global"
    return [f"    inet {a.with_prefixlen} {where} {i.name}",
            "       valid_lft forever preferred_lft forever"]


def show(config: InterfaceList, what: str, name: str | None, only4: bool) -> tuple[int, str]:
    """(status, output) of `ip address|link show [NAME]`."""
    numbered = list(enumerate(config.interfaces, 1))
    if name is not None:
        numbered = [(n, i) for n, i in numbered if i.name == name]
        if not numbered:
            return 1, ""
    lines = []
    for n, i in numbered:
        head = link_lines(n, i, what == "link")
        lines += head[:1] if only4 and what == "address" else head
        if what == "address":
            lines += address_lines(i)
    return 0, "".join(line + "\n" for line in lines)


def routes(config: InterfaceList) -> str:
    """`ip route`: eth0's default route and its network (lo's are in the local table)."""
    lines = []
    for i in config.interfaces:
        if i.name == "lo":
            continue
        a = IPv4Interface(i.address)
        if config.gateway:
            lines.insert(0, f"default via {config.gateway} dev {i.name} ")
        lines.append(f"{a.network} dev {i.name} proto kernel scope link src {a.ip} ")
    return "".join(line + "\n" for line in lines)


def command(argv: list[str]) -> int:
    only4 = False
    while argv[:1] and argv[0].startswith("-"):
        if argv[0] in ("-h", "-help", "--help"):
            sys.stdout.write(HELP)
            return 0
        if argv[0] != "-4":
            sys.stderr.write(f'Option "{argv[0]}" is unknown, try "ip -help".\n')
            return 255
        only4, argv = True, argv[1:]
    if not argv or argv[0] == "help":
        sys.stdout.write(HELP)
        return 0 if argv else 255
    what = next((o for o in OBJECTS if o.startswith(argv[0])), None)
    if what is None:
        sys.stderr.write(f'Object "{argv[0]}" is unknown, try "ip help".\n')
        return 1
    rest = argv[1:]
    if rest[:1] and (rest[0] == "list" or (rest[0] and "show".startswith(rest[0]))):
        rest = rest[1:]
    if rest[:1] == ["dev"]:
        rest = rest[1:]
    if len(rest) > 1 or (rest and what == "route"):
        sys.stderr.write(f'Command "{" ".join(argv[1:])}" is unknown, try "ip {what} help".\n')
        return 255
    config = inet().interfaces()
    if what == "route":
        sys.stdout.write(routes(config))
        return 0
    status, out = show(config, what, rest[0] if rest else None, only4)
    if status:
        sys.stderr.write(f'Device "{rest[0]}" does not exist.\n')
    sys.stdout.write(out)
    sys.stdout.flush()
    return status


def main(argv: list[str]) -> int:
    try:
        return command(argv)
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
