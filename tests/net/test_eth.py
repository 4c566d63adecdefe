"""The eth driver on a real TAP, in the test's own network namespace, before any stack:
frames a host peer sends arrive, frames eth is given go out, the counters count, bad
requests are refused, and a restarted eth (killed by its host pid) carries frames again."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from tests.net.conftest import HERE, Netns, finish, read_until

MANIFEST = f"""
[servers.eth]
program = "pith.drivers.eth.server:EthServer"
mode = "{{mode}}"
provides = ["eth"]
uses = ["inet"]
devices = ["net"]
intensity = 5

[servers.wire]
program = "{HERE / 'echo_wire.py'}:EchoWire"
provides = ["inet"]
uses = ["eth"]
"""

# Inside Pith: check the link, the refusals, then report the counters each time the host
# side has sent `N` more frames (it says so on the console: one line per round).
CLIENT = """
import time
from pith.lib.server import Client, ServiceError
from pith.protocols.eth import Link, LinkInfo, Sent, SetFaults, Transmit
eth = Client(CAPS["eth"], Link | Sent)
link = eth.call(LinkInfo())
print("link", link.mac.hex(":"), link.mtu, link.up, flush=True)
for bad in (Transmit([bytes(13)]), Transmit([bytes(60), bytes(1515)]), SetFaults(loss=1.5)):
    try:
        eth.call(bad)
        print("ALLOWED", bad)
    except ServiceError as e:
        print("refused", e.error, flush=True)
print("ready", flush=True)
end = time.monotonic() + 60
while time.monotonic() < end and eth.call(LinkInfo()).tx_frames < 20:
    time.sleep(0.02)  # (until the host peer's 20 frames went through: an event, bounded)
link = eth.call(LinkInfo())
print("counted", link.rx_frames, link.rx_bytes, link.tx_frames, link.tx_bytes, link.dropped)
"""


def echo_round(netns: Netns, count: int) -> list[str]:
    done = netns.run([sys.executable, str(HERE / "packet_peer.py"), "pith0", str(count)])
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_frames_go_both_ways_through_eth(netns: Netns, tmp_path: Path) -> None:
    for mode in ("isolated", "collocated"):
        manifest = tmp_path / f"{mode}.toml"
        manifest.write_text(MANIFEST.format(mode=mode))
        pith = netns.boot(f"python -c {shlex.quote(CLIENT)}", "--manifest", str(manifest))
        out = read_until(pith, "ready")
        assert out.splitlines() == ["link 52:54:00:12:34:56 1500 True"] + [
            "refused EINVAL"] * 3 + ["ready"]
        assert echo_round(netns, 20) == [f"525400123456 frame {i}" for i in range(20)]
        status, out, err = finish(pith)
        assert (status, out) == (0, "counted 20 1200 20 1200 0\n"), err
