#!/usr/bin/python3
"""An independent WebSocket server (Debian's python3-websockets) for edgertc's client tests.

Usage: ws_server.py [--tls CERT KEY]      listens on 127.0.0.1, port chosen by the system,
                                          and prints "PORT <n>" once it is ready.
Paths (what the server does after the handshake):
  /echo            echoes every message, text as text and binary as binary
  /headers         sends one text message: JSON of the Origin, the subprotocol and X-Test header
  /fragment        sends "Hello, fragmented world" as three fragments, then echoes
  /ping            pings the client, and sends "pong received" once the pong arrives
  /close           closes with code 4001 and reason "server says bye" after the first message
  /drop            drops the TCP connection (no close frame) after the first message
  /silent          completes the handshake and never answers anything, not even a close
"""
import asyncio
import json
import ssl
import sys

import websockets


async def handler(ws, path=None):
    try:
        await serve(ws)
    except websockets.ConnectionClosed:
        pass  # the client tests cut connections on purpose


async def serve(ws):
    path = ws.path
    if path == "/echo":
        async for msg in ws:
            await ws.send(msg)
    elif path == "/headers":
        h = ws.request_headers
        await ws.send(json.dumps({"origin": h.get("Origin"), "subprotocol": ws.subprotocol,
                                  "x_test": h.get("X-Test")}))
        await ws.wait_closed()
    elif path == "/fragment":
        await ws.send(["Hello, ", "fragmented ", "world"])
        async for msg in ws:
            await ws.send(msg)
    elif path == "/ping":
        waiter = await ws.ping(b"are you there")
        await asyncio.wait_for(waiter, 10)
        await ws.send("pong received")
        await ws.wait_closed()
    elif path == "/close":
        await ws.recv()
        await ws.close(code=4001, reason="server says bye")
    elif path == "/drop":
        await ws.recv()
        ws.transport.abort()
    elif path == "/silent":
        ws.transport.pause_reading()
        await asyncio.sleep(3600)
    else:
        await ws.close(code=1008, reason="unknown path")


async def main():
    ctx = None
    if len(sys.argv) == 4 and sys.argv[1] == "--tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    async with websockets.serve(handler, "127.0.0.1", 0, ssl=ctx, max_size=4 * 1024 * 1024,
                                subprotocols=["edgertc-test"], ping_interval=None,
                                compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
