#!/usr/bin/python3
"""bench/peer_connect.py — offer received to DTLS connected, two processes, edgertc next to
aiortc measured the same way in the same run.

    peer_connect.py --pipe-peer PATH [--runs N]     (inside tests/interop/run-in-netns.sh)

Each run starts two peer processes that speak the JSON-line protocol of
tests/interop/pc_pipe_peer.c (edgertc) or tests/interop/aiortc_pipe_peer.py (Debian
python3-aiortc 1.4), relays their signaling (tests/interop/peers_common.py), waits until both
report connected, and stops them. The clock is CLOCK_MONOTONIC, read by the peers themselves:
  answerer  = the answerer's "offer-received" mark -> the answerer's "connected" mark
  both      = the answerer's "offer-received" mark -> the later of the two "connected" marks
"connected" is edgertc's CONNECTED (ICE pair selected, DTLS done, SRTP keys made) and aiortc's
connectionState "connected" (ICE and DTLS transports connected). Process start and certificate
generation happen before the offer, so they are not in the figures.

Pairs, interleaved run by run so that machine load hits each alike:
  edgertc -> edgertc   pc_pipe_peer offers, pc_pipe_peer answers
  aiortc  -> aiortc    the baseline: aiortc_pipe_peer on both sides
  edgertc-warm -> ...  the same with pc_pipe_peer --warm-srtp (an SRTP session made and freed
                       at start). ertc_pc_create now runs libsrtp2's one-time set-up itself
                       (ertc_srtp_prepare), so this row should match the first one; it stays
                       to show that (before, the set-up ran after the DTLS handshake: ~200 ms)
  aiortc  -> edgertc   aiortc offers, edgertc answers (the device's usual role)
The addresses are those of the private namespace (10.77.0.1 and 10.77.0.2, both local to it,
so the traffic takes the loopback path); aiortc gathers on both, and ignores 127.0.0.1.
The offerer sends video once connected (it does not change the figures; a session needs a
track). Prints a table; never fails on timing, exit 1 only if no run of a pair connected.
"""
import argparse
import asyncio
import math
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "interop"))
from peers_common import (AIORTC_PEER, PYTHON, Peer, PeerError, connect_pair,  # noqa: E402
                          make_media)

IFACE = "10.77.0.1"
TIMEOUT = 20


def argv_for(kind, role, pipe_peer, video):
    if kind.startswith("edgertc"):
        extra = ["--video-in", video] if role == "offer" else ["--receive-video"]
        if kind == "edgertc-warm":
            extra.append("--warm-srtp")
        return [pipe_peer, "--role", role, "--interface", IFACE, "--seconds", "30",
                "--name", f"edgertc-{role}"] + extra
    extra = ["--send-video"] if role == "offer" else ["--receive-video"]
    return [PYTHON, AIORTC_PEER, "--role", role, "--seconds", "30",
            "--name", f"aiortc-{role}"] + extra


async def one_run(offer_kind, answer_kind, pipe_peer, video):
    off = Peer("offerer", argv_for(offer_kind, "offer", pipe_peer, video))
    ans = Peer("answerer", argv_for(answer_kind, "answer", pipe_peer, video))
    try:
        await connect_pair(off, ans, TIMEOUT)
        t0 = ans.marks["offer-received"]
        a = (ans.marks["connected"] - t0) / 1000.0
        b = (max(ans.marks["connected"], off.marks["connected"]) - t0) / 1000.0
        await off.stop()
        await ans.stop()
        return a, b, None
    except PeerError as e:
        return None, None, str(e).split("\n")[0]
    finally:
        await off.close()
        await ans.close()


def pct(values, p):
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


async def main_async(args):
    pairs = [("edgertc", "edgertc"), ("edgertc-warm", "edgertc-warm"), ("aiortc", "aiortc"),
             ("aiortc", "edgertc")]
    results = {p: {"answerer": [], "both": [], "errors": []} for p in pairs}
    with tempfile.TemporaryDirectory(prefix="peer_connect-") as work:
        video, _ = make_media(work, seconds=1)
        for i in range(args.runs):
            for p in pairs:
                a, b, err = await one_run(p[0], p[1], args.pipe_peer, video)
                if err is not None:
                    results[p]["errors"].append(err)
                else:
                    results[p]["answerer"].append(a)
                    results[p]["both"].append(b)
            if (i + 1) % 10 == 0:
                print(f"  {i + 1}/{args.runs} runs", file=sys.stderr, flush=True)
    print(f"Offer received -> DTLS connected, ms ({args.runs} runs per pair, two processes, "
          f"host candidates in a private namespace)\n")
    print(f"{'offerer -> answerer':<30} {'ok':>5} | {'answerer connected':^29} | "
          f"{'both connected':^29}")
    print(f"{'':<30} {'':>5} | {'median':>9} {'p95':>9} {'max':>9} | "
          f"{'median':>9} {'p95':>9} {'max':>9}")
    print("-" * 100)
    any_ok = True
    for p in pairs:
        r = results[p]
        name = f"{p[0]} -> {p[1]}" + ("  (baseline)" if p == ("aiortc", "aiortc") else "")
        ok = len(r["answerer"])
        if ok == 0:
            any_ok = False
            print(f"{name:<30} {ok:>2}/{args.runs:<2} | no run connected")
            continue
        cells = []
        for key in ("answerer", "both"):
            v = r[key]
            cells.append(f"{statistics.median(v):9.1f} {pct(v, 95):9.1f} {max(v):9.1f}")
        print(f"{name:<30} {ok:>2}/{args.runs:<2} | {cells[0]} | {cells[1]}")
    for p in pairs:
        for err in sorted(set(results[p]["errors"]))[:3]:
            print(f"  {p[0]} -> {p[1]} failed run: {err}")
    return 0 if any_ok else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipe-peer", required=True)
    ap.add_argument("--runs", type=int, default=int(os.environ.get("PEER_CONNECT_RUNS", "50")))
    args = ap.parse_args()
    sys.exit(asyncio.run(main_async(args)))


if __name__ == "__main__":
    main()
