"""ds: the data store (server.py): names to caps, and stashes. Protocol: pith/protocols/ds.py."""
