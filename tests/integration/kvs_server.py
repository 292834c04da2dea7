#!/usr/bin/python3
"""A minimal stand-in for the KVS signaling service (Debian's python3-aiohttp), for
tests/integration/test_kvs_client.c. It plays just enough of specs/kvs-signaling.md to exercise
the client: the control plane (§1.2-§1.5), the data plane WebSocket (§3) and the AWS IoT
credentials provider (§4). The full emulator with SigV4 verification lives in edgertc-signald.

Usage:
  kvs_server.py --akid AKID [--iot-akid AKID]          plain HTTP + WebSocket on 127.0.0.1
  kvs_server.py --iot CERT KEY CLIENT_CA --thing NAME   the IoT credentials endpoint (mutual TLS)
Prints "PORT <n>" when ready.

Authentication is checked only as far as "signed with a key we know": the Authorization
header (POST) or X-Amz-Credential (WebSocket) must name one of the accepted key ids, else
403 AccessDeniedException. With the IoT key id the session token must be the IoT one.

Test hooks (POST, JSON answers):
  /test/stats                      call counters and connections
  /test/send?client=ID             the body is sent as is to a client (MASTER = the master)
  /test/drop?client=ID             the client's TCP connection is cut without a close frame
  /test/fail?api=NAME&status=N&count=K   the next K calls of an API answer N
  /test/skew?seconds=N             the server's clock runs N s ahead: its Date headers say so,
                                   and a request signed more than 5 min off gets the service's
                                   403 InvalidSignatureException "Signature expired"
"""
import argparse
import asyncio
import base64
import calendar
import email.utils
import json
import ssl
import sys
import time

from aiohttp import WSMsgType, web

IOT_TOKEN = "iot-session-token-" + "x" * 64
IOT_SECRET = "iotSecretKey0123456789"

stats = {"DescribeSignalingChannel": 0, "CreateSignalingChannel": 0,
         "GetSignalingChannelEndpoint": 0, "GetIceServerConfig": 0, "DeleteSignalingChannel": 0,
         "ws_connects": 0,
         "iot_calls": 0, "last_token": "", "relayed": 0, "skew_rejects": 0}
skew = 0  # seconds the server's clock is ahead
channels = {}      # name -> arn
conns = {}         # (arn, client id or "MASTER") -> WebSocketResponse
failures = {}      # api -> [status, count]
transports = {}    # WebSocketResponse -> its TCP transport (for /test/drop)
args = None


def error(status, etype, message):
    return web.json_response({"Message": message}, status=status,
                             headers={"x-amzn-ErrorType": etype + ":http://internal/"})


def authorized(request, credential):
    akid = credential.split("/")[0] if credential else ""
    if akid == args.akid:
        return True
    if args.iot_akid and akid == args.iot_akid:
        token = (request.headers.get("X-Amz-Security-Token")
                 or request.query.get("X-Amz-Security-Token", ""))
        stats["last_token"] = token
        return token == IOT_TOKEN
    return False


def post_auth(request):
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 Credential=") or "X-Amz-Date" not in request.headers:
        return False
    return authorized(request, auth[len("AWS4-HMAC-SHA256 Credential="):])


def signed_too_far_off(amz_date):
    try:
        t = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    except (TypeError, ValueError):
        return True
    return abs(t - (time.time() + skew)) > 300


@web.middleware
async def server_clock(request, handler):
    resp = await handler(request)
    if skew and not resp.prepared:
        resp.headers["Date"] = email.utils.formatdate(time.time() + skew, usegmt=True)
    return resp


def injected(api):
    f = failures.get(api)
    if f and f[1] > 0:
        f[1] -= 1
        return error(f[0], "InternalFailure" if f[0] >= 500 else "ClientLimitExceededException",
                     "injected failure")
    return None


def api_handler(api):
    async def handler(request):
        stats[api] += 1
        if not post_auth(request):
            return error(403, "AccessDeniedException", "User is not authorized")
        if signed_too_far_off(request.headers.get("X-Amz-Date")):
            stats["skew_rejects"] += 1
            return error(403, "InvalidSignatureException",
                         "Signature expired: " + request.headers.get("X-Amz-Date", "") +
                         " is now earlier than the allowed window")
        bad = injected(api)
        if bad is not None:
            return bad
        body = await request.json()
        host = f"127.0.0.1:{request.url.port}"
        if api == "DescribeSignalingChannel":
            name = body.get("ChannelName")
            if name not in channels:
                return error(404, "ResourceNotFoundException",
                             "The requested channel is not found or not active.")
            return web.json_response({"ChannelInfo": {
                "ChannelName": name, "ChannelARN": channels[name], "ChannelType": "SINGLE_MASTER",
                "ChannelStatus": "ACTIVE", "CreationTime": 1.7e9, "Version": "v1",
                "SingleMasterConfiguration": {"MessageTtlSeconds": 60}}})
        if api == "CreateSignalingChannel":
            name = body["ChannelName"]
            if name in channels:
                return error(400, "ResourceInUseException", "exists")
            channels[name] = f"arn:aws:kinesisvideo:us-west-2:123456789012:channel/{name}/1700000000000"
            return web.json_response({"ChannelARN": channels[name]})
        if api == "GetSignalingChannelEndpoint":
            if body.get("ChannelARN") not in channels.values():
                return error(404, "ResourceNotFoundException", "no such channel")
            return web.json_response({"ResourceEndpointList": [
                {"Protocol": "WSS", "ResourceEndpoint": f"ws://{host}"},
                {"Protocol": "HTTPS", "ResourceEndpoint": f"http://{host}"}]})
        if api == "DeleteSignalingChannel":
            for name, arn in list(channels.items()):
                if arn == body.get("ChannelARN"):
                    del channels[name]
                    return web.json_response({})
            return error(404, "ResourceNotFoundException", "no such channel")
        if api == "GetIceServerConfig":
            expiry = int(time.time()) + 300
            return web.json_response({"IceServerList": [{
                "Uris": ["turn:127.0.0.1:3478?transport=udp", "turns:127.0.0.1:5349?transport=tcp"],
                "Username": f"{expiry}:dGVzdA==", "Password": "turn-secret-password",
                "Ttl": 300}]})
        return web.json_response({})
    return handler


async def send_status(ws, correlation_id, code, etype, description):
    await ws.send_str(json.dumps({"messageType": "STATUS_RESPONSE", "statusResponse": {
        "correlationId": correlation_id, "errorType": etype, "statusCode": str(code),
        "description": description}}))


async def websocket(request):
    q = request.query
    arn = q.get("X-Amz-ChannelARN")
    if not authorized(request, q.get("X-Amz-Credential", "")) or "X-Amz-Signature" not in q:
        return web.Response(status=403, text="Forbidden")
    if signed_too_far_off(q.get("X-Amz-Date")):
        stats["skew_rejects"] += 1
        return web.Response(status=403, text="Signature expired")
    if arn not in channels.values():
        return web.Response(status=404, text="channel not found")
    me = q.get("X-Amz-ClientId") or "MASTER"
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    stats["ws_connects"] += 1
    transports[ws] = request.transport
    conns[(arn, me)] = ws  # the most recent connection takes precedence, as in the service
    try:
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            m = json.loads(msg.data)
            m = {k[0].lower() + k[1:]: v for k, v in m.items()}  # both capitalisations
            base64.b64decode(m["messagePayload"], validate=True)
            to = m.get("recipientClientId") if me == "MASTER" else "MASTER"
            peer = conns.get((arn, to))
            if peer is None or peer.closed:
                if m.get("correlationId"):
                    await send_status(ws, m["correlationId"], 400, "InvalidArgumentException",
                                      f"recipient {to} is not connected")
                continue
            out = {"messageType": m["action"], "messagePayload": m["messagePayload"]}
            if me != "MASTER":
                out["senderClientId"] = me
            stats["relayed"] += 1
            await peer.send_str(json.dumps(out))
    finally:
        if conns.get((arn, me)) is ws:
            del conns[(arn, me)]
        transports.pop(ws, None)
    return ws


async def root(request):
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return await websocket(request)
    return web.Response(status=400, text="not a WebSocket upgrade")


def find_conn(client):
    for (arn, who), ws in conns.items():
        if who == client and not ws.closed:
            return ws
    return None


async def hook_stats(request):
    s = dict(stats)
    s["connections"] = [who for (arn, who), ws in conns.items() if not ws.closed]
    return web.json_response(s)


async def hook_send(request):
    ws = find_conn(request.query["client"])
    if ws is None:
        return web.json_response({"ok": False})
    await ws.send_str(await request.text())
    return web.json_response({"ok": True})


async def hook_drop(request):
    ws = find_conn(request.query["client"])
    if ws is None:
        return web.json_response({"ok": False})
    transports[ws].abort()  # no close frame: a network drop
    return web.json_response({"ok": True})


async def hook_skew(request):
    global skew
    skew = int(request.query["seconds"])
    return web.json_response({"ok": True})


async def hook_fail(request):
    failures[request.query["api"]] = [int(request.query["status"]), int(request.query["count"])]
    return web.json_response({"ok": True})


async def iot_credentials(request):
    stats["iot_calls"] += 1
    thing = request.headers.get("x-amzn-iot-thingname")
    ttl = args.iot_ttl
    if thing == args.short_thing:
        ttl = 45  # refreshed every few seconds: 45 s less a 1-20 % jitter less 38 s
    elif thing != args.thing:
        return web.json_response({"message": "Invalid thing name passed"}, status=403)
    if request.match_info["alias"] != args.alias:
        return web.json_response({"message": "Role alias does not exist"}, status=404)
    exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + ttl))
    return web.json_response({"credentials": {
        "accessKeyId": "ASIAIOTTESTKEY000001", "secretAccessKey": IOT_SECRET,
        "sessionToken": IOT_TOKEN, "expiration": exp}})


async def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--akid", default="AKIDEXAMPLE")
    p.add_argument("--iot-akid", default=None)
    p.add_argument("--iot", nargs=3, metavar=("CERT", "KEY", "CLIENT_CA"))
    p.add_argument("--thing", default="camera-1")
    p.add_argument("--alias", default="kvs-role-alias")
    p.add_argument("--iot-ttl", type=int, default=3600)
    p.add_argument("--short-thing", default="short-lived-camera")
    args = p.parse_args()
    app = web.Application(middlewares=[server_clock])
    ctx = None
    if args.iot:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.iot[0], args.iot[1])
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(args.iot[2])
        app.router.add_get("/role-aliases/{alias}/credentials", iot_credentials)
        app.router.add_post("/test/stats", hook_stats)
    else:
        for api, path in [("DescribeSignalingChannel", "/describeSignalingChannel"),
                          ("CreateSignalingChannel", "/createSignalingChannel"),
                          ("GetSignalingChannelEndpoint", "/getSignalingChannelEndpoint"),
                          ("GetIceServerConfig", "/v1/get-ice-server-config"),
                          ("DeleteSignalingChannel", "/deleteSignalingChannel")]:
            app.router.add_post(path, api_handler(api))
        app.router.add_get("/", root)
        app.router.add_post("/test/stats", hook_stats)
        app.router.add_post("/test/send", hook_send)
        app.router.add_post("/test/drop", hook_drop)
        app.router.add_post("/test/fail", hook_fail)
        app.router.add_post("/test/skew", hook_skew)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ctx)
    await site.start()
    print(f"PORT {site._server.sockets[0].getsockname()[1]}", flush=True)
    await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
