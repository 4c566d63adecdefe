"""echo: the example server (server.py). Its protocol: pith/protocols/echo.py."""
