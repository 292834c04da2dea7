#!/usr/bin/python3
"""tests/interop/aiortc_pipe_peer.py — an aiortc (Debian python3-aiortc 1.4) peer speaking the
same stdin/stdout JSON-line protocol as tests/interop/pc_pipe_peer.c, so one harness can pair
any two of them (peers_run.py) and the connect-time benchmark can measure both the same way.

    /usr/bin/python3 aiortc_pipe_peer.py --role offer|answer [--send-video] [--send-audio]
        [--receive-video] [--receive-audio] [--seconds N] [--name NAME]

stdin:  {"type":"offer"|"answer","sdp"}, {"type":"candidate","candidate"},
        {"type":"end-of-candidates"}, {"type":"bye"} (or end of file)
stdout: {"type":"offer"|"answer","sdp"} (candidates inside, aiortc does not trickle) then
        {"type":"end-of-candidates"}; {"type":"status","event","mono_us"} with events ready,
        offer-received, answer-received, connected, failed; {"type":"stats",...} at the end.

aiortc 1.4 cannot take trickled candidates before it starts its checks (aioice fails a check
list that is empty when connect() begins), so a remote description is held until the remote's
end-of-candidates and its candidates are written into it as a=candidate lines: the usual
non-trickle exchange. The hold is short (edgertc reports its host candidates right after its
description) and happens after the offer-received mark, so it counts in aiortc's connect time.

Sent media: --send-video a moving 320x240 test pattern at 30 fps, which aiortc encodes itself
(H.264 when that is what the answer chose); --send-audio a 440 Hz tone, 20 ms frames.
Received media is decoded by aiortc (python3-av) and the decoded frames are counted.
No ICE servers: only host candidates on the addresses of the test's namespace.
"""
import argparse
import asyncio
import fractions
import json
import logging
import math
import sys
import time

try:
    import av
    import numpy as np
    from aiortc import (MediaStreamTrack, RTCConfiguration, RTCPeerConnection,
                        RTCSessionDescription, VideoStreamTrack)
    from aiortc.mediastreams import MediaStreamError
except ImportError as e:  # a missing peer is an error, never a skip
    sys.exit(f"aiortc_pipe_peer: {e}: install the Debian packages python3-aiortc and python3-av")

NAME = "aiortc"


def mono_us():
    return time.monotonic_ns() // 1000  # CLOCK_MONOTONIC, like pc_pipe_peer's marks


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def status(event, **extra):
    emit({"type": "status", "event": event, "mono_us": mono_us(), **extra})


def note(msg):
    print(f"aiortc_pipe_peer[{NAME}]: {msg}", file=sys.stderr, flush=True)


class PatternTrack(VideoStreamTrack):
    """320x240 diagonal bands moving one step per frame."""

    def __init__(self):
        super().__init__()
        self.count = 0
        yy, xx = np.mgrid[0:240, 0:320]
        self.base = (xx + yy).astype(np.uint16)

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        img = np.zeros((240, 320, 3), np.uint8)
        img[:, :, 0] = ((self.base + 4 * self.count) % 256).astype(np.uint8)
        img[:, :, 1] = (self.count * 3) % 256
        img[:, :, 2] = 128
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts = pts
        frame.time_base = time_base
        self.count += 1
        return frame


class ToneTrack(MediaStreamTrack):
    """A 440 Hz tone, 48 kHz mono, 20 ms frames in real time."""

    kind = "audio"

    def __init__(self):
        super().__init__()
        self.samples = 0
        self.start = None

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        n = 960
        if self.start is None:
            self.start = time.time()
        else:
            await asyncio.sleep(max(0.0, self.start + self.samples / 48000 - time.time()))
        t = (np.arange(n) + self.samples) / 48000
        pcm = (0.3 * 32767 * np.sin(2 * math.pi * 440 * t)).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = 48000
        frame.pts = self.samples
        frame.time_base = fractions.Fraction(1, 48000)
        self.samples += n
        return frame


def with_candidates(sdp, candidates):
    """The SDP with a=candidate lines and a=end-of-candidates in every m-section."""
    extra = [f"a={c}" if not c.startswith("a=") else c for c in candidates]
    extra.append("a=end-of-candidates")
    out = []
    lines = sdp.replace("\r\n", "\n").rstrip("\n").split("\n")
    in_media = False
    for line in lines:
        if line.startswith("m=") and in_media:
            out.extend(extra)
        if line.startswith("m="):
            in_media = True
        out.append(line)
    if in_media:
        out.extend(extra)
    return "\r\n".join(out) + "\r\n"


class Peer:
    def __init__(self, args):
        self.args = args
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.done = asyncio.Event()
        self.connected = False
        self.failed = None
        self.remote = None  # (type, sdp) held until end-of-candidates
        self.remote_candidates = []
        self.remote_applied = False
        self.stats = {"video_frames_received": 0, "audio_frames_received": 0,
                      "video_size": None, "video_frames_sent": 0}
        self.tasks = []
        self.video_track = None
        self.pc.on("connectionstatechange", self.on_state)
        self.pc.on("track", self.on_track)

    def on_state(self):
        state = self.pc.connectionState
        note(f"connectionState {state}")
        if state == "connected" and not self.connected:
            self.connected = True
            status("connected")
        elif state == "failed":
            self.fail("aiortc connectionState failed")

    def fail(self, reason):
        if self.failed is None:
            self.failed = reason
            note(f"FAILED: {reason}")
            status("failed", detail=reason)
        self.done.set()

    def on_track(self, track):
        note(f"remote {track.kind} track")
        self.tasks.append(asyncio.ensure_future(self.consume(track)))

    async def consume(self, track):
        key = f"{track.kind}_frames_received"
        try:
            while True:
                frame = await track.recv()
                self.stats[key] += 1
                if track.kind == "video" and self.stats["video_size"] is None:
                    self.stats["video_size"] = f"{frame.width}x{frame.height}"
        except MediaStreamError:
            pass

    def add_local_tracks(self):
        if self.args.send_video:
            self.video_track = PatternTrack()
            self.pc.addTrack(self.video_track)
        elif self.args.receive_video and self.args.role == "offer":
            self.pc.addTransceiver("video", direction="recvonly")
        if self.args.send_audio:
            self.pc.addTrack(ToneTrack())
        elif self.args.receive_audio and self.args.role == "offer":
            self.pc.addTransceiver("audio", direction="recvonly")

    async def send_local(self):
        desc = self.pc.localDescription  # gathering is complete: candidates are inside
        emit({"type": desc.type, "sdp": desc.sdp})
        emit({"type": "end-of-candidates"})

    async def start(self):
        status("ready")
        if self.args.role == "offer":
            self.add_local_tracks()
            await self.pc.setLocalDescription(await self.pc.createOffer())
            await self.send_local()

    async def apply_remote(self):
        kind, sdp = self.remote
        self.remote_applied = True
        sdp = with_candidates(sdp, self.remote_candidates)
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=kind))
            if kind == "offer":
                self.add_local_tracks()
                await self.pc.setLocalDescription(await self.pc.createAnswer())
                await self.send_local()
        except Exception as e:  # aiortc raises plain ValueError etc. on SDP it refuses
            self.fail(f"remote {kind} refused by aiortc: {type(e).__name__}: {e}")

    async def on_line(self, msg):
        kind = msg.get("type")
        if kind in ("offer", "answer"):
            status(f"{kind}-received")
            self.remote = (kind, msg.get("sdp", ""))
        elif kind == "candidate":
            if self.remote_applied:
                note("candidate after end-of-candidates ignored")
            else:
                self.remote_candidates.append(msg.get("candidate", ""))
        elif kind == "end-of-candidates":
            if self.remote is None:
                self.fail("end-of-candidates before the remote description")
            elif not self.remote_applied:
                await self.apply_remote()
        elif kind == "bye":
            self.done.set()
        else:
            note(f"ignoring a line of type {kind!r}")

    async def read_stdin(self):
        reader = asyncio.StreamReader(limit=1 << 20)
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while not self.done.is_set():
            line = await reader.readline()
            if not line:
                note("stdin closed: stopping")
                break
            if line.strip():
                try:
                    msg = json.loads(line)
                except ValueError as e:
                    self.fail(f"stdin line is not JSON: {e}")
                    break
                await self.on_line(msg)
        self.done.set()

    async def final_stats(self):
        try:
            report = await self.pc.getStats()
            for s in report.values():
                if s.type == "inbound-rtp":
                    self.stats[f"{s.kind}_packets_received"] = s.packetsReceived
                elif s.type == "outbound-rtp":
                    self.stats[f"{s.kind}_packets_sent"] = s.packetsSent
        except Exception as e:  # stats are a report aid, not a result
            note(f"getStats: {e}")
        for t in self.pc.getTransceivers():
            codecs = getattr(t, "_codecs", None) or []
            if codecs:
                self.stats[f"{t.kind}_codec"] = codecs[0].mimeType
        if self.video_track is not None:
            self.stats["video_frames_sent"] = self.video_track.count
        emit({"type": "stats", "connected": self.connected, "failed": self.failed is not None,
              "fail_reason": self.failed or "", **self.stats})


async def run(args):
    peer = Peer(args)
    reader = asyncio.ensure_future(peer.read_stdin())
    await peer.start()
    try:
        await asyncio.wait_for(peer.done.wait(), timeout=args.seconds)
    except asyncio.TimeoutError:
        if not peer.connected:
            peer.fail(f"not connected within {args.seconds} s")
    await peer.final_stats()
    reader.cancel()
    for t in peer.tasks:
        t.cancel()
    await peer.pc.close()
    return 0 if peer.connected and peer.failed is None else 1


def main():
    global NAME
    ap = argparse.ArgumentParser()
    ap.add_argument("--role", choices=("offer", "answer"), required=True)
    ap.add_argument("--send-video", action="store_true")
    ap.add_argument("--send-audio", action="store_true")
    ap.add_argument("--receive-video", action="store_true")
    ap.add_argument("--receive-audio", action="store_true")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--name", default="aiortc")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    NAME = args.name
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, stream=sys.stderr)
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
