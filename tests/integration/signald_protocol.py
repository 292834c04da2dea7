#!/usr/bin/python3
"""signald_protocol.py — protocol test of edgertc-signald against the AppRTC reference.

An independent client: it starts the real binary (argv[1]) on 127.0.0.1 with a free port,
talks to it with the standard library's http.client and Debian's python3-websockets, and
checks the room server (spec §1), the Collider (spec §2) and the compatibility checklist
(spec §6): answer shapes and types, stored messages, FULL, Origin, register/send and their
error texts and close behaviour, queueing and flush order, the HTTP relay, bad input, the
10 s register window, TURN REST credentials, the web pages and a clean SIGTERM exit.

The two checks that must wait out the 10 s window run in the background while the others
run, so the whole script takes about 13 s. It prints one PASS/FAIL line per check and exits
1 when any check fails.
"""

import asyncio
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time

import websockets

REGISTER_WINDOW_S = 10.0
SECRET = "edgertc-test-secret-" + secrets.token_hex(8)
TURN_USER = "tester"
TURN_TTL = 3600
SOURCE_WEB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "web")

failures = []


def report(name, error=None):
    if error is None:
        print(f"PASS {name}", flush=True)
    else:
        print(f"FAIL {name}: {error}", flush=True)
        failures.append(name)


class Check(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Check(what)


def uniq(prefix):
    return f"{prefix}_{secrets.token_hex(4)}"


# ---- the server process ---------------------------------------------------------------------


class Signald:
    def __init__(self, binary):
        self.output = []  # every line of stdout and stderr
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--stun", "stun:127.0.0.1:3478",
             "--turn", "turn:127.0.0.1:3478?transport=udp", "--turn-secret", SECRET,
             "--turn-user", TURN_USER, "--turn-ttl", str(TURN_TTL), "--log-level", "debug"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = self._read_first_line()
        m = re.fullmatch(r"edgertc-signald: listening on http://127\.0\.0\.1:(\d+)", first)
        if not m:
            self.proc.kill()
            raise RuntimeError(f"unexpected first stdout line: {first!r}")
        self.port = int(m.group(1))
        self.base = f"http://127.0.0.1:{self.port}"
        for stream in (self.proc.stdout, self.proc.stderr):
            threading.Thread(target=self._collect, args=(stream,), daemon=True).start()

    def _read_first_line(self):
        box = []
        t = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        t.start()
        t.join(10)
        if not box:
            self.proc.kill()
            raise RuntimeError("no 'listening on' line within 10 s")
        self.output.append(box[0])
        return box[0].rstrip("\n")

    def _collect(self, stream):
        for line in stream:
            self.output.append(line)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None


SD = None


# ---- HTTP ---------------------------------------------------------------------------------


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case names
        self.body = body

    def json(self):
        return json.loads(self.body)

    def text(self):
        return self.body.decode("utf-8", "replace")


def request(method, path, body=None, headers=None, conn=None):
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", SD.port, timeout=10)
    try:
        data = body.encode() if isinstance(body, str) else body
        conn.request(method, path, body=data, headers=headers or {})
        r = conn.getresponse()
        payload = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        return Reply(r.status, hdrs, payload)
    finally:
        if own:
            conn.close()


def expect_framing(r, what):
    expect("content-length" in r.headers, f"{what}: no Content-Length")
    expect("transfer-encoding" not in r.headers, f"{what}: Transfer-Encoding present")
    expect(int(r.headers["content-length"]) == len(r.body), f"{what}: Content-Length mismatch")
    expect(r.headers.get("access-control-allow-origin") == "*",
           f"{what}: no Access-Control-Allow-Origin: *")


def join(room, headers=None):
    r = request("POST", f"/join/{room}", headers=headers)
    expect(r.status == 200, f"join {room}: HTTP {r.status} {r.text()!r}")
    expect_framing(r, f"join {room}")
    return r.json()


def join_ok(room):
    j = join(room)
    expect(j["result"] == "SUCCESS", f"join {room}: {j['result']}")
    return j["params"]


def post_message(room, client, msg):
    r = request("POST", f"/message/{room}/{client}", body=msg,
                headers={"Content-Type": "text/plain;charset=UTF-8"})
    expect_framing(r, "message")
    return r


# ---- WebSocket ----------------------------------------------------------------------------


def ws_url():
    return f"ws://127.0.0.1:{SD.port}/ws"


async def ws_open(origin=True):
    if origin:
        return await websockets.connect(ws_url(), origin=SD.base, ping_interval=None)
    return await websockets.connect(ws_url(), ping_interval=None)


async def register(ws, room, client):
    await ws.send(json.dumps({"cmd": "register", "roomid": room, "clientid": client}))


async def registered(ws, room, client):
    """Registers and waits until the server has processed it (frames on one socket are
    handled in order, so the pong comes after the register)."""
    await register(ws, room, client)
    await expect_open(ws)


async def send(ws, msg):
    await ws.send(json.dumps({"cmd": "send", "msg": msg}))


async def recv_frame(ws, timeout=3.0):
    raw = await asyncio.wait_for(ws.recv(), timeout)
    expect(isinstance(raw, str), "frame is not text")
    expect(raw.endswith("\n"), f"frame does not end with a newline: {raw!r}")
    frame = json.loads(raw)
    expect(set(frame.keys()) == {"msg", "error"}, f"frame keys {sorted(frame.keys())}")
    return frame


async def recv_msg(ws, timeout=3.0):
    f = await recv_frame(ws, timeout)
    expect(f["error"] == "", f"expected a message, got error {f['error']!r}")
    return f["msg"]


async def expect_error_then_close(ws, text, prefix=False):
    f = await recv_frame(ws)
    expect(f["msg"] == "", f"error frame has msg {f['msg']!r}")
    ok = f["error"].startswith(text) if prefix else f["error"] == text
    expect(ok, f"error {f['error']!r}, expected {text!r}")
    await asyncio.wait_for(ws.wait_closed(), 5)
    expect(ws.close_code == 1000, f"close code {ws.close_code}, expected 1000")


async def expect_silence(ws, seconds):
    try:
        raw = await asyncio.wait_for(ws.recv(), seconds)
    except asyncio.TimeoutError:
        return
    raise Check(f"unexpected frame {raw!r}")


async def expect_open(ws):
    pong = await ws.ping()
    await asyncio.wait_for(pong, 3)


# ---- checks -------------------------------------------------------------------------------


async def check_join_shapes():
    room = uniq("shape")
    p = join_ok(room)
    expect(p["is_initiator"] == "true", f"first is_initiator {p['is_initiator']!r}")
    expect(isinstance(p["messages"], list) and p["messages"] == [], "messages not []")
    expect(re.fullmatch(r"\d{8}", p["client_id"]), f"client_id {p['client_id']!r}")
    expect(p["room_id"] == room, "room_id")
    expect(p["wss_url"] == f"ws://127.0.0.1:{SD.port}/ws", f"wss_url {p['wss_url']}")
    expect(p["wss_post_url"] == SD.base, f"wss_post_url {p['wss_post_url']}")
    expect(p["ice_server_url"] == f"{SD.base}/v1alpha/iceconfig?key=",
           f"ice_server_url {p['ice_server_url']}")
    expect(p["room_link"] == f"{SD.base}/r/{room}", f"room_link {p['room_link']}")
    for key in ("pc_config", "pc_constraints", "offer_options", "media_constraints",
                "is_loopback", "bypass_join_confirmation", "version_info"):
        expect(isinstance(p[key], str), f"{key} is not a string")
    pc = json.loads(p["pc_config"])
    expect(pc["bundlePolicy"] == "max-bundle" and pc["rtcpMuxPolicy"] == "require",
           "pc_config policies")
    expect(len(pc["iceServers"]) >= 1, "pc_config has no iceServers")
    # KVS-ESP joins with Content-Type: application/json and an empty body (spec §6 item 2).
    p2 = join(room, headers={"Content-Type": "application/json", "Content-Length": "0"})
    expect(p2["result"] == "SUCCESS", f"second join {p2['result']}")
    expect(p2["params"]["is_initiator"] == "false", "second is_initiator")
    expect(p2["params"]["client_id"] != p["client_id"], "same client id twice")


async def check_stored_messages():
    room = uniq("store")
    a = join_ok(room)["client_id"]
    m1 = json.dumps({"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"})
    m2 = json.dumps({"type": "candidate", "label": 0, "id": "0", "candidate": "candidate:1"})
    for m in (m1, m2):
        r = post_message(room, a, m)
        expect(r.status == 200 and r.json() == {"result": "SUCCESS"}, f"store: {r.text()}")
    p = join_ok(room)
    expect(p["messages"] == [m1, m2], f"messages {p['messages']!r}")
    expect(all(isinstance(m, str) for m in p["messages"]), "messages not strings")


async def check_third_join_full():
    room = uniq("full")
    join_ok(room)
    join_ok(room)
    j = join(room)
    expect(j == {"result": "FULL", "params": {"messages": []}}, f"third join {j}")


async def check_ws_without_origin():
    try:
        ws = await ws_open(origin=False)
    except websockets.exceptions.InvalidStatusCode as e:
        expect(e.status_code == 403, f"status {e.status_code}")
        return
    await ws.close()
    raise Check("upgrade without Origin was accepted")


async def check_relay_both_ways():
    room = uniq("relay")
    a, b = await ws_open(), await ws_open()
    await registered(a, room, "alice")
    await registered(b, room, "bob")
    offer = json.dumps({"type": "offer", "sdp": "v=0\r\n\"quoted\" <>&"})
    await send(a, offer)
    expect(await recv_msg(b) == offer, "bob got another message")
    await send(b, '{"type":"answer","sdp":"x"}')
    expect(await recv_msg(a) == '{"type":"answer","sdp":"x"}', "alice got another message")
    await send(a, '{"error":""}')  # Espressif heartbeat: relayed unchanged (spec §6 item 8)
    expect(await recv_msg(b) == '{"error":""}', "heartbeat not relayed")
    await a.close()
    await b.close()


async def check_send_before_register():
    ws = await ws_open()
    await send(ws, "hello")
    await expect_error_then_close(ws, "Client not registered")


async def check_duplicate_register():
    ws = await ws_open()
    room = uniq("dup")
    await register(ws, room, "c1")
    await register(ws, room, "c1")
    await expect_error_then_close(ws, "Duplicated register request")


async def check_duplicate_registration():
    room = uniq("dupreg")
    a, b = await ws_open(), await ws_open()
    await registered(a, room, "same")
    await register(b, room, "same")
    await expect_error_then_close(b, "Duplicated registration")
    await expect_open(a)
    await a.close()


async def check_invalid_register():
    ws = await ws_open()
    await ws.send(json.dumps({"cmd": "register", "roomid": "r"}))
    await expect_error_then_close(ws, "Invalid register request: missing 'clientid' or 'roomid'")


async def check_room_capacity():
    room = uniq("cap")
    a, b, c = await ws_open(), await ws_open(), await ws_open()
    await registered(a, room, "c1")
    await registered(b, room, "c2")
    await register(c, room, "c3")
    await expect_error_then_close(c, "Max room capacity reached")
    await a.close()
    await b.close()


async def check_unknown_cmd_stays_open():
    ws = await ws_open()
    await ws.send(json.dumps({"cmd": "dance"}))
    f = await recv_frame(ws)
    expect(f == {"msg": "", "error": "Invalid message: unexpected 'cmd'"}, f"frame {f}")
    await expect_open(ws)
    await register(ws, uniq("cmd"), "c")
    await expect_open(ws)
    await ws.close()


async def check_non_json_frame():
    ws = await ws_open()
    await ws.send("this is not json")
    await expect_error_then_close(ws, "websocket.JSON.Receive error: ", prefix=True)


async def check_missing_msg():
    ws = await ws_open()
    await register(ws, uniq("nomsg"), "c")
    await ws.send(json.dumps({"cmd": "send"}))
    await expect_error_then_close(ws, "Invalid send request: missing 'msg'")


async def check_queue_and_flush():
    room = uniq("queue")
    a = await ws_open()
    await registered(a, room, "first")
    msgs = [json.dumps({"type": "candidate", "n": i}) for i in range(5)]
    for m in msgs:
        await send(a, m)
    await expect_open(a)  # every send processed, so all are queued
    b = await ws_open()
    await register(b, room, "second")
    got = [await recv_msg(b) for _ in msgs]
    expect(got == msgs, f"flushed {got}")
    await a.close()
    await b.close()


async def check_http_relay():
    room = uniq("post")
    a = await ws_open()
    await registered(a, room, "alice")
    r = request("POST", f"/{room}/bob", body='{"type":"answer"}')
    expect(r.status == 200 and r.body == b"OK\n", f"POST relay: {r.status} {r.body!r}")
    expect(r.headers.get("access-control-allow-origin") == "*", "relay without CORS header")
    expect(await recv_msg(a) == '{"type":"answer"}', "relayed body differs")
    # A POST for a client that has not registered is queued and flushed on its register.
    r = request("POST", f"/{room}/alice", body='{"type":"offer"}')
    expect(r.status == 200, f"POST for alice: {r.status}")
    b = await ws_open()
    await register(b, room, "bob")
    expect(await recv_msg(b) == '{"type":"offer"}', "queued POST not flushed")
    r = request("POST", f"/{room}/bob", body="")
    expect(r.status == 500 and r.text() == "Empty request body\n", f"empty body: {r.text()!r}")
    r = request("DELETE", f"/{room}/alice")
    expect(r.status == 200 and r.body == b"OK\n", f"DELETE: {r.status} {r.body!r}")
    await asyncio.wait_for(a.wait_closed(), 5)
    expect(a.close_code == 1000, f"deleted socket closed with {a.close_code}")
    await b.close()


async def check_message_unknown():
    r = post_message(uniq("nosuch"), "12345678", '{"type":"bye"}')
    expect(r.status == 200 and r.json() == {"result": "UNKNOWN_ROOM"}, f"{r.status} {r.text()}")
    room = uniq("known")
    join_ok(room)
    r = post_message(room, "00000000", '{"type":"bye"}')
    expect(r.status == 200 and r.json() == {"result": "UNKNOWN_CLIENT"}, f"{r.status} {r.text()}")


async def check_bad_input():
    r = request("POST", "/join/bad$name")
    expect(r.status == 400 and r.json()["result"] == "ERROR" and r.json().get("reason"),
           f"bad room name: {r.status} {r.text()}")
    r = request("GET", f"/join/{uniq('get')}")
    expect(r.status == 405 and "allow" in r.headers, f"GET /join: {r.status}")
    room = uniq("nonjson")
    a = join_ok(room)["client_id"]
    r = post_message(room, a, "not json at all")
    expect(r.status == 400 and r.json()["result"] == "ERROR", f"non-JSON: {r.status} {r.text()}")
    r = request("POST", "/no/such/route/here")
    expect(r.status == 404 and r.body, f"unknown route: {r.status}")


async def check_oversized_message():
    room = uniq("big")
    a = join_ok(room)["client_id"]
    big = json.dumps({"type": "offer", "sdp": "x" * 70000})
    r = request("POST", f"/message/{room}/{a}", body=big)
    expect(r.status == 413 or (r.status == 200 and r.json()["result"] != "SUCCESS"),
           f"oversized /message: {r.status} {r.text()[:100]}")
    r = request("POST", f"/{room}/{a}", body=big)
    expect(r.status in (413, 500), f"oversized relay POST: {r.status}")
    ws = await ws_open()
    await register(ws, room, "wsbig")
    await send(ws, big)
    f = await recv_frame(ws)
    expect(f["msg"] == "" and f["error"], f"oversized WebSocket msg: {f}")
    await expect_open(ws)
    await ws.close()
    # Every other room is untouched.
    other = uniq("other")
    b = join_ok(other)["client_id"]
    r = post_message(other, b, '{"type":"offer","sdp":"ok"}')
    expect(r.status == 200 and r.json()["result"] == "SUCCESS", "another room broke")
    p = join_ok(other)
    expect(p["messages"] == ['{"type":"offer","sdp":"ok"}'], "another room lost its message")


async def check_leave_promotes(verb):
    room = uniq(verb)
    a = join_ok(room)["client_id"]
    b = join_ok(room)["client_id"]
    r = request("POST", f"/{verb}/{room}/{a}")
    expect(r.status == 200 and r.body == b"", f"{verb}: {r.status} {r.body!r}")
    # b is alone and initiator now: its messages are stored for the next joiner.
    r = post_message(room, b, '{"type":"offer","sdp":"again"}')
    expect(r.json()["result"] == "SUCCESS", f"message after {verb}: {r.text()}")
    p = join_ok(room)
    expect(p["is_initiator"] == "false", "new joiner became initiator")
    expect(p["messages"] == ['{"type":"offer","sdp":"again"}'], f"messages {p['messages']}")
    r = request("POST", f"/{verb}/{uniq('none')}/12345678")
    expect(r.status == 200 and r.body == b"", f"{verb} of an unknown room: {r.status}")


async def check_leave():
    await check_leave_promotes("leave")


async def check_bye_alias():
    await check_leave_promotes("bye")


async def check_reregister_resumes():
    room = uniq("resume")
    a, b = await ws_open(), await ws_open()
    await registered(a, room, "a")
    await registered(b, room, "b")
    a.transport.abort()  # vanish without a close frame
    await asyncio.sleep(1.0)  # the server sees the connection end
    await send(b, '{"type":"candidate","while":"away"}')  # queued: a is not registered
    await expect_open(b)
    a2 = await ws_open()
    await register(a2, room, "a")
    expect(await recv_msg(a2) == '{"type":"candidate","while":"away"}', "queued message lost")
    await send(a2, '{"type":"answer"}')
    expect(await recv_msg(b) == '{"type":"answer"}', "relay after re-register")
    await a2.close()
    await b.close()


async def check_ice_endpoint():
    now = time.time()
    for method, path in (("POST", "/v1alpha/iceconfig?key="), ("GET", "/iceconfig")):
        r = request(method, path)
        expect(r.status == 200, f"{method} {path}: {r.status}")
        expect_framing(r, path)
        servers = r.json()["iceServers"]
        expect(len(servers) >= 2, f"iceServers {servers}")
        for s in servers:
            expect(s["urls"] and s["username"] and s["credential"], f"entry {s}")
        turn = servers[0]
        expect(turn["urls"] == ["turn:127.0.0.1:3478?transport=udp"], f"TURN first: {turn}")
        expiry, user = turn["username"].split(":", 1)
        expect(user == TURN_USER, f"username {turn['username']}")
        expect(abs(int(expiry) - (now + TURN_TTL)) < 60, f"expiry {expiry}, now {now}")
        want = base64.b64encode(hmac.new(SECRET.encode(), turn["username"].encode(),
                                          hashlib.sha1).digest()).decode()
        expect(turn["credential"] == want, "TURN credential does not verify with HMAC-SHA1")
        expect(servers[1]["urls"] == ["stun:127.0.0.1:3478"], f"STUN entry {servers[1]}")
    pc = json.loads(join_ok(uniq("ice"))["pc_config"])
    t = pc["iceServers"][0]
    want = base64.b64encode(hmac.new(SECRET.encode(), t["username"].encode(),
                                     hashlib.sha1).digest()).decode()
    expect(t["credential"] == want, "pc_config TURN credential does not verify")
    r = request("GET", "/params")
    expect(r.status == 200 and r.json()["wss_url"] == f"ws://127.0.0.1:{SD.port}/ws", "/params")


async def check_web_pages():
    index = os.path.join(SOURCE_WEB, "index.html")
    r = request("GET", f"/r/{uniq('page')}")
    if os.path.exists(index):
        expect(r.status == 200, f"GET /r/room: {r.status} with {index} present")
        expect(r.headers.get("content-type", "").startswith("text/html"), "content type")
        expect(r.headers.get("cache-control") == "no-store", "Cache-Control")
    else:
        expect(r.status == 404 and r.body, f"GET /r/room without index.html: {r.status}")
    r = request("GET", "/r/bad$room")
    expect(r.status in (400, 404), f"bad room page: {r.status}")
    for path in ("/../CMakeLists.txt", "/%2e%2e/CMakeLists.txt", "/.hidden.html",
                 "/r/..", "/x/../../etc/passwd"):
        r = request("GET", path)
        expect(r.status in (400, 404), f"GET {path}: {r.status}")
    r = request("OPTIONS", "/join/x", headers={"Access-Control-Request-Method": "POST"})
    expect(r.status == 204 and r.headers.get("access-control-allow-origin") == "*", "preflight")


async def check_status_page():
    r = request("GET", "/status")
    s = r.json()
    expect(r.status == 200 and {"upsec", "openws", "totalws"} <= set(s), f"status {s}")


async def check_queue_limit():
    room = uniq("limit")
    conn = http.client.HTTPConnection("127.0.0.1", SD.port, timeout=10)
    try:
        for i in range(1024):
            r = request("POST", f"/{room}/sender", body=f'{{"n":{i}}}', conn=conn)
            expect(r.status == 200, f"POST {i}: {r.status} {r.text()}")
        r = request("POST", f"/{room}/sender", body='{"n":1024}', conn=conn)
        expect(r.status == 500 and
               r.text() == "Failed to send the message: Too many messages queued for the client\n",
               f"1025th: {r.status} {r.text()!r}")
    finally:
        conn.close()


async def check_register_timeout():
    """A record created by an HTTP POST that never registers is dropped after 10 s, with its
    queue (spec §2.5)."""
    room = uniq("ghost")
    r = request("POST", f"/{room}/ghost", body='{"type":"offer","from":"ghost"}')
    expect(r.status == 200, f"POST: {r.status}")
    await asyncio.sleep(REGISTER_WINDOW_S + 1.5)
    ws = await ws_open()
    await register(ws, room, "peer")
    await expect_silence(ws, 1.0)
    await ws.close()


async def check_vanished_client_leaves_room():
    """A client whose socket closed and did not register again within 10 s leaves the room
    server's room too (Espressif's behaviour, spec §4.3)."""
    room = uniq("vanish")
    a = join_ok(room)["client_id"]
    b = join_ok(room)["client_id"]
    wa, wb = await ws_open(), await ws_open()
    await registered(wa, room, a)
    await registered(wb, room, b)
    wb.transport.abort()
    await asyncio.sleep(0.5)
    j = join(room)
    expect(j["result"] == "FULL", f"within the window the room must stay full: {j['result']}")
    await asyncio.sleep(REGISTER_WINDOW_S + 1.0)
    p = join_ok(room)
    expect(p["is_initiator"] == "false", "a stays, so the newcomer is not initiator")
    await expect_open(wa)
    await wa.close()


async def check_connection_limit():
    """More than 1024 open connections: the rest get 503 with a reason, and the server
    recovers once they close."""
    total = 1100
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < total + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(total + 100, hard), hard))
    socks = []
    try:
        for _ in range(total):
            socks.append(socket.create_connection(("127.0.0.1", SD.port), timeout=5))
        for s in socks:
            s.setblocking(False)
        refused = set()
        deadline = time.time() + 10
        while len(refused) < total - 1024 and time.time() < deadline:
            await asyncio.sleep(0.2)
            for i, s in enumerate(socks):
                if i in refused:
                    continue
                try:
                    data = s.recv(4096)
                except BlockingIOError:
                    continue  # accepted: the server waits for a request
                if data.startswith(b"HTTP/1.1 503") and b"too many" in data:
                    refused.add(i)
        expect(len(refused) >= total - 1024, f"only {len(refused)} of {total} refused")
    finally:
        for s in socks:
            s.close()
    for _ in range(50):
        await asyncio.sleep(0.1)
        try:
            if join(uniq("after"))["result"] == "SUCCESS":
                return
        except (Check, OSError, http.client.HTTPException):
            pass
    raise Check("the server did not recover after the connections closed")


def check_flags(binary):
    r = subprocess.run([binary, "--bogus"], capture_output=True, text=True, timeout=10)
    expect(r.returncode == 2 and "--bogus" in r.stderr, f"--bogus: {r.returncode} {r.stderr!r}")
    r = subprocess.run([binary, "--turn-ttl", "zero"], capture_output=True, text=True, timeout=10)
    expect(r.returncode == 2 and "--turn-ttl" in r.stderr, f"--turn-ttl: {r.returncode}")
    r = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=10)
    expect(r.returncode == 0, f"--help exit {r.returncode}")
    for flag in ("--listen", "--web", "--stun", "--turn", "--turn-secret", "--turn-user",
                 "--turn-ttl", "--log-level", "--help"):
        expect(flag in r.stdout, f"--help does not document {flag}")


# ---- main ---------------------------------------------------------------------------------


async def run_checks():
    slow = {
        "register timeout drops an unregistered record": asyncio.ensure_future(
            check_register_timeout()),
        "vanished client leaves the room after 10 s": asyncio.ensure_future(
            check_vanished_client_leaves_room()),
    }
    quick = [
        ("join answer shapes and types", check_join_shapes),
        ("first joiner's messages stored for the second", check_stored_messages),
        ("third join is FULL", check_third_join_full),
        ("WebSocket without Origin is 403", check_ws_without_origin),
        ("register/send relay both ways", check_relay_both_ways),
        ("send before register: error and close", check_send_before_register),
        ("duplicate register request: error and close", check_duplicate_register),
        ("duplicate registration: error and close", check_duplicate_registration),
        ("register without ids: error and close", check_invalid_register),
        ("third client on the Collider: error and close", check_room_capacity),
        ("unknown cmd: error, stays open", check_unknown_cmd_stays_open),
        ("non-JSON frame: error and close", check_non_json_frame),
        ("send without msg: error and close", check_missing_msg),
        ("queued while the peer is away, flushed in order", check_queue_and_flush),
        ("HTTP POST relays, DELETE removes and closes", check_http_relay),
        ("/message to unknown room and client", check_message_unknown),
        ("malformed input gets 4xx with a reason", check_bad_input),
        ("oversized message refused, other rooms work", check_oversized_message),
        ("leave promotes the survivor", check_leave),
        ("bye is an alias of leave", check_bye_alias),
        ("dropped WebSocket re-registers within 10 s", check_reregister_resumes),
        ("ICE endpoint with TURN REST credentials", check_ice_endpoint),
        ("web pages and paths", check_web_pages),
        ("Collider status page", check_status_page),
        ("per-sender queue limit 1024", check_queue_limit),
    ]
    for name, fn in quick:
        try:
            await asyncio.wait_for(fn(), 30)
            report(name)
        except Exception as e:  # noqa: BLE001 - every failure is reported, then the rest run
            report(name, f"{type(e).__name__}: {e}")
    for name, task in slow.items():
        try:
            await asyncio.wait_for(task, 30)
            report(name)
        except Exception as e:  # noqa: BLE001
            report(name, f"{type(e).__name__}: {e}")
    # Last: while it runs, no other request could get through.
    try:
        await asyncio.wait_for(check_connection_limit(), 30)
        report("connections over 1024 get 503")
    except Exception as e:  # noqa: BLE001
        report("connections over 1024 get 503", f"{type(e).__name__}: {e}")


def main():
    global SD
    if len(sys.argv) != 2:
        print("usage: signald_protocol.py PATH-TO-edgertc-signald", file=sys.stderr)
        return 2
    binary = sys.argv[1]
    started = time.time()
    try:
        check_flags(binary)
        report("flags: exit 2 naming the flag, --help documents every flag")
    except Exception as e:  # noqa: BLE001
        report("flags: exit 2 naming the flag, --help documents every flag", str(e))
    try:
        SD = Signald(binary)
    except Exception as e:  # noqa: BLE001
        report("server starts and prints its address", str(e))
        return 1
    report("server starts and prints its address")
    try:
        asyncio.run(run_checks())
    finally:
        t0 = time.time()
        code = SD.stop()
        elapsed = time.time() - t0
        if code == 0 and elapsed < 3:
            report("SIGTERM: exit 0 promptly")
        else:
            report("SIGTERM: exit 0 promptly", f"exit {code} after {elapsed:.1f} s")
        time.sleep(0.2)  # let the collector threads read the last lines
        output = "".join(SD.output)
        if SECRET in output:
            report("TURN secret never in the output", "the secret appears in signald's output")
        else:
            report("TURN secret never in the output")
        if failures:
            print("---- signald output ----")
            print(output[-20000:])
    print(f"{len(failures)} failed, {time.time() - started:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
