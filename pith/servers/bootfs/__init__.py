"""bootfs: Pith's own commands, read-only, at /boot (server.py)."""
