"""tests/interop/peers_common.py — what the peer-pair harnesses share (peers_interop.py, the
bench/peer_connect.py benchmark): start two peer processes that speak the JSON-line protocol
of pc_pipe_peer.c / aiortc_pipe_peer.py, relay their signaling, wait for marks with timeouts,
and check what was received.

Every wait has a timeout and every failure raises PeerError with a sentence saying which
peer, which step and why, plus the tail of that peer's stderr.
"""
import asyncio
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"  # Debian's, with python3-aiortc and python3-av (TESTING.md)
AIORTC_PEER = os.path.join(HERE, "aiortc_pipe_peer.py")
MEDIA_GEN = os.path.join(HERE, "media_gen.py")
SIGNALING_TYPES = ("offer", "answer", "candidate", "end-of-candidates")


class PeerError(Exception):
    pass


class Peer:
    """One child process; its stdout lines are JSON, its stderr is kept (last 200 lines)."""

    def __init__(self, name, argv, verbose=False):
        self.name = name
        self.argv = argv
        self.verbose = verbose
        self.proc = None
        self.other = None  # the peer our signaling goes to
        self.marks = {}  # status event -> mono_us of its first occurrence
        self.mark_events = collections.defaultdict(asyncio.Event)
        self.stats = None
        self.stats_event = asyncio.Event()
        self.stderr_tail = collections.deque(maxlen=200)
        self.sent_lines = 0
        self.tasks = []
        self.returncode = None

    async def start(self):
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, limit=1 << 20)
        except OSError as e:
            raise PeerError(f"{self.name}: cannot start {self.argv[0]}: {e}") from e
        self.tasks.append(asyncio.ensure_future(self._read_stdout()))
        self.tasks.append(asyncio.ensure_future(self._read_stderr()))

    async def _read_stderr(self):
        while True:
            line = await self.proc.stderr.readline()
            if not line:
                return
            text = line.decode(errors="replace").rstrip()
            self.stderr_tail.append(text)
            if self.verbose:
                print(f"[{self.name}:err] {text}", file=sys.stderr, flush=True)

    async def _read_stdout(self):
        while True:
            line = await self.proc.stdout.readline()
            if not line:
                break
            try:
                msg = json.loads(line)
            except ValueError:
                self.stderr_tail.append(f"(non-JSON stdout) {line[:200]!r}")
                continue
            kind = msg.get("type")
            if self.verbose and kind != "candidate":
                shown = {k: v for k, v in msg.items() if k != "sdp"}
                print(f"[{self.name}] {json.dumps(shown)}", file=sys.stderr, flush=True)
                if "sdp" in msg and os.environ.get("PEERS_DUMP_SDP"):
                    print(f"[{self.name}] SDP:\n{msg['sdp']}", file=sys.stderr, flush=True)
            if kind in SIGNALING_TYPES:
                if self.other is not None:
                    await self.other.send(msg)
            elif kind == "status":
                event = msg.get("event", "?")
                if event not in self.marks:
                    self.marks[event] = msg.get("mono_us", 0)
                    self.marks[event + ":detail"] = msg.get("detail")
                self.mark_events[event].set()
            elif kind == "stats":
                self.stats = msg
                self.stats_event.set()
        self.returncode = await self.proc.wait()
        self.mark_events["exit"].set()

    async def send(self, msg):
        if self.proc is None or self.proc.stdin.is_closing():
            return
        try:
            self.proc.stdin.write((json.dumps(msg) + "\n").encode())
            await self.proc.stdin.drain()
            self.sent_lines += 1
        except (BrokenPipeError, ConnectionResetError):
            pass

    def tail(self, n=40):
        lines = list(self.stderr_tail)[-n:]
        return "\n".join(f"    {line}" for line in lines) or "    (no stderr)"

    def why(self, step):
        detail = self.marks.get("failed:detail")
        exited = f", exited with {self.returncode}" if self.returncode is not None else ""
        reason = f" ({detail})" if detail else ""
        return f"{self.name}: {step}{reason}{exited}; its stderr ends with:\n{self.tail()}"

    async def wait_mark(self, event, timeout, step):
        """Waits for a status event; fails fast if the peer fails or exits first."""
        waits = [asyncio.ensure_future(self.mark_events[e].wait())
                 for e in (event, "failed", "exit")]
        if self.other is not None:  # the remote failing ends the wait too, with its reason
            waits += [asyncio.ensure_future(self.other.mark_events[e].wait())
                      for e in ("failed", "exit")]
        done, pending = await asyncio.wait(waits, timeout=timeout,
                                           return_when=asyncio.FIRST_COMPLETED)
        for p in pending:
            p.cancel()
        if event in self.marks:
            return self.marks[event]
        if not done:
            raise PeerError(self.why(f"no '{event}' within {timeout:g} s while {step}"))
        if self.other is not None and ("failed" in self.other.marks or
                                       self.other.mark_events["exit"].is_set()):
            raise PeerError(self.other.why(f"failed while {self.name} was {step}"))
        raise PeerError(self.why(f"failed before '{event}' while {step}"))

    async def stop(self, timeout=10):
        """bye, then end of stdin; returns the stats line (waits for the exit)."""
        if self.proc is None:
            return None
        await self.send({"type": "bye"})
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            await asyncio.wait_for(self.mark_events["exit"].wait(), timeout)
        except asyncio.TimeoutError:
            self.kill()
            raise PeerError(self.why(f"did not exit within {timeout} s of bye"))
        return self.stats

    def kill(self):
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()

    async def close(self):
        self.kill()
        if self.proc is not None:
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
            except asyncio.TimeoutError:
                pass
        for t in self.tasks:
            t.cancel()


async def connect_pair(offerer, answerer, timeout):
    """Starts the answerer, then the offerer, relays signaling between them and waits until both
    report connected. Returns (offerer, answerer) with their marks."""
    offerer.other = answerer
    answerer.other = offerer
    await answerer.start()
    await answerer.wait_mark("ready", timeout, "starting up")
    await offerer.start()
    await offerer.wait_mark("ready", timeout, "starting up")
    await answerer.wait_mark("offer-received", timeout, "waiting for the offer")
    await offerer.wait_mark("answer-received", timeout, "waiting for the answer")
    await answerer.wait_mark("connected", timeout, "connecting (ICE + DTLS)")
    await offerer.wait_mark("connected", timeout, "connecting (ICE + DTLS)")
    return offerer, answerer


def make_media(out_dir, seconds=3):
    """Runs media_gen.py; returns (video.h264, audio.opus) paths."""
    r = subprocess.run([PYTHON, MEDIA_GEN, out_dir, "--seconds", str(seconds)],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise PeerError(f"media_gen.py failed ({r.returncode}): {r.stderr.strip() or r.stdout}")
    return os.path.join(out_dir, "video.h264"), os.path.join(out_dir, "audio.opus")


def annexb_units(path):
    """(access units, IDR access units, NAL type counts) of an Annex-B file written one whole
    access unit at a time; an access unit here starts at an AUD/SPS/PPS/SEI after a slice, or
    at a slice with first_mb_in_slice 0."""
    data = open(path, "rb").read()
    nals = []
    i = 0
    n = len(data)
    starts = []
    while i + 3 <= n:
        if data[i] == 0 and data[i + 1] == 0 and data[i + 2] == 1:
            starts.append(i + 3)
            i += 3
        else:
            i += 1
    for k, s in enumerate(starts):
        end = starts[k + 1] - 3 if k + 1 < len(starts) else n
        nals.append(data[s:end])
    units = idr_units = 0
    have_slice = unit_idr = False
    types = collections.Counter()
    for nal in nals:
        if not nal:
            continue
        t = nal[0] & 0x1F
        types[t] += 1
        vcl = 1 <= t <= 5
        first = vcl and len(nal) > 1 and nal[1] & 0x80
        if have_slice and (t in (6, 7, 8, 9) or 14 <= t <= 18 or first):
            units += 1
            idr_units += unit_idr
            have_slice = unit_idr = False
        have_slice = have_slice or vcl
        unit_idr = unit_idr or t == 5
    if have_slice:
        units += 1
        idr_units += unit_idr
    return units, idr_units, dict(types)


def decode_annexb(path):
    """Frames python3-av (ffmpeg's h264 decoder) decodes from an Annex-B file, and their size;
    raises PeerError when nothing decodes."""
    import av  # Debian python3-av

    frames = 0
    size = None
    try:
        with av.open(path, format="h264") as c:
            for frame in c.decode(video=0):
                frames += 1
                size = size or f"{frame.width}x{frame.height}"
    except av.AVError as e:
        if frames == 0:
            raise PeerError(f"python3-av cannot decode {path}: {e}") from e
    return frames, size


def decode_opus_lp(path):
    """Decodes a length-prefixed Opus file with python3-av (libopus); returns decoded frames."""
    import av

    data = open(path, "rb").read()
    codec = av.CodecContext.create("opus", "r")
    codec.sample_rate = 48000
    codec.layout = "stereo"
    frames = off = 0
    while off + 2 <= len(data):
        ln = (data[off] << 8) | data[off + 1]
        pkt = av.Packet(data[off + 2: off + 2 + ln])
        off += 2 + ln
        try:
            frames += len(codec.decode(pkt))
        except av.AVError:
            pass
    return frames
