"""A host peer on the TAP's host side that speaks raw Ethernet (AF_PACKET): it sends
COUNT frames of EtherType 0x88B5 (IEEE's local experimental one) to eth's MAC and prints
the payload of each 0x88B5 frame that comes back to it, until COUNT came or LIMIT seconds
passed.  python packet_peer.py IFNAME COUNT [LIMIT]"""

from __future__ import annotations

import select
import socket
import sys
import time

ETH_P_ALL, ETHERTYPE, PACKET_OUTGOING = 0x0003, b"\x88\xb5", 4
ETH_MAC = bytes.fromhex("525400123456")


def main() -> None:
    name, count = sys.argv[1], int(sys.argv[2])
    limit = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    with open(f"/sys/class/net/{name}/address") as f:
        own = bytes.fromhex(f.read().strip().replace(":", ""))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((name, 0))
    for i in range(count):
        s.send(ETH_MAC + own + ETHERTYPE + f"frame {i}".encode().ljust(46, b"\0"))
    got, end = 0, time.monotonic() + limit
    while got < count and time.monotonic() < end:
        if not select.select([s], [], [], end - time.monotonic())[0]:
            break
        frame, address = s.recvfrom(2048)
        if address[2] != PACKET_OUTGOING and frame[12:14] == ETHERTYPE and frame[:6] == own:
            print(frame[6:12].hex(), frame[14:].rstrip(b"\0").decode(), flush=True)
            got += 1


if __name__ == "__main__":
    main()
