"""The wire: a Linux TAP device for `pith boot --net tap[:NAME]`, and its host side.

`open_tap(name)` makes a TAP (IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL: a new device, never one
that already exists) in the current network namespace and returns its fd, non-blocking.
The device is not persistent: it disappears when the last fd on it closes (the kernel's,
and the eth driver's copy). `configure_host(name, host)` gives the host side its address
(`host`, e.g. 10.0.2.2/24) and sets the link up, through netlink (pyroute2).

`NetConfig.parse` checks `--net`, `--ip`, `--gateway` and gives what inet is told as its
args (`inet_args`: `ip=ADDR/PREFIX`, `gateway=ADDR`, `dns=ADDR`). QEMU's user-network
convention is the default: Pith is 10.0.2.15/24, the host side (gateway and DNS) 10.0.2.2.
With `--gateway`, the host side takes the gateway's address, with the prefix of `--ip`.

What it may touch: /dev/net/tun, and the links and addresses of the network namespace it
runs in. Errors are `NetError`, with a message that says what to do.
"""

from __future__ import annotations

import errno
import fcntl
import ipaddress
import os
import struct

import msgspec

__all__ = ["DEFAULT_NAME", "NetConfig", "NetError", "configure_host", "open_tap"]

DEFAULT_NAME = "pith0"
DEFAULT_IP = "10.0.2.15/24"
DEFAULT_GATEWAY = "10.0.2.2"
TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI, IFF_TUN_EXCL = 0x0002, 0x1000, 0x8000
IFNAMSIZ = 16
ROOTLESS = ("without root, give Pith a network namespace of its own: "
            "`unshare -rn pith boot --net tap` (see the README's \"network\" section)")


class NetError(Exception):
    """The network cannot be set up; the message says why and what to do."""


class NetConfig(msgspec.Struct, frozen=True):
    name: str  # the TAP's name on the host
    ip: str  # Pith's address and prefix, "10.0.2.15/24"
    gateway: str  # Pith's gateway and DNS server: the host side
    host: str  # the host side's address and prefix, "10.0.2.2/24"

    @classmethod
    def parse(cls, net: str, ip: str | None, gateway: str | None) -> NetConfig:
        """From `--net tap[:NAME]`, `--ip ADDR/PREFIX`, `--gateway ADDR`."""
        kind, colon, name = net.partition(":")
        if kind != "tap":
            raise NetError(f"--net {net}: the one kind of network is tap (--net tap[:NAME])")
        name = name if colon else DEFAULT_NAME
        if not 0 < len(name.encode()) < IFNAMSIZ or "/" in name or name.isspace() or (
                any(c.isspace() for c in name)) or name in (".", ".."):
            raise NetError(f"--net {net}: {name!r} is not an interface name (1 to 15 "
                           "characters, no spaces or '/')")
        try:
            own = ipaddress.IPv4Interface(ip or DEFAULT_IP)
        except ValueError:
            raise NetError(f"--ip {ip}: not an IPv4 address with a prefix "
                           "(ADDR/PREFIX, e.g. 10.0.2.15/24)") from None
        if "/" not in (ip or DEFAULT_IP):
            raise NetError(f"--ip {ip}: give the prefix too (ADDR/PREFIX, e.g. {ip}/24)")
        try:
            gw = ipaddress.IPv4Address(gateway or (DEFAULT_GATEWAY if ip is None
                                                   else _first_host(own)))
        except ValueError:
            raise NetError(f"--gateway {gateway}: not an IPv4 address") from None
        if gw not in own.network or gw == own.ip or gw in (own.network.network_address,
                                                           own.network.broadcast_address):
            raise NetError(f"--gateway {gw}: not another host of {own.network}, Pith's "
                           "network")
        if own.ip in (own.network.network_address, own.network.broadcast_address):
            raise NetError(f"--ip {own}: the network's own or broadcast address")
        host = f"{gw}/{own.network.prefixlen}"
        return cls(name, str(own), str(gw), host)

    def inet_args(self) -> tuple[str, ...]:
        """What inet is started with: its address, gateway and DNS server."""
        return (f"ip={self.ip}", f"gateway={self.gateway}", f"dns={self.gateway}")


def _first_host(own: ipaddress.IPv4Interface) -> str:
    """The default gateway for `--ip` without `--gateway`: the network's first host (or the
    second, when Pith is the first)."""
    hosts = own.network.hosts()
    first = next(hosts, own.ip)
    return str(next(hosts, first) if first == own.ip else first)


def open_tap(name: str) -> int:
    """A new TAP device `name`, its fd (non-blocking, close-on-exec)."""
    try:
        fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise NetError("/dev/net/tun: No such file or directory (this host has no TUN/TAP "
                       "driver: modprobe tun)") from None
    except PermissionError as e:
        raise NetError(f"/dev/net/tun: {e.strerror}: making a TAP device needs root or "
                       f"CAP_NET_ADMIN; {ROOTLESS}") from None
    try:
        ifr = struct.pack("16sH22x", name.encode(), IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL)
        fcntl.ioctl(fd, TUNSETIFF, ifr)
    except OSError as e:
        os.close(fd)
        if e.errno == errno.EPERM:
            raise NetError(f"{name}: cannot make a TAP device: {e.strerror} (it needs root "
                           f"or CAP_NET_ADMIN; {ROOTLESS})") from None
        if e.errno in (errno.EBUSY, errno.EEXIST, errno.EINVAL):
            raise NetError(f"{name}: an interface of that name exists already (another "
                           "Pith's network?); name another with --net tap:NAME") from None
        raise NetError(f"{name}: cannot make a TAP device: {e.strerror}") from None
    return fd


def configure_host(name: str, host: str) -> None:
    """Give the TAP `name` the host side's address `host` (ADDR/PREFIX) and set it up."""
    from pyroute2 import IPRoute  # (imported here: a boot without --net does not need it)
    from pyroute2.netlink.exceptions import NetlinkError

    address, _, prefix = host.partition("/")
    try:
        with IPRoute() as ipr:
            index = ipr.link_lookup(ifname=name)[0]
            ipr.addr("add", index=index, address=address, prefixlen=int(prefix))
            ipr.link("set", index=index, state="up")
    except NetlinkError as e:
        if e.code == errno.EEXIST:
            raise NetError(f"{name}: {host}: the address is in use on this host (a second "
                           "Pith on the same network? use --ip and --gateway, or another "
                           "network namespace)") from None
        raise NetError(f"{name}: cannot configure the host side ({host}): "
                       f"{os.strerror(e.code)}") from None
