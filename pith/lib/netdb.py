"""netdb: names and addresses for the network commands (ping, host, netstat, ifconfig).

May touch: /etc/hosts (read), this process's "inet" cap (pith/protocols/inet.py). Entry
points: `inet()` (the typed inet client, or NoInet outside Pith or without the cap),
`hosts()` (/etc/hosts as (address, names) pairs), `lookup(name)` (glibc's order: a dotted
quad as it is, /etc/hosts, then inet's resolver) and `host_name(address)` (the reverse,
from /etc/hosts only: there is no PTR look-up). IPv4 only, as inet is.
"""

from __future__ import annotations

from ipaddress import AddressValueError, IPv4Address

from pith.kernel.core.errors import KernelError
from pith.lib.server import ServiceError
from pith.protocols.inet import Inet

__all__ = ["FAILURES", "HOSTS", "NoInet", "host_name", "hosts", "inet", "lookup", "quad"]

HOSTS = "/etc/hosts"
FAILURES = (ServiceError, KernelError)  # what an inet call raises: a refusal, inet gone


class NoInet(Exception):
    """This process cannot reach inet: it runs on the host, or has no inet cap."""


def inet() -> Inet:
    """The inet client of this process (its "inet" cap, which pm gives every process)."""
    try:
        from pith.lib.posix.services import services
        caps = services().caps
    except (ImportError, RuntimeError):
        raise NoInet("only runs inside Pith (no inet here)") from None
    if "inet" not in caps:
        raise NoInet("this process has no inet cap")
    return Inet(caps["inet"])


def quad(text: str) -> str | None:
    """`text` as a dotted quad if it is one, else None."""
    try:
        return str(IPv4Address(text))
    except (AddressValueError, ValueError):
        return None


def hosts(path: str = HOSTS) -> list[tuple[str, list[str]]]:
    """The IPv4 lines of /etc/hosts, (address, [canonical name, aliases…]), in file order;
    none when there is no such file."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        fields = line.split("#", 1)[0].split()
        address = quad(fields[0]) if fields else None
        if address is not None and len(fields) > 1:
            found.append((address, fields[1:]))
    return found


def lookup(name: str, client: Inet | None = None, timeout: float = 5.0) -> list[str]:
    """The IPv4 addresses of `name`: itself if a dotted quad, else /etc/hosts's, else what
    inet's resolver answers (ServiceError ENOENT: no such name; ETIMEDOUT: no answer)."""
    address = quad(name)
    if address is not None:
        return [address]
    wanted = name.lower().rstrip(".")
    found = [a for a, names in hosts() if wanted in (n.lower() for n in names)]
    if found:
        return list(dict.fromkeys(found))
    return (client or inet()).resolve(name, timeout)


def host_name(address: str) -> str | None:
    """The first name /etc/hosts gives `address` ("localhost" for 127.0.0.1 without one)."""
    for a, names in hosts():
        if a == address:
            return names[0]
    return "localhost" if address == "127.0.0.1" else None
