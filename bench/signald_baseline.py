#!/usr/bin/python3
"""The baseline of bench/signald_load: a Collider-style WebSocket relay on python3-websockets.

An independent, deliberately simple implementation of the Collider WebSocket protocol
(/work/shared/specs/apprtc.md §2.2-§2.4) on Debian's python3-websockets and plain asyncio,
so that edgertc-signald's figures have something to stand next to.

Usage: signald_baseline.py     listens on 127.0.0.1, port chosen by the system; prints
                               "BASELINE python <v> websockets <v>", then "PORT <n>" once ready.

What it does on GET /ws (Origin is not checked; the client sends one anyway):
  {"cmd":"register","roomid":R,"clientid":C}   binds the socket to (R, C); a room holds 2 clients
  {"cmd":"send","msg":M}                       relays {"msg":M,"error":""}+"\\n" to the other
                                               client of the room, or queues M on the sender
                                               until the other registers (as Collider does)
Errors are sent as {"msg":"","error":E}+"\\n" with Collider's texts. A client record is removed
when its socket closes: there is no 10 s register window, no HTTP relay and no /status.
"""
import asyncio
import json
import platform
import sys

import websockets

MAX_ROOM_CLIENTS = 2
MAX_QUEUED = 1024  # Collider's per-sender queue limit


class Client:
    def __init__(self, client_id, ws):
        self.id = client_id
        self.ws = ws
        self.queue = []  # what this client sent while the other could not take it


rooms = {}  # room id -> {client id -> Client}


def frame(msg, error=""):
    return json.dumps({"msg": msg, "error": error}, separators=(",", ":")) + "\n"


async def fail(ws, error):
    await ws.send(frame("", error))
    await ws.close()


async def register(ws, req):
    room_id, client_id = req.get("roomid"), req.get("clientid")
    if not isinstance(room_id, str) or not isinstance(client_id, str) or not room_id \
            or not client_id:
        await fail(ws, "Invalid register request: missing 'clientid' or 'roomid'")
        return None
    room = rooms.setdefault(room_id, {})
    if client_id not in room and len(room) >= MAX_ROOM_CLIENTS:
        await fail(ws, "Max room capacity reached")
        return None
    if client_id in room:
        await fail(ws, "Duplicated registration")
        return None
    me = Client(client_id, ws)
    room[client_id] = me
    for other in list(room.values()):
        if other is not me:
            queued, other.queue = other.queue, []
            for msg in queued:
                await ws.send(frame(msg))
    return room_id, me


async def relay(room_id, me, msg):
    for other in list(rooms.get(room_id, {}).values()):
        if other is not me:
            await other.ws.send(frame(msg))
            return
    if len(me.queue) < MAX_QUEUED:
        me.queue.append(msg)


async def handler(ws, path=None):
    if ws.path != "/ws":
        await ws.close(code=1008, reason="unknown path")
        return
    bound = None  # (room id, Client) after register
    try:
        async for text in ws:
            try:
                req = json.loads(text)
            except ValueError as e:
                await fail(ws, f"JSON receive error: {e}")
                return
            cmd = req.get("cmd") if isinstance(req, dict) else None
            if cmd == "register":
                if bound is not None:
                    await fail(ws, "Duplicated register request")
                    return
                bound = await register(ws, req)
                if bound is None:
                    return
            elif cmd == "send":
                if bound is None:
                    await fail(ws, "Client not registered")
                    return
                msg = req.get("msg")
                if not isinstance(msg, str) or not msg:
                    await fail(ws, "Invalid send request: missing 'msg'")
                    return
                try:
                    await relay(bound[0], bound[1], msg)
                except websockets.ConnectionClosed:
                    pass  # the other client left while we wrote to it
            else:
                await ws.send(frame("", "Invalid message: unexpected 'cmd'"))
    except websockets.ConnectionClosed:
        pass
    finally:
        if bound is not None:
            room = rooms.get(bound[0], {})
            if room.get(bound[1].id) is bound[1]:
                del room[bound[1].id]
            if not room:
                rooms.pop(bound[0], None)


async def main():
    async with websockets.serve(handler, "127.0.0.1", 0, max_size=512 * 1024,
                                ping_interval=None, compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"BASELINE python {platform.python_version()} websockets {websockets.__version__}")
        print(f"PORT {port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    sys.exit(0)
