"""eth: the Ethernet driver, frames in and out of the TAP device "net" (server.py; its
test-only fault knob: faults.py).

Its protocol: pith/protocols/eth.py.
"""
