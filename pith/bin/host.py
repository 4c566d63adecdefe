"""host: look a name up, printing bind9-host's lines ("NAME has address A").

Reads /etc/hosts first, then asks inet's stub resolver (`Resolve`: an A query to the DNS
server Pith was booted with) through this process's inet cap, so it runs inside Pith only.
`host [-W SECONDS] NAME`. An address instead of a name is looked up in /etc/hosts only
("…in-addr.arpa domain name pointer NAME."): inet has no PTR query. IPv4 (A) only.
Exit status: 0 found, 1 not found or no answer (bind9-host's).
"""

from __future__ import annotations

import sys

from pith.lib.gnu import UsageError, broken_pipe, options
from pith.lib.netdb import FAILURES, NoInet, host_name, lookup, quad
from pith.lib.server import ServiceError

PROG = "host"
HELP = """Usage: host [-W time] hostname
       -W specifies how long to wait for a reply, in seconds (default 5)
       -h, --help   display this help and exit
Looks names up in /etc/hosts, then with an A query to Pith's DNS server (IPv4 only).
"""


def reverse(address: str) -> tuple[int, str]:
    """(status, output) for an address: its name in /etc/hosts, or NXDOMAIN."""
    arpa = ".".join(reversed(address.split("."))) + ".in-addr.arpa"
    name = host_name(address)
    if name is None:
        return 1, f"Host {arpa}. not found: 3(NXDOMAIN)\n"
    return 0, f"{arpa} domain name pointer {name.rstrip('.')}.\n"


def forward(name: str, timeout: float) -> tuple[int, str]:
    """(status, output) for a name: one line per address, or why there is none."""
    try:
        addresses = lookup(name, timeout=timeout)
    except ServiceError as e:
        if e.error == "ETIMEDOUT":
            return 1, ";; connection timed out; no servers could be reached\n"
        if e.error == "ENOENT":
            return 1, f"Host {name} not found: 3(NXDOMAIN)\n"
        sys.stderr.write(f"{PROG}: {name}: {e.message}\n")
        return 1, ""
    return 0, "".join(f"{name} has address {a}\n" for a in addresses)


def command(argv: list[str]) -> int:
    opts, args = options(argv, "W:h", ["help"])
    timeout = 5.0
    for o, v in opts:
        if o in ("-h", "--help"):
            sys.stdout.write(HELP)
            return 0
        try:
            timeout = max(1.0, float(v))
        except ValueError:
            raise UsageError(f"invalid argument: '{v}'") from None
    if len(args) != 1:
        raise UsageError("one hostname, please")
    status, out = reverse(args[0]) if quad(args[0]) else forward(args[0], timeout)
    sys.stdout.write(out)
    sys.stdout.flush()
    return status


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        sys.stderr.write(f"{PROG}: {e}\n{HELP}")
        return 1
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
