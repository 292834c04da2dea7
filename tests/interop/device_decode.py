#!/usr/bin/python3
"""tests/interop/device_decode.py — decode what edgertc-device wrote with --receive-dir.

Usage: device_decode.py DIR

Decodes DIR/received.h264 (H.264 Annex-B) and DIR/received.opus (Ogg/Opus) with python3-av
(FFmpeg) and prints one JSON object: frames decoded, picture size, audio samples, decode
errors. Exit 0 when both files decode to at least one frame without an error, 1 otherwise.
"""
import json
import os
import sys

import av


def decode(path, fmt, kind):
    out = {"file": os.path.basename(path), "bytes": os.path.getsize(path) if os.path.exists(path) else -1,
           "frames": 0, "errors": []}
    if out["bytes"] <= 0:
        out["errors"].append("missing or empty")
        return out
    try:
        with av.open(path, format=fmt) as container:
            stream = container.streams.video[0] if kind == "video" else container.streams.audio[0]
            for frame in container.decode(stream):
                out["frames"] += 1
                if kind == "video":
                    out["size"] = f"{frame.width}x{frame.height}"
                else:
                    out["samples"] = out.get("samples", 0) + frame.samples
                    out["rate"] = frame.sample_rate
    except av.error.FFmpegError as e:  # a broken stream: reported, never a crash
        out["errors"].append(str(e))
    return out


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    folder = sys.argv[1]
    video = decode(os.path.join(folder, "received.h264"), "h264", "video")
    audio = decode(os.path.join(folder, "received.opus"), "ogg", "audio")
    print(json.dumps({"video": video, "audio": audio}))
    ok = all(r["frames"] > 0 and not r["errors"] for r in (video, audio))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
