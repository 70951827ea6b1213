"""Test support for sync: fault-injecting httpx transports, a fault proxy on loopback, and
helpers that start a real city server (in-process or as a uvicorn process)."""
