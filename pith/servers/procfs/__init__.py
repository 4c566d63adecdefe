"""procfs: /proc, made from what rs and pm say (server.py)."""
