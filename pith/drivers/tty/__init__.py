"""tty: the console driver (server.py; its line discipline: discipline.py).

Its protocol: pith/protocols/tty.py.
"""
