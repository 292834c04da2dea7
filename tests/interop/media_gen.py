#!/usr/bin/python3
"""tests/interop/media_gen.py — test media made at test time (never committed).

    /usr/bin/python3 media_gen.py OUT_DIR [--seconds N] [--width W --height H] [--fps F]

Writes into OUT_DIR:
  video.h264  H.264 Constrained Baseline (profile_idc 66, constraint_set1), level 3.1, Annex-B,
              no B-frames, an IDR every second, with SPS/PPS before every IDR and an access unit
              delimiter before every access unit (libx264 through
              Debian's python3-av / ffmpeg). A moving test pattern, so every frame differs.
  audio.opus  Opus packets (libopus, 48 kHz stereo, 20 ms each) of a 440 Hz tone, in the
              simplest container a C program can read: each packet is a 2-byte big-endian
              length followed by that many bytes ("length-prefixed Opus", LPO).
Prints one line per file with its frame / packet count. Exit status 1 with the reason if
an encoder is missing: the Debian python3-av package brings libx264 and libopus.
"""
import argparse
import fractions
import math
import os
import struct
import sys

try:
    import av
    import numpy as np
except ImportError as e:  # a missing peer library is an error, never a skip
    sys.exit(f"media_gen: {e}: install the Debian packages python3-av and python3-numpy")

OPUS_RATE = 48000
OPUS_FRAME = 960  # 20 ms at 48 kHz


def make_video(path, seconds, width, height, fps):
    codec = av.CodecContext.create("libx264", "w")
    codec.width = width
    codec.height = height
    codec.pix_fmt = "yuv420p"
    codec.time_base = fractions.Fraction(1, fps)
    codec.framerate = fractions.Fraction(fps, 1)
    # baseline in x264 is Constrained Baseline; repeat-headers puts SPS/PPS before every IDR,
    # which a receiver joining late (or after a loss) needs; aud starts every access unit with
    # an access unit delimiter (pc_peer.c cuts the stream there).
    codec.options = {
        "profile": "baseline",
        "level": "3.1",
        "preset": "veryfast",
        "tune": "zerolatency",
        "x264-params": f"keyint={fps}:min-keyint={fps}:scenecut=0:bframes=0:repeat-headers=1:aud=1",
    }
    frames = 0
    yy, xx = np.mgrid[0:height, 0:width]
    with open(path, "wb") as out:
        for i in range(seconds * fps):
            # Moving diagonal bands in luma, slowly changing chroma.
            y = ((xx + yy + 4 * i) % 256).astype(np.uint8)
            u = np.full((height // 2, width // 2), (64 + 2 * i) % 256, np.uint8)
            v = np.full((height // 2, width // 2), (192 - 3 * i) % 256, np.uint8)
            frame = av.VideoFrame(width, height, "yuv420p")
            for plane, data in zip(frame.planes, (y, u, v)):
                rows = data.shape[0]
                buf = np.zeros((rows, plane.line_size), np.uint8)
                buf[:, : data.shape[1]] = data
                plane.update(buf.tobytes())
            frame.pts = i
            frame.time_base = codec.time_base
            for packet in codec.encode(frame):
                out.write(bytes(packet))
                frames += 1
        for packet in codec.encode(None):
            out.write(bytes(packet))
            frames += 1
    return frames


def make_audio(path, seconds):
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate = OPUS_RATE
    codec.layout = "stereo"
    codec.format = "s16"
    codec.bit_rate = 64000
    codec.time_base = fractions.Fraction(1, OPUS_RATE)
    packets = 0
    with open(path, "wb") as out:
        total = seconds * OPUS_RATE // OPUS_FRAME
        for i in range(total):
            t = (np.arange(OPUS_FRAME) + i * OPUS_FRAME) / OPUS_RATE
            tone = (0.3 * 32767 * np.sin(2 * math.pi * 440 * t)).astype(np.int16)
            stereo = np.stack([tone, tone], axis=1).reshape(1, -1)  # packed s16
            frame = av.AudioFrame.from_ndarray(stereo, format="s16", layout="stereo")
            frame.sample_rate = OPUS_RATE
            frame.pts = i * OPUS_FRAME
            frame.time_base = codec.time_base
            for packet in codec.encode(frame):
                data = bytes(packet)
                out.write(struct.pack(">H", len(data)) + data)
                packets += 1
        for packet in codec.encode(None):
            data = bytes(packet)
            out.write(struct.pack(">H", len(data)) + data)
            packets += 1
    return packets


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--width", type=int, default=320)
    ap.add_argument("--height", type=int, default=240)
    ap.add_argument("--fps", type=int, default=30)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    try:
        video = os.path.join(args.out_dir, "video.h264")
        n = make_video(video, args.seconds, args.width, args.height, args.fps)
        print(f"media_gen: {video}: {n} H.264 access units, {args.width}x{args.height} @ {args.fps}")
        audio = os.path.join(args.out_dir, "audio.opus")
        n = make_audio(audio, args.seconds)
        print(f"media_gen: {audio}: {n} Opus packets of 20 ms (length-prefixed)")
    except (av.AVError, ValueError) as e:
        sys.exit(f"media_gen: encoding failed: {e}")


if __name__ == "__main__":
    main()
