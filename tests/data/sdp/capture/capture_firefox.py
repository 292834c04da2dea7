#!/usr/bin/python3
"""Captures real Firefox SDPs for tests/unit/test_sdp.c.

Run through capture.sh (private network namespace), or by hand inside one:
    /usr/bin/python3 capture_firefox.py <out dir> <sdptool binary>
Needs Debian's firefox-esr. Starts an HTTP server on 127.0.0.1 and `firefox-esr --headless`
with a fresh profile (fake media devices, no permission prompts, no telemetry or updates)
on a page of that server. The page writes back:
  firefox_offer_recvonly.sdp    recvonly video + audio transceivers and a data channel, after
                                ICE gathering (no getUserMedia: host candidates are
                                obfuscated as mDNS <uuid>.local names)
  firefox_offer_sendrecv.sdp    fake camera and microphone tracks (sendrecv), after gathering
  firefox_answer.sdp            Firefox's answer to edgertc's offer (`sdptool offer`)
  edgertc_answer_to_firefox.sdp edgertc's answer to a live Firefox offer, which Firefox's
                                setRemoteDescription must accept
Firefox is ended (by its process id) when the page is done or after a timeout.

Debian's firefox-esr has no H.264: Firefox downloads Cisco's OpenH264 plugin from the network
on first use, which never happens here, so these live offers have VP8, VP9 and AV1 only (as
any offline Firefox would). To also test an H.264 Firefox offer, the script writes
  firefox_offer_h264_edited.sdp firefox_offer_recvonly.sdp with H.264 added BY THIS SCRIPT
                                (not by Firefox) in the form Firefox uses with OpenH264:
                                PT 126 packetization-mode=1 and PT 97 packetization-mode=0,
                                profile-level-id=42e01f, with RTX 127/98. It is not a capture.
"""
import http.server
import os
import subprocess
import sys
import tempfile
import threading

TIMEOUT_S = 60
RESULTS = {"firefox_offer_recvonly.sdp", "firefox_offer_sendrecv.sdp", "firefox_answer.sdp",
           "edgertc_answer_to_firefox.sdp"}

PREFS = """
user_pref("media.navigator.permission.disabled", true);
user_pref("media.navigator.streams.fake", true);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("app.update.disabledForTesting", true);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
"""

PAGE = """<!doctype html><title>sdp capture</title><script>
function gathered(pc) {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    setTimeout(resolve, 5000);
  });
}
async function post(path, body) {
  const r = await fetch(path, {method: 'POST', body});
  if (!r.ok) throw new Error(path + ': ' + await r.text());
  return r.text();
}
function viewer() {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', {direction: 'recvonly'});
  pc.addTransceiver('audio', {direction: 'recvonly'});
  pc.createDataChannel('edgertc');
  return pc;
}
(async () => {
  try {
    let pc = viewer();
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    await post('/result/firefox_offer_recvonly.sdp', pc.localDescription.sdp);
    pc.close();

    const stream = await navigator.mediaDevices.getUserMedia({video: true, audio: true});
    pc = new RTCPeerConnection();
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    await post('/result/firefox_offer_sendrecv.sdp', pc.localDescription.sdp);
    pc.close();

    pc = new RTCPeerConnection();
    const offer = await (await fetch('/edgertc-offer')).text();
    await pc.setRemoteDescription({type: 'offer', sdp: offer});
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await post('/result/firefox_answer.sdp', pc.localDescription.sdp);
    pc.close();

    pc = viewer();
    await pc.setLocalDescription(await pc.createOffer());
    const answer = await post('/edgertc-answer', pc.localDescription.sdp);
    await pc.setRemoteDescription({type: 'answer', sdp: answer});
    const directions = pc.getTransceivers().map((t) => t.mid + ':' + t.currentDirection);
    await post('/result/edgertc_answer_to_firefox.sdp', answer);
    await post('/done', pc.signalingState + ' ' + directions.join(' ') + ' ' + navigator.userAgent);
    pc.close();
  } catch (e) {
    await post('/error', String(e));
  }
})();
</script>"""


def sdptool(binary, args, stdin=None):
    # Bytes, not text mode: text mode would turn the \r\n line ends into \n.
    result = subprocess.run([binary] + args, input=stdin.encode() if stdin else None,
                            capture_output=True)
    if result.returncode != 0:
        raise RuntimeError(f"sdptool {' '.join(args)} failed: {result.stderr.decode()}")
    return result.stdout.decode()


def add_h264(offer):
    """Adds Firefox's OpenH264 payload types to a captured Firefox video m-line."""
    h264 = ("a=rtpmap:126 H264/90000\r\na=rtpmap:127 rtx/90000\r\n"
            "a=rtpmap:97 H264/90000\r\na=rtpmap:98 rtx/90000\r\n"
            "a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1\r\n"
            "a=fmtp:127 apt=126\r\n"
            "a=fmtp:97 profile-level-id=42e01f;level-asymmetry-allowed=1\r\n"
            "a=fmtp:98 apt=97\r\n")
    for pt in (126, 97):
        for fb in ("nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"):
            h264 += f"a=rtcp-fb:{pt} {fb}\r\n"
    video = offer.index("m=video ")
    line_end = offer.index("\r\n", video)
    m_line = offer[video:line_end].replace(" 120 124 121 125 ", " 120 124 121 125 126 127 97 98 ")
    audio = offer.index("m=audio ")
    return offer[:video] + m_line + offer[line_end:audio] + h264 + offer[audio:]


def main(out_dir, binary):
    finished = threading.Event()
    outcome = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def reply(self, code, body):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/html" if self.path == "/" else "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/":
                self.reply(200, PAGE)
            elif self.path == "/edgertc-offer":
                self.reply(200, sdptool(binary, ["offer"]))
            else:
                self.reply(404, "not found")

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            name = self.path[len("/result/"):]
            if self.path == "/edgertc-answer":
                try:
                    self.reply(200, sdptool(binary, ["answer"], body))
                except RuntimeError as e:
                    self.reply(500, str(e))
                return
            if self.path.startswith("/result/") and name in RESULTS:
                with open(os.path.join(out_dir, name), "w", newline="") as f:
                    f.write(body)
                print(f"wrote {name} ({len(body)} bytes)")
            elif self.path in ("/done", "/error"):
                outcome[self.path] = body
                finished.set()
            self.reply(200, "ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    version = subprocess.run(["firefox-esr", "--version"], capture_output=True, text=True)
    print(version.stdout.strip())
    with tempfile.TemporaryDirectory() as profile:
        with open(os.path.join(profile, "user.js"), "w") as f:
            f.write(PREFS)
        env = dict(os.environ, HOME=profile, MOZ_HEADLESS="1")
        firefox = subprocess.Popen(
            ["firefox-esr", "--headless", "--no-remote", "--profile", profile,
             f"http://127.0.0.1:{server.server_address[1]}/"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            finished.wait(TIMEOUT_S)
        finally:
            firefox.terminate()
            try:
                firefox.wait(10)
            except subprocess.TimeoutExpired:
                firefox.kill()
                firefox.wait()
    server.shutdown()
    if "/done" not in outcome:
        sys.exit(f"Firefox failed: {outcome.get('/error', 'timed out')}")
    print(f"Firefox applied edgertc_answer_to_firefox.sdp: {outcome['/done']}")
    if not outcome["/done"].startswith("stable"):
        sys.exit("Firefox did not reach stable after our answer")
    with open(os.path.join(out_dir, "firefox_offer_recvonly.sdp"), newline="") as f:
        edited = add_h264(f.read())
    with open(os.path.join(out_dir, "firefox_offer_h264_edited.sdp"), "w", newline="") as f:
        f.write(edited)
    print(f"wrote firefox_offer_h264_edited.sdp ({len(edited)} bytes, edited, not captured)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: capture_firefox.py <out dir> <sdptool binary>")
    main(sys.argv[1], sys.argv[2])
