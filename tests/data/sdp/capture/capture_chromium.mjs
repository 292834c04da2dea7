// capture_chromium.mjs — captures real Chromium SDPs for tests/unit/test_sdp.c.
//
// Run through capture.sh (which builds sdptool and puts this script in a private network
// namespace), or by hand inside one:
//   node capture_chromium.mjs <out dir> <sdptool binary>
//
// Headless Chromium (/usr/bin/chromium, driven by tests/js/node_modules/playwright-core over
// a pipe) loads a blank page served from 127.0.0.1 and writes:
//   chromium_offer_recvonly.sdp   recvonly video + audio transceivers and a data channel, after
//                                 ICE gathering, from a browser started WITHOUT the fake media
//                                 flags: the page has no camera permission, so Chromium hides
//                                 host addresses behind mDNS <uuid>.local names (the usual case
//                                 for a viewer)
//   chromium_offer_sendrecv.sdp   the fake camera and microphone added with addTrack (sendrecv),
//                                 after gathering (getUserMedia granted: plain IP candidates)
//   chromium_answer.sdp           Chromium's answer to edgertc's offer (`sdptool offer`), so
//                                 setRemoteDescription(edgertc offer) must succeed
//   edgertc_offer.sdp             the offer of `sdptool offer` that Chromium answered
//   edgertc_answer_to_chromium.sdp  edgertc's answer (`sdptool answer`) to a fresh recvonly
//                                 offer, which Chromium must accept in setRemoteDescription
//   edgertc_answer_to_chromium_no_data.sdp  the same with the data channel rejected (port 0)
// Nothing leaves the namespace: no ICE server is configured and the page is on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, '../../../js/package.json'));
const { chromium } = require('playwright-core');

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
];

const [outDir, sdptool] = process.argv.slice(2);
if (!outDir || !sdptool) {
  console.error('usage: node capture_chromium.mjs <out dir> <sdptool binary>');
  process.exit(2);
}

function runSdptool(args, input) {
  const r = spawnSync(sdptool, args, { input, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`sdptool ${args.join(' ')} failed: ${r.stderr}`);
  }
  return r.stdout;
}

function save(name, sdp) {
  writeFileSync(path.join(outDir, name), sdp);
  console.log(`wrote ${name} (${sdp.length} bytes)`);
}

// In the page: resolves once ICE gathering is complete (or after 5 s).
const GATHER = `
  window.gathered = (pc) => new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
    setTimeout(resolve, 5000);
  });`;

const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end(`<!doctype html><title>sdp capture</title><script>${GATHER}</script>`);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

const NO_MEDIA_ARGS = CHROMIUM_ARGS.filter((a) => !a.startsWith('--use-fake-'));
const viewer = await chromium.launch({ executablePath: '/usr/bin/chromium', args: NO_MEDIA_ARGS });
try {
  const page = await viewer.newPage();
  await page.goto(url);
  console.log(`Chromium ${viewer.version()}`);
  save('chromium_offer_recvonly.sdp', await page.evaluate(async () => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.createDataChannel('edgertc');
    await pc.setLocalDescription(await pc.createOffer());
    await window.gathered(pc);
    return pc.localDescription.sdp;
  }));
} finally {
  await viewer.close();
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  await page.goto(url);

  save('chromium_offer_sendrecv.sdp', await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    const pc = new RTCPeerConnection();
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    await pc.setLocalDescription(await pc.createOffer());
    await window.gathered(pc);
    return pc.localDescription.sdp;
  }));

  const ourOffer = runSdptool(['offer']);
  save('chromium_answer.sdp', await page.evaluate(async (offer) => {
    const pc = new RTCPeerConnection();
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    await window.gathered(pc);
    return pc.localDescription.sdp;
  }, ourOffer));

  // Our answers to live Chromium offers: setRemoteDescription throws if Chromium refuses
  // one. The second answer rejects the data channel (port 0), to check that form too.
  for (const [name, options] of [['edgertc_answer_to_chromium.sdp', []],
                                 ['edgertc_answer_to_chromium_no_data.sdp', ['--no-data']]]) {
    await page.evaluate(() => {
      window.answerPc = new RTCPeerConnection();
      window.answerPc.addTransceiver('video', { direction: 'recvonly' });
      window.answerPc.addTransceiver('audio', { direction: 'recvonly' });
      window.answerPc.createDataChannel('edgertc');
    });
    const liveOffer = await page.evaluate(async () => {
      await window.answerPc.setLocalDescription(await window.answerPc.createOffer());
      return window.answerPc.localDescription.sdp;
    });
    const ourAnswer = runSdptool(['answer', ...options], liveOffer);
    const state = await page.evaluate(async (answer) => {
      await window.answerPc.setRemoteDescription({ type: 'answer', sdp: answer });
      const kinds = window.answerPc.getTransceivers().map((t) => `${t.mid}:${t.currentDirection}`);
      const signaling = window.answerPc.signalingState;
      window.answerPc.close();
      return `${signaling} ${kinds.join(' ')}`;
    }, ourAnswer);
    if (!state.startsWith('stable')) throw new Error(`Chromium after ${name}: ${state}`);
    console.log(`Chromium applied ${name}: ${state}`);
    save(name, ourAnswer);
  }
  save('edgertc_offer.sdp', ourOffer);
  console.log('Chromium accepted edgertc\'s offer and answers');
} finally {
  await browser.close();
  server.close();
}
