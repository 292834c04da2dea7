#!/usr/bin/python3
"""Captures real GStreamer webrtcbin SDPs for tests/unit/test_sdp.c.

Run through capture.sh (private network namespace), or by hand inside one:
    /usr/bin/python3 capture_gstreamer.py <out dir> <sdptool binary>
Needs Debian's gstreamer1.0-plugins-bad (webrtcbin), gstreamer1.0-nice,
gstreamer1.0-plugins-good/ugly (x264enc, rtph264pay), gir1.2-gst-plugins-bad-1.0 and
python3-gi. Writes:
  gstreamer_offer_sendonly.sdp  webrtcbin (bundle-policy max-bundle) with an x264enc
                                Constrained Baseline H.264 stream and an Opus stream, both
                                transceivers sendonly, read after 2 s of candidate gathering:
                                the audio m-line is port 0 + a=bundle-only, H.264 fmtp
                                carries sprop-parameter-sets, Opus is written "OPUS"
  gstreamer_answer.sdp          webrtcbin's answer to edgertc's offer (`sdptool offer
                                --no-data`; webrtcbin 1.22 has no data channel in answers
                                made without one), after 2 s of gathering
  edgertc_answer_to_gstreamer.sdp edgertc's answer as a viewer (`sdptool answer --recvonly
                                --no-data`) to a live webrtcbin offer, which
                                set-remote-description must accept
Sources are test patterns; no ICE server is configured, so nothing is sent anywhere.
"""
import os
import subprocess
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

SENDER = (
    "webrtcbin name=w bundle-policy=max-bundle "
    "videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=15/1 ! "
    "x264enc tune=zerolatency key-int-max=30 ! video/x-h264,profile=constrained-baseline ! "
    "rtph264pay config-interval=-1 ! "
    "application/x-rtp,media=video,encoding-name=H264,payload=96 ! w. "
    "audiotestsrc is-live=true ! opusenc ! rtpopuspay ! "
    "application/x-rtp,media=audio,encoding-name=OPUS,payload=111 ! w."
)
GATHER_MS = 2000
TIMEOUT_MS = 15000


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


def description(kind, text):
    ok, msg = GstSdp.SDPMessage.new_from_text(text)
    if ok != GstSdp.SDPResult.OK:
        raise RuntimeError(f"GstSdp cannot parse the {kind}")
    sdp_type = GstWebRTC.WebRTCSDPType.OFFER if kind == "offer" else GstWebRTC.WebRTCSDPType.ANSWER
    return GstWebRTC.WebRTCSessionDescription.new(sdp_type, msg)


def run_until(loop, done, what):
    """Runs the main loop until done() is true; fails after TIMEOUT_MS."""
    waited = 0
    while not done():
        if waited >= TIMEOUT_MS:
            raise RuntimeError(f"webrtcbin: timed out waiting for {what}")
        GLib.timeout_add(50, loop.quit)
        loop.run()
        waited += 50


def run_for(loop, ms):
    GLib.timeout_add(ms, loop.quit)
    loop.run()


def make_description(w, action, field, results):
    """Emits create-offer/create-answer and sets the result as the local description from
    the promise's callback, while the reply that owns it is alive (reading the boxed
    description from Python after the promise is gone crashes PyGObject)."""
    def on_reply(promise, _):
        reply = promise.get_reply()
        if reply is None or reply.has_field("error"):
            results["error"] = reply.get_value("error") if reply else "no reply"
            return
        w.emit("set-local-description", reply.get_value(field), None)
        results["local"] = True
    w.emit(action, None, Gst.Promise.new_with_change_func(on_reply, None))


def set_remote(w, kind, text, results):
    def on_reply(promise, _):
        reply = promise.get_reply()
        results["remote"] = "error" if reply is not None and reply.has_field("error") else "ok"
    w.emit("set-remote-description", description(kind, text),
           Gst.Promise.new_with_change_func(on_reply, None))


def capture_offer(out_dir, binary, loop):
    pipe = Gst.parse_launch(SENDER)
    w = pipe.get_by_name("w")
    results = {}

    def on_negotiation_needed(element):
        for i in range(2):
            t = element.emit("get-transceiver", i)
            if t is not None:
                t.set_property("direction", GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY)
        make_description(element, "create-offer", "offer", results)

    w.connect("on-negotiation-needed", on_negotiation_needed)
    pipe.set_state(Gst.State.PLAYING)
    run_until(loop, lambda: "local" in results or "error" in results, "the offer")
    if "error" in results:
        raise RuntimeError(f"webrtcbin create-offer: {results['error']}")
    run_for(loop, GATHER_MS)
    text = w.get_property("local-description").sdp.as_text()
    save(out_dir, "gstreamer_offer_sendonly.sdp", text)

    answer = sdptool(binary, ["answer", "--recvonly", "--no-data"], text)
    set_remote(w, "answer", answer, results)
    run_until(loop, lambda: "remote" in results, "set-remote-description")
    state = w.get_property("signaling-state")
    print(f"webrtcbin applied edgertc_answer_to_gstreamer.sdp: {results['remote']}, "
          f"{state.value_nick}")
    if results["remote"] != "ok" or state != GstWebRTC.WebRTCSignalingState.STABLE:
        raise RuntimeError(f"webrtcbin refused our answer ({state.value_nick})")
    save(out_dir, "edgertc_answer_to_gstreamer.sdp", answer)
    pipe.set_state(Gst.State.NULL)


def capture_answer(out_dir, binary, loop):
    pipe = Gst.Pipeline.new("answerer")
    w = Gst.ElementFactory.make("webrtcbin", "w")
    w.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
    pipe.add(w)
    pipe.set_state(Gst.State.PLAYING)
    results = {}
    set_remote(w, "offer", sdptool(binary, ["offer", "--no-data"]), results)
    run_until(loop, lambda: "remote" in results, "set-remote-description")
    if results["remote"] != "ok":
        raise RuntimeError("webrtcbin refused edgertc's offer")
    make_description(w, "create-answer", "answer", results)
    run_until(loop, lambda: "local" in results or "error" in results, "the answer")
    if "error" in results:
        raise RuntimeError(f"webrtcbin create-answer: {results['error']}")
    run_for(loop, GATHER_MS)
    save(out_dir, "gstreamer_answer.sdp", w.get_property("local-description").sdp.as_text())
    pipe.set_state(Gst.State.NULL)


def main(out_dir, binary):
    Gst.init(None)
    print(f"{Gst.version_string()}")
    loop = GLib.MainLoop()
    capture_offer(out_dir, binary, loop)
    capture_answer(out_dir, binary, loop)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: capture_gstreamer.py <out dir> <sdptool binary>")
    main(sys.argv[1], sys.argv[2])
