"""null: the benchmark's server (server.py). Its protocol: pith/protocols/null.py."""
