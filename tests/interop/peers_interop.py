#!/usr/bin/python3
"""tests/interop/peers_interop.py — edgertc's peer connection (pc_pipe_peer) against aiortc and
against itself, two processes, signaling relayed here. Run inside run-in-netns.sh.

    peers_interop.py SCENARIO --pipe-peer PATH [--offerer edgertc|aiortc] [--require-audio]
                     [--edgertc-video-only] [--media-seconds N] [--verbose]

SCENARIO
  aiortc-receives  edgertc sends the H.264 (and Opus) test media made by media_gen.py; aiortc
                   decodes it. Pass: aiortc decoded video frames > 0 (audio frames > 0 with
                   --require-audio).
  aiortc-sends     aiortc sends H.264 (and Opus) it encodes itself; edgertc reassembles whole
                   access units into an Annex-B file. Pass: frames received > 0 including an
                   IDR, the file holds whole access units with an IDR, and python3-av decodes it
                   (audio: packets received and decodable with --require-audio).
  edgertc-pair     two pc_pipe_peer processes on 127.0.0.1, each sending the test media and
                   receiving the other's. Pass: both receive and python3-av decodes both files.

--edgertc-video-only (aiortc-receives, aiortc offering): edgertc has video only, aiortc offers
audio and video. edgertc answers the audio m-section inactive (bundled), as a browser answers a
transceiver without a track: aiortc 1.4 refused an answer rejecting it with port 0 ("ICE
username fragment or password is missing"), and even a complete rejected section leaves aiortc
waiting for ICE on that section's own unbundled transport for ever. Pass: aiortc accepts the
answer, connects and decodes video.

The test media is made at test time in a temporary directory (never committed). Exit 0 on
success; 1 with a sentence saying which peer failed at which step, and its log tail.
"""
import argparse
import asyncio
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peers_common import (AIORTC_PEER, PYTHON, Peer, PeerError, annexb_units,  # noqa: E402
                          connect_pair, decode_annexb, decode_opus_lp, make_media)

IFACE = "10.77.0.1"  # run-in-netns.sh's address; aiortc gathers on the namespace's addresses
CONNECT_TIMEOUT = 20
HARD_TIMEOUT = 100


def log(msg):
    print(f"[peers_interop] {msg}", flush=True)


def check(cond, msg):
    if not cond:
        raise PeerError(msg)


def edgertc_argv(args, role, name, extra):
    return [args.pipe_peer, "--role", role, "--name", name, "--seconds", "60"] + extra


def aiortc_argv(role, name, extra):
    return [PYTHON, AIORTC_PEER, "--role", role, "--name", name, "--seconds", "60"] + extra


async def run_pair(args, off_argv, off_name, ans_argv, ans_name):
    offerer = Peer(off_name, off_argv, args.verbose)
    answerer = Peer(ans_name, ans_argv, args.verbose)
    try:
        await connect_pair(offerer, answerer, CONNECT_TIMEOUT)
        took = (answerer.marks["connected"] - answerer.marks["offer-received"]) / 1000
        log(f"connected: {off_name} offered, {ans_name} answered; offer received -> connected "
            f"{took:.1f} ms at {ans_name}")
        await asyncio.sleep(args.media_seconds)
        for p in (offerer, answerer):
            if "failed" in p.marks:
                raise PeerError(p.why("failed while media flowed"))
        stats = {}
        for p in (offerer, answerer):
            stats[p.name] = await p.stop()
            check(stats[p.name] is not None, p.why("printed no stats line"))
            # Non-zero also when a sanitizer build found a leak or an error at exit.
            check(p.returncode == 0, p.why(f"exit status {p.returncode}"))
            log(f"{p.name} stats: {stats[p.name]}")
        if answerer.marks.get("audio-unsupported") or offerer.marks.get("audio-unsupported"):
            log("note: edgertc reported audio-unsupported (ertc_pc_send_audio_frame)")
        return stats
    finally:
        await offerer.close()
        await answerer.close()


async def aiortc_receives(args, work):
    video, audio = make_media(work)
    ed_extra = ["--interface", IFACE, "--video-in", video]
    if not args.edgertc_video_only:
        ed_extra += ["--audio-in", audio]
    ai_extra = ["--receive-video"]
    if args.require_audio or args.edgertc_video_only:
        ai_extra.append("--receive-audio")  # video-only: an audio m-section for edgertc to reject
    if args.offerer == "edgertc":
        stats = await run_pair(args, edgertc_argv(args, "offer", "edgertc", ed_extra), "edgertc",
                               aiortc_argv("answer", "aiortc", ai_extra), "aiortc")
    else:
        stats = await run_pair(args, aiortc_argv("offer", "aiortc", ai_extra), "aiortc",
                               edgertc_argv(args, "answer", "edgertc", ed_extra), "edgertc")
    ed, ai = stats["edgertc"], stats["aiortc"]
    check(ed["video_frames_sent"] > 0, f"edgertc sent no video frame: {ed}")
    check(ai["video_frames_received"] > 0,
          f"aiortc decoded no video frame of the {ed['video_frames_sent']} edgertc sent "
          f"({ed['rtp_packets_sent']} RTP packets): aiortc stats {ai}")
    log(f"aiortc decoded {ai['video_frames_received']} video frames ({ai['video_size']}) of "
        f"{ed['video_frames_sent']} sent; {ai['audio_frames_received']} audio frames")
    if args.require_audio:
        check(ed["audio_frames_sent"] > 0, f"edgertc sent no audio frame: {ed}")
        check(ai["audio_frames_received"] > 0, f"aiortc decoded no audio frame: {ai}")


async def aiortc_sends(args, work):
    out_v = os.path.join(work, "received.h264")
    out_a = os.path.join(work, "received.opus")
    ed_extra = ["--interface", IFACE, "--receive-video", "--receive-audio",
                "--video-out", out_v, "--audio-out", out_a]
    ai_extra = ["--send-video"] + (["--send-audio"] if args.require_audio else [])
    if args.offerer == "edgertc":
        stats = await run_pair(args, edgertc_argv(args, "offer", "edgertc", ed_extra), "edgertc",
                               aiortc_argv("answer", "aiortc", ai_extra), "aiortc")
    else:
        stats = await run_pair(args, aiortc_argv("offer", "aiortc", ai_extra), "aiortc",
                               edgertc_argv(args, "answer", "edgertc", ed_extra), "edgertc")
    ed, ai = stats["edgertc"], stats["aiortc"]
    check_received(ed, out_v, out_a, "edgertc", f"aiortc (codec {ai.get('video_codec')}, "
                   f"{ai.get('video_packets_sent')} packets sent)", args.require_audio)


def check_received(st, out_v, out_a, name, sender, require_audio):
    check(st["video_frames_received"] > 0,
          f"{name} reassembled no video frame from {sender}: {name} stats {st}")
    check(st["video_keyframes_received"] > 0,
          f"{name} reassembled {st['video_frames_received']} frames but no IDR from {sender}")
    units, idr_units, types = annexb_units(out_v)
    check(units == st["video_frames_received"],
          f"{out_v} holds {units} access units but {name} reported "
          f"{st['video_frames_received']} frames (NAL types {types})")
    check(idr_units > 0, f"{out_v}: no access unit with an IDR slice (NAL types {types})")
    frames, size = decode_annexb(out_v)
    check(frames > 0, f"python3-av decoded no frame from {out_v}")
    log(f"{name}: {st['video_frames_received']} whole access units from {sender} "
        f"({idr_units} with an IDR, NAL types {types}); python3-av decoded {frames} frames "
        f"({size})")
    if require_audio:
        check(st["audio_frames_received"] > 0, f"{name} received no Opus packet from {sender}")
        decoded = decode_opus_lp(out_a)
        check(decoded > 0, f"libopus decoded none of {name}'s {st['audio_frames_received']} "
                           f"received Opus packets")
        log(f"{name}: {st['audio_frames_received']} Opus packets, {decoded} decoded")


async def edgertc_pair(args, work):
    video, audio = make_media(work)
    argv = {}
    for role, name in (("offer", "edgertc-offerer"), ("answer", "edgertc-answerer")):
        argv[name] = edgertc_argv(args, role, name, [
            "--interface", "127.0.0.1", "--loopback", "--video-in", video, "--audio-in", audio,
            "--receive-video", "--receive-audio",
            "--video-out", os.path.join(work, f"{name}.h264"),
            "--audio-out", os.path.join(work, f"{name}.opus")])
    stats = await run_pair(args, argv["edgertc-offerer"], "edgertc-offerer",
                           argv["edgertc-answerer"], "edgertc-answerer")
    for rx, tx in (("edgertc-offerer", "edgertc-answerer"), ("edgertc-answerer", "edgertc-offerer")):
        check_received(stats[rx], os.path.join(work, f"{rx}.h264"),
                       os.path.join(work, f"{rx}.opus"), rx,
                       f"{tx} ({stats[tx]['video_frames_sent']} frames sent)", args.require_audio)


async def main_async(args):
    scenarios = {"aiortc-receives": aiortc_receives, "aiortc-sends": aiortc_sends,
                 "edgertc-pair": edgertc_pair}
    with tempfile.TemporaryDirectory(prefix="peers_interop-") as work:
        await scenarios[args.scenario](args, work)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", choices=("aiortc-receives", "aiortc-sends", "edgertc-pair"))
    ap.add_argument("--pipe-peer", required=True)
    ap.add_argument("--offerer", choices=("edgertc", "aiortc"), default="edgertc")
    ap.add_argument("--require-audio", action="store_true")
    ap.add_argument("--edgertc-video-only", action="store_true")
    ap.add_argument("--media-seconds", type=float, default=4)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if args.edgertc_video_only and (args.scenario != "aiortc-receives" or args.require_audio
                                    or args.offerer != "aiortc"):
        ap.error("--edgertc-video-only goes with aiortc-receives --offerer aiortc, "
                 "without --require-audio")
    if not os.access(args.pipe_peer, os.X_OK):
        sys.exit(f"[peers_interop] FAIL: {args.pipe_peer} is not an executable")
    what = f"{args.scenario} (offerer {args.offerer})"
    try:
        asyncio.run(asyncio.wait_for(main_async(args), HARD_TIMEOUT))
    except asyncio.TimeoutError:
        print(f"[peers_interop] FAIL {what}: hard timeout of {HARD_TIMEOUT} s", flush=True)
        sys.exit(1)
    except PeerError as e:
        print(f"[peers_interop] FAIL {what}: {e}", flush=True)
        sys.exit(1)
    log(f"PASS {what}")


if __name__ == "__main__":
    main()
