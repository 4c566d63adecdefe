"""Pith's interfaces: one module per protocol, apart from every server that implements it.

Each module holds one interface's request and reply Structs, its constants and its typed
client, and says at the top who serves it and who calls it. Servers, drivers, the posix
layer, the commands and the tools import these; nothing outside a server imports the server.
"""
