"""blk: the block driver (server.py). Its protocol and client: pith/protocols/blk.py."""
