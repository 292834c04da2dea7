#!/usr/bin/python3
"""Captures the real HTTP/1.1 traffic that tests/unit/test_http_parser.c parses.

How the files here were made: `/usr/bin/python3 tests/data/http/capture.py` (run from any
folder; it writes next to itself). The script starts real servers on 127.0.0.1 only --
aiohttp (3.8), websockets (10.4), Python's http.server and Node's http module -- sends each
one a request over a raw socket and stores the exact bytes the server sent back. It also
runs real clients (curl, a websockets client) against a raw listening socket and stores the
exact request bytes they sent, for the parser's request mode. Nothing leaves the loopback
interface: every address below is 127.0.0.1, and curl runs with --noproxy.

Files (*.http are responses, *.req are requests):
  aiohttp_chunked.http        GET, chunked body of several chunks (one of 5000 bytes)
  aiohttp_keepalive_pair.http two pipelined GETs on one connection: a Content-Length JSON
                              response kept alive, then the same with Connection: close
  aiohttp_head.http           HEAD: Content-Length of the GET body, no body bytes
  aiohttp_204.http            204 No Content
  aiohttp_304.http            304 Not Modified for a matching If-None-Match
  aiohttp_100_continue.http   POST with Expect: 100-continue: an interim 100 Continue, then
                              the 200 echoing the body
  websockets_101.http         a websockets 10.4 server's 101 Switching Protocols, followed by
                              the text frame "hello from websockets" it sends at once
  pyhttp_until_close.http     Python http.server (HTTP/1.0): no length, body ends at close
  node_trailers.http          Node http: chunked body with a trailer field (X-Checksum)
  curl_get.req                curl GET with a query string
  curl_post.req               curl POST with a JSON body (Content-Length)
  curl_chunked_put.req        curl PUT of stdin (Transfer-Encoding: chunked); curl waits
                              for the 100 Continue the listener sends, then sends the body
  websockets_upgrade.req      a websockets 10.4 client's upgrade request

Dates, keys and ports differ on every run, so rerunning changes the files; the tests only
check what does not change between runs.
"""
import asyncio
import http.server
import os
import socket
import subprocess
import threading
import time

import aiohttp
import aiohttp.web
import websockets

HERE = os.path.dirname(os.path.abspath(__file__))
LOOPBACK = "127.0.0.1"
QUIET_SECONDS = 0.5  # a raw read ends after this long without new bytes


def save(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes")


def read_until_quiet(sock, quiet=QUIET_SECONDS):
    """Reads until the peer closes or stays silent for `quiet` seconds."""
    sock.settimeout(quiet)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return data
        if not chunk:
            return data
        data += chunk


def exchange(port, request, quiet=QUIET_SECONDS):
    """Sends raw request bytes to 127.0.0.1:port and returns every byte of the answer."""
    with socket.create_connection((LOOPBACK, port), timeout=5) as sock:
        sock.sendall(request)
        return read_until_quiet(sock, quiet)


# ---- aiohttp ------------------------------------------------------------------------------

CHUNKS = [b"first chunk\n", b"x" * 5000, b"\n", b"last chunk\n"]


async def chunked_handler(request):
    resp = aiohttp.web.StreamResponse(headers={"Content-Type": "text/plain"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    for chunk in CHUNKS:
        await resp.write(chunk)
        await asyncio.sleep(0.01)  # separate writes, so separate chunks
    await resp.write_eof()
    return resp


async def json_handler(request):
    return aiohttp.web.json_response({"ok": True, "server": "aiohttp"})


async def echo_handler(request):
    return aiohttp.web.Response(body=await request.read(), content_type="text/plain")


async def empty_handler(request):
    return aiohttp.web.Response(status=204)


async def etag_handler(request):
    if request.headers.get("If-None-Match") == '"v1"':
        return aiohttp.web.Response(status=304, headers={"ETag": '"v1"'})
    return aiohttp.web.Response(text="versioned", headers={"ETag": '"v1"'})


def request_bytes(method, path, port, close=True, extra=""):
    conn = "Connection: close\r\n" if close else ""
    return (f"{method} {path} HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\n"
            f"User-Agent: edgertc-capture\r\n{extra}{conn}\r\n").encode()


async def capture_aiohttp():
    app = aiohttp.web.Application()
    app.router.add_get("/chunked", chunked_handler)
    app.router.add_get("/json", json_handler)  # also answers HEAD
    app.router.add_get("/empty", empty_handler)
    app.router.add_post("/echo", echo_handler)
    app.router.add_get("/etag", etag_handler)
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, LOOPBACK, 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    loop = asyncio.get_running_loop()

    def run(req):
        return loop.run_in_executor(None, exchange, port, req)

    save("aiohttp_chunked.http", await run(request_bytes("GET", "/chunked", port)))
    pair = request_bytes("GET", "/json", port, close=False) + request_bytes("GET", "/json", port)
    save("aiohttp_keepalive_pair.http", await run(pair))
    save("aiohttp_head.http", await run(request_bytes("HEAD", "/json", port)))
    save("aiohttp_204.http", await run(request_bytes("GET", "/empty", port)))
    save("aiohttp_304.http",
         await run(request_bytes("GET", "/etag", port, extra='If-None-Match: "v1"\r\n')))
    body = "echo this body"
    expect = f"Expect: 100-continue\r\nContent-Length: {len(body)}\r\n"
    save("aiohttp_100_continue.http",
         await run(request_bytes("POST", "/echo", port, extra=expect) + body.encode()))
    await runner.cleanup()


# ---- websockets ---------------------------------------------------------------------------

async def ws_handler(ws, path=None):
    await ws.send("hello from websockets")
    await ws.wait_closed()


async def capture_websockets():
    async with websockets.serve(ws_handler, LOOPBACK, 0) as server:
        port = server.sockets[0].getsockname()[1]
        upgrade = (f"GET /chat HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\n"
                   "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n").encode()
        loop = asyncio.get_running_loop()
        data = await loop.run_in_executor(None, exchange, port, upgrade)
        save("websockets_101.http", data)


# ---- Python http.server (HTTP/1.0, read until close) --------------------------------------

class UntilCloseHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"body without a length\nends when the server closes\n")

    def log_message(self, *args):
        pass


def capture_pyhttp():
    server = http.server.HTTPServer((LOOPBACK, 0), UntilCloseHandler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    save("pyhttp_until_close.http", exchange(port, request_bytes("GET", "/", port)))
    thread.join()
    server.server_close()


# ---- Node http (chunked with trailers) ----------------------------------------------------

NODE_SERVER = r"""
const http = require('http');
const server = http.createServer((req, res) => {
  res.writeHead(200, {'Content-Type': 'text/plain', 'Trailer': 'X-Checksum'});
  res.write('node says ');
  res.write('hello');
  res.addTrailers({'X-Checksum': 'abc123'});
  res.end();
  server.close();
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
"""


def capture_node():
    proc = subprocess.Popen(["node", "-e", NODE_SERVER], stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    save("node_trailers.http", exchange(port, request_bytes("GET", "/", port)))
    proc.wait(timeout=10)


# ---- real clients against a raw listener (request mode) -----------------------------------

CANNED_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def capture_request(name, start_client):
    """Listens on 127.0.0.1, starts a client, stores the bytes it sends, answers 200."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((LOOPBACK, 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        client = start_client(port)
        listener.settimeout(10)
        conn, _ = listener.accept()
        with conn:
            data = read_until_quiet(conn)
            if b"Expect: 100-continue" in data:
                conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                data += read_until_quiet(conn)
            save(name, data)
            conn.sendall(CANNED_RESPONSE)
        client()


def curl(args, stdin=None):
    def start(port):
        proc = subprocess.Popen(["curl", "-s", "--noproxy", "*", "-o", "/dev/null"] +
                                [a.replace("PORT", str(port)) for a in args],
                                stdin=subprocess.PIPE if stdin is not None else None)
        if stdin is not None:
            proc.stdin.write(stdin)
            proc.stdin.close()
        return lambda: proc.wait(timeout=10)
    return start


def websockets_client(port):
    async def connect():
        try:
            async with websockets.connect(f"ws://{LOOPBACK}:{port}/signal?id=device1",
                                          open_timeout=5):
                pass
        except Exception:
            pass  # the listener answers 200, not 101: the client gives up, as expected

    thread = threading.Thread(target=asyncio.run, args=(connect(),))
    thread.start()
    return lambda: thread.join(timeout=10)


def capture_requests():
    capture_request("curl_get.req",
                    curl(["http://127.0.0.1:PORT/rooms/abc?peer=device1&x=%20y"]))
    capture_request("curl_post.req",
                    curl(["-X", "POST", "-H", "Content-Type: application/json",
                          "--data-binary", '{"type":"offer","sdp":"v=0\\r\\n"}',
                          "http://127.0.0.1:PORT/message"]))
    capture_request("curl_chunked_put.req",
                    curl(["-T", "-", "http://127.0.0.1:PORT/upload"],
                         stdin=b"streamed body from stdin\n" * 3))
    capture_request("websockets_upgrade.req", websockets_client)


def main():
    asyncio.run(capture_aiohttp())
    asyncio.run(capture_websockets())
    capture_pyhttp()
    capture_node()
    capture_requests()


if __name__ == "__main__":
    main()
