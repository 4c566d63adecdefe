"""inet: Pith's TCP/IP engine, sans-I/O (docs/design.md, "The network stack: the engine").

Frames and socket calls go in, frames and answers come out; time is an argument. The
modules, from the wire up: `wire` (formats, checksums), `arp`, `ipv4`, `icmp`, `udp`,
`retransmit` (RFC 6298), `reassembly` (the receive queue), `tcp` (one connection's state
machine), `stack` (the façade: `Stack(Config)`), `errors` (errno-named refusals).
"""
