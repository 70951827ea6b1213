"""The office LAN: the edge appliance serves its queue to counters and boards (docs/LAN.md).

- :mod:`sync.lan.server`    the edge's LAN API (FastAPI + uvicorn, server-sent events)
- :mod:`sync.lan.client`    RemoteQueue, the QueueClient of every other screen (httpx)
- :mod:`sync.lan.discovery` zeroconf advertisement and discovery
- :mod:`sync.lan.wire`      names, versions and JSON shapes shared by both ends
- :mod:`sync.lan.errors`    the link's own errors

Import the submodule you need: a counter console never loads FastAPI, nor the edge zeroconf's
browser.
"""
