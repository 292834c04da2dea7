#!/usr/bin/python3
"""An independent HTTP/1.1 server (Debian's python3-aiohttp) for edgertc's client tests.

Usage: http_server.py [--tls CERT KEY [--client-ca CA]]   listens on 127.0.0.1 (system-chosen
port) and prints "PORT <n>" once ready. With --client-ca it requires a client certificate.
Routes:
  GET  /len/N        N bytes of 'x' with Content-Length          (HEAD too)
  GET  /chunked/N    N chunks of "chunk-<i>\\n", chunked transfer coding
  GET  /conn         the id of the TCP connection, to check keep-alive reuse
  GET  /status/N     an empty response with status N (204, 304, 404, 500, ...)
  GET  /slow         answers after 5 s
  GET  /bigheader    a response with a 20 KiB header
  POST /echo         the request body back, with the request's Content-Type
  GET  /whoami       the subject of the client certificate (mutual TLS)
  GET  /close        answers with Connection: close
"""
import asyncio
import ssl
import sys

from aiohttp import web

connection_ids = {}


def conn_id(request):
    t = request.transport
    if t not in connection_ids:
        connection_ids[t] = len(connection_ids) + 1
    return connection_ids[t]


async def length(request):
    n = int(request.match_info["n"])
    return web.Response(body=b"x" * n, content_type="application/octet-stream")


async def chunked(request):
    n = int(request.match_info["n"])
    resp = web.StreamResponse()
    resp.enable_chunked_encoding()
    resp.content_type = "text/plain"
    await resp.prepare(request)
    for i in range(n):
        await resp.write(f"chunk-{i}\n".encode())
        await asyncio.sleep(0)
    await resp.write_eof()
    return resp


async def conn(request):
    return web.Response(text=str(conn_id(request)))


async def status(request):
    return web.Response(status=int(request.match_info["n"]))


async def slow(request):
    await asyncio.sleep(5)
    return web.Response(text="late")


async def bigheader(request):
    return web.Response(text="big", headers={"X-Big": "y" * 20480})


async def echo(request):
    body = await request.read()
    return web.Response(body=body, content_type=request.content_type or "application/octet-stream")


async def whoami(request):
    t = request.transport
    cert = t.get_extra_info("peercert") if t else None
    subject = dict(x[0] for x in cert["subject"]) if cert else {}
    return web.Response(text=subject.get("commonName", "anonymous"))


async def close(request):
    return web.Response(text="bye", headers={"Connection": "close"})


async def main():
    ctx = None
    args = sys.argv[1:]
    if len(args) >= 3 and args[0] == "--tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args[1], args[2])
        if len(args) == 5 and args[3] == "--client-ca":
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(args[4])
    app = web.Application(client_max_size=8 * 1024 * 1024)
    app.router.add_get("/len/{n}", length)
    app.router.add_get("/chunked/{n}", chunked)
    app.router.add_get("/conn", conn)
    app.router.add_get("/status/{n}", status)
    app.router.add_get("/slow", slow)
    app.router.add_get("/bigheader", bigheader)
    app.router.add_post("/echo", echo)
    app.router.add_get("/whoami", whoami)
    app.router.add_get("/close", close)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ctx)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
