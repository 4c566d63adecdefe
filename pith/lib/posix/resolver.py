"""Names for a user process's sockets: getaddrinfo and its family, as glibc answers them.

A name is looked up as glibc does with `hosts: files dns`: a dotted quad is itself,
then /etc/hosts (Pith's file, read through the posix layer), then "localhost", then inet's
DNS stub (`Resolve`: an A query to the configured server). IPv4 only: AF_INET6 is
EAI_FAMILY. Services are numbers, or a name of the small table SERVICES (Pith has no
/etc/services). Failures are socket.gaierror / socket.herror with glibc's codes and texts.
Entry points: `install(module)` (the socket module's functions), `address_of`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket as host
from typing import Any

from pith.lib.server import ServiceError

__all__ = ["SERVICES", "address_of", "install"]

SERVICES = {"echo": 7, "discard": 9, "daytime": 13, "ftp": 21, "ssh": 22, "telnet": 23,
            "smtp": 25, "domain": 53, "http": 80, "pop3": 110, "ntp": 123, "imap": 143,
            "https": 443, "imaps": 993, "pop3s": 995, "http-alt": 8080}
HOSTS = "/etc/hosts"
_STREAM_DGRAM = ((host.SOCK_STREAM, host.IPPROTO_TCP), (host.SOCK_DGRAM, host.IPPROTO_UDP))


def _quad(name: str) -> str | None:
    """`name` as a dotted quad if it is one (inet_aton's forms: "127.1" too)."""
    try:
        return host.inet_ntoa(host.inet_aton(name)) if name and name.strip() == name else None
    except OSError:
        return None


def _hosts() -> list[tuple[str, list[str]]]:
    """/etc/hosts as (address, names) rows, IPv4 only; none if it cannot be read."""
    rows = []
    with contextlib.suppress(OSError, UnicodeDecodeError), open(HOSTS) as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if len(fields) >= 2 and _quad(fields[0]) is not None:
                rows.append((fields[0], fields[1:]))
    return rows


def lookup(name: str) -> tuple[str, list[str], list[str]]:
    """(canonical name, aliases, addresses) of `name`; gaierror EAI_NONAME if none."""
    quad = _quad(name)
    if quad is not None:
        return name, [], [quad]
    for address, names in _hosts():
        if name.lower() in (n.lower() for n in names):
            return names[0], names[1:], [address]
    if name.lower() in ("localhost", "localhost.localdomain"):
        return "localhost", [], ["127.0.0.1"]
    from pith.lib.posix.sockets import inet
    try:
        return name, [], inet().resolve(name)
    except (ServiceError, OSError):
        raise host.gaierror(host.EAI_NONAME, "Name or service not known") from None


def address_of(name: str) -> str:
    """The address a socket call's host names: "" is INADDR_ANY, "<broadcast>" too."""
    if name == "":
        return "0.0.0.0"
    if name == "<broadcast>":
        return "255.255.255.255"
    return lookup(name)[2][0]


def _port(port: Any, kind: int) -> int:
    if port is None:
        return 0
    if isinstance(port, bytes):
        port = port.decode()
    if isinstance(port, int):
        return port
    if isinstance(port, str):
        if port.isdigit():
            return int(port)
        if port in SERVICES:
            return SERVICES[port]
        raise host.gaierror(host.EAI_SERVICE, "Servname not supported for ai_socktype")
    raise TypeError("getaddrinfo() argument 2 must be integer or string")


def getaddrinfo(name: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0,
                flags: int = 0) -> list[tuple[Any, ...]]:
    """socket.getaddrinfo for AF_INET (see the module's top)."""
    if family not in (host.AF_UNSPEC, host.AF_INET):
        raise host.gaierror(host.EAI_FAMILY, "ai_family not supported")
    if isinstance(name, bytes):
        name = name.decode("idna")
    number = _port(port, type)
    if name is None:
        canonical, addresses = "", ["0.0.0.0" if flags & host.AI_PASSIVE else "127.0.0.1"]
    elif flags & host.AI_NUMERICHOST and _quad(name) is None:
        raise host.gaierror(host.EAI_NONAME, "Name or service not known")
    else:
        canonical, _, addresses = lookup(name)
    kinds = [(k, p) for k, p in _STREAM_DGRAM if type in (0, k) and proto in (0, p)]
    if not kinds:
        raise host.gaierror(host.EAI_SOCKTYPE, "ai_socktype not supported")
    out: list[tuple[Any, ...]] = []
    for address in addresses:
        for kind, protocol in kinds:
            named = canonical if flags & host.AI_CANONNAME and not out else ""
            out.append((host.AddressFamily.AF_INET, host.SocketKind(kind), protocol, named,
                        (address, number)))
    return out


def gethostbyname(name: str) -> str:
    return lookup(name)[2][0]


def gethostbyname_ex(name: str) -> tuple[str, list[str], list[str]]:
    return lookup(name)


def gethostbyaddr(address: str) -> tuple[str, list[str], list[str]]:
    quad = _quad(address) or lookup(address)[2][0]
    for row, names in _hosts():
        if _quad(row) == quad:
            return names[0], names[1:], [quad]
    if ipaddress.IPv4Address(quad).is_loopback:
        return "localhost", [], [quad]
    raise host.herror(1, "Unknown host")


def gethostname() -> str:
    return os.uname().nodename


def getnameinfo(address: tuple[str, int], flags: int) -> tuple[str, str]:
    name, port = address
    if flags & host.NI_NUMERICHOST:
        shown = _quad(name) or lookup(name)[2][0]
    else:
        try:
            shown = gethostbyaddr(name)[0]
        except host.herror:
            if flags & host.NI_NAMEREQD:
                raise host.gaierror(host.EAI_NONAME, "Name or service not known") from None
            shown = _quad(name) or name
    named = {v: k for k, v in SERVICES.items()}
    service = str(port) if flags & host.NI_NUMERICSERV else named.get(port, str(port))
    return shown, service


def install(module: Any) -> None:
    """Put these in place of the socket module's own."""
    for f in (getaddrinfo, gethostbyname, gethostbyname_ex, gethostbyaddr, gethostname,
              getnameinfo):
        setattr(module, f.__name__, f)
