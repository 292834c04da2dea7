#!/usr/bin/python3
"""Captures real aiortc SDPs for tests/unit/test_sdp.c.

Run through capture.sh (private network namespace), or by hand inside one:
    /usr/bin/python3 capture_aiortc.py <out dir> <sdptool binary>
Needs Debian's python3-aiortc (and python3-av). Writes:
  aiortc_offer.sdp             video + audio tracks (sendrecv) and a data channel, after
                               aiortc gathered its host candidates (it offers the old
                               "DTLS/SCTP 5000" + a=sctpmap data channel form, one ICE
                               ufrag per m-line, and no a=ice-options)
  aiortc_answer.sdp            aiortc's answer to edgertc's offer (`sdptool offer`)
  edgertc_answer_to_aiortc.sdp edgertc's answer to a live aiortc offer, which aiortc's
                               setRemoteDescription must accept
No ICE server is configured, so nothing is sent anywhere.
"""
import asyncio
import os
import subprocess
import sys

import aiortc
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.exceptions import InvalidStateError
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack


def sdptool(binary, args, stdin=None):
    # Bytes, not text mode: text mode would turn the \r\n line ends into \n.
    result = subprocess.run([binary] + args, input=stdin.encode() if stdin else None,
                            capture_output=True)
    if result.returncode != 0:
        raise RuntimeError(f"sdptool {' '.join(args)} failed: {result.stderr.decode()}")
    return result.stdout.decode()


def save(out_dir, name, sdp):
    with open(os.path.join(out_dir, name), "w", newline="") as f:
        f.write(sdp)
    print(f"wrote {name} ({len(sdp)} bytes)")


def new_offerer():
    pc = RTCPeerConnection()
    pc.addTrack(VideoStreamTrack())
    pc.addTrack(AudioStreamTrack())
    pc.createDataChannel("edgertc")
    return pc


def quiet_closed_transports(loop, context):
    """aiortc starts connecting in the background after setRemoteDescription; closing the
    connection at once makes that task fail with InvalidStateError, which is expected here."""
    if not isinstance(context.get("exception"), InvalidStateError):
        loop.default_exception_handler(context)


async def main(out_dir, binary):
    asyncio.get_running_loop().set_exception_handler(quiet_closed_transports)
    print(f"aiortc {aiortc.__version__}")
    pc = new_offerer()
    await pc.setLocalDescription(await pc.createOffer())
    save(out_dir, "aiortc_offer.sdp", pc.localDescription.sdp)
    await pc.close()

    pc = RTCPeerConnection()
    offer = sdptool(binary, ["offer"])
    await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    save(out_dir, "aiortc_answer.sdp", pc.localDescription.sdp)
    await pc.close()

    pc = new_offerer()
    await pc.setLocalDescription(await pc.createOffer())
    answer = sdptool(binary, ["answer"], pc.localDescription.sdp)
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    directions = [f"{t.mid}:{t.currentDirection}" for t in pc.getTransceivers()]
    print(f"aiortc applied edgertc_answer_to_aiortc.sdp: {pc.signalingState} "
          f"{' '.join(directions)}")
    if pc.signalingState != "stable":
        raise RuntimeError(f"aiortc is in {pc.signalingState} after our answer")
    save(out_dir, "edgertc_answer_to_aiortc.sdp", answer)
    await pc.close()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: capture_aiortc.py <out dir> <sdptool binary>")
    asyncio.run(main(sys.argv[1], sys.argv[2]))
