// tests/interop/pc_chromium.mjs — an edgertc peer connection (tests/interop/pc_peer) against the
// viewer page in headless Chromium, through edgertc-signald: ICE + DTLS + SRTP + H.264 RTP.
//
// Usage (inside a private network namespace, see run-in-netns.sh):
//   node pc_chromium.mjs answers|offers <edgertc-signald> <pc_peer> <repo>/web
//
// "answers": pc_peer joins first as MASTER (never offers); the page joins second and, finding
//   no offer, offers after 1.5 s; the device answers (and is the DTLS client).
// "offers":  the page joins first with ?offer=0; pc_peer joins second as VIEWER and offers
//   (actpass); Chromium answers active, so the device is the DTLS server.
// pc_peer sends real H.264 (Constrained Baseline, Annex-B) that media_gen.py makes at test time
// with python3-av / libx264 into a temporary directory.
// Checks: the page's RTCPeerConnection reaches connectionState "connected" (ICE + DTLS with our
// stack), getStats inbound-rtp video packetsReceived > 0 (Chromium accepted our SRTP) and
// framesDecoded > 0 (Chromium decoded our H.264) within 20 s each. Prints the transport's
// dtlsRole / dtlsCipher / srtpCipher. Only 10.77.0.x addresses.
// Exit 0 on success, 1 with the page state and pc_peer's output on failure.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  CHROMIUM, CHROMIUM_ARGS, LISTEN, NAMESPACE_PREFIX, loadChromium, startSignald, withTimeout,
} from './interop_common.mjs';

const IFACE = '10.77.0.1';
const HARD_TIMEOUT_MS = 100_000;
const CONNECT_TIMEOUT_MS = 20_000;
const MEDIA_TIMEOUT_MS = 20_000;
const PEER_SECONDS = 45;
const MEDIA_GEN = new URL('./media_gen.py', import.meta.url).pathname;
let mediaDir = null;

let step = 'start';
let signald = null;
let peer = null;
let peerOut = [];
let peerExit = null;
let browser = null;
let page = null;
let finished = false;

function log(...args) {
  console.log('[pc_chromium]', ...args);
}

async function pageReport() {
  if (!page) return 'no page';
  try {
    return JSON.stringify(await withTimeout(page.evaluate(async () => {
      const v = window.ertcViewer;
      const out = v ? { phase: v.phase, state: v.state, isInitiator: v.isInitiator, stats: v.stats,
        errors: v.errors, log: v.log.slice(-40) } : {};
      out.transport = await window.__ertcTransport();
      return out;
    }), 3000), null, 1);
  } catch (e) {
    return `no state (${e.message})`;
  }
}

async function fail(reason) {
  if (finished) return;
  finished = true;
  console.error(`[pc_chromium] FAIL at step "${step}": ${reason}`);
  console.error(`[pc_chromium] page state: ${await pageReport()}`);
  if (page) {
    const file = path.resolve('pc_chromium-page.png');
    await withTimeout(page.screenshot({ path: file }), 3000).then(
      () => console.error(`[pc_chromium] screenshot: ${file}`), () => {});
  }
  await cleanup();
  console.error('[pc_chromium] pc_peer output:\n' + peerOut.join('\n'));
  process.exit(1);
}

async function stopChild(child) {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await withTimeout(exited, 3000).catch(() => child.kill('SIGKILL'));
  }
}

// Closing pc_peer's stdin makes it stop cleanly and print its stats; SIGTERM if it does not.
async function stopPeer() {
  if (peer && peer.exitCode === null && peer.signalCode === null) {
    const exited = new Promise((resolve) => peer.once('exit', resolve));
    peer.stdin.end();
    await withTimeout(exited, 5000).catch(() => stopChild(peer));
  }
}

async function cleanup() {
  if (browser) {
    await withTimeout(browser.close(), 5000).catch(() => {});
    browser = null;
  }
  await stopPeer();
  await stopChild(signald);
  if (mediaDir) {
    rmSync(mediaDir, { recursive: true, force: true });
    mediaDir = null;
  }
}

// The test video, made now (never committed): python3-av with Debian's ffmpeg and libx264.
function makeMedia() {
  mediaDir = mkdtempSync(path.join(tmpdir(), 'pc_chromium-'));
  const r = spawnSync('/usr/bin/python3', [MEDIA_GEN, mediaDir, '--seconds', '3'],
    { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    throw new Error(`media_gen.py failed (${r.status ?? r.error}): ${(r.stderr || '').trim()}`);
  }
  log(r.stdout.trim());
  return path.join(mediaDir, 'video.h264');
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Resolves once pc_peer printed "signaling connected"; its output is kept for the report.
function startPeer(binary, base, room, role, video) {
  return new Promise((resolve, reject) => {
    const args = ['--server', base, '--room', room, '--role', role, '--seconds', String(PEER_SECONDS),
      '--interface', IFACE, '--video-in', video];
    if (process.env.PC_PEER_VERBOSE) args.push('--verbose');
    log(`starting ${binary} ${args.join(' ')}`);
    peer = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => reject(new Error('pc_peer printed no "signaling connected" within 10 s')), 10_000);
    const onLine = (tag) => (line) => {
      peerOut.push(`${tag}${line}`);
      if (process.env.PC_PEER_VERBOSE || !line.startsWith('[')) console.log(`[pc_peer${tag}] ${line}`);
      if (/signaling connected/.test(line)) {
        clearTimeout(timer);
        resolve();
      }
    };
    createInterface({ input: peer.stdout }).on('line', onLine(''));
    createInterface({ input: peer.stderr }).on('line', onLine(':err '));
    peer.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${binary}: ${e.message}`));
    });
    peer.on('exit', (code, signal) => {
      clearTimeout(timer);
      peerExit = { code, signal };
      if (!finished && code !== 0) {
        reject(new Error(`pc_peer exited (code ${code}, signal ${signal})`));
        fail(`pc_peer exited early (code ${code}, signal ${signal})`);
      }
    });
  });
}

// Captures every RTCPeerConnection the page makes, so the test can read transport stats.
function initScript() {
  const Orig = window.RTCPeerConnection;
  window.__ertcPcs = [];
  window.RTCPeerConnection = function (...args) {
    const pc = new Orig(...args);
    window.__ertcPcs.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Orig.prototype;
  Object.setPrototypeOf(window.RTCPeerConnection, Orig);
  window.__ertcTransport = async () => {
    const pc = window.__ertcPcs[window.__ertcPcs.length - 1];
    if (!pc) return null;
    const out = { connectionState: pc.connectionState, iceConnectionState: pc.iceConnectionState };
    const stats = await pc.getStats();
    const byId = new Map();
    stats.forEach((r) => byId.set(r.id, r));
    stats.forEach((r) => {
      if (r.type === 'transport') {
        out.dtlsState = r.dtlsState;
        out.dtlsRole = r.dtlsRole;
        out.tlsVersion = r.tlsVersion;
        out.dtlsCipher = r.dtlsCipher;
        out.srtpCipher = r.srtpCipher;
        const pair = byId.get(r.selectedCandidatePairId);
        if (pair) {
          const l = byId.get(pair.localCandidateId);
          const rc = byId.get(pair.remoteCandidateId);
          out.localCandidate = l ? `${l.address}:${l.port} ${l.candidateType}` : '?';
          out.remoteCandidate = rc ? `${rc.address}:${rc.port} ${rc.candidateType}` : '?';
        }
      } else if (r.type === 'inbound-rtp' && r.kind === 'video') {
        out.packetsReceived = r.packetsReceived;
        out.bytesReceived = r.bytesReceived;
        out.packetsLost = r.packetsLost;
        out.framesDecoded = r.framesDecoded;
        out.framesDropped = r.framesDropped;
        out.pliCount = r.pliCount;
        out.ssrc = r.ssrc;
        const codec = byId.get(r.codecId);
        out.codec = codec ? `${codec.mimeType} pt ${codec.payloadType} ${codec.sdpFmtpLine || ''}` : null;
      }
    });
    return out;
  };
}

async function openViewer(url) {
  const context = await browser.newContext();
  page = await context.newPage();
  await page.addInitScript(initScript);
  page.on('console', (msg) => console.log(`[page] ${msg.text()}`));
  page.on('pageerror', (err) => console.log(`[page] uncaught: ${err.message}`));
  log(`page: ${url}`);
  await page.goto(url, { timeout: 10_000 });
}

async function transport() {
  return page.evaluate(() => window.__ertcTransport());
}

async function main() {
  const [direction, signaldPath, peerPath, webDir] = process.argv.slice(2);
  if (!['answers', 'offers'].includes(direction) || !signaldPath || !peerPath || !webDir) {
    throw new Error('usage: node pc_chromium.mjs answers|offers <edgertc-signald> <pc_peer> <repo>/web');
  }
  step = 'load playwright-core';
  const chromium = await loadChromium(webDir);
  step = 'make the test video (media_gen.py)';
  const video = makeMedia();

  step = 'start signald';
  const started = startSignald(signaldPath, path.resolve(webDir), {
    log, finished: () => finished, onExit: (why) => fail(why),
  });
  signald = started.child;
  const base = await started.base;
  check(new URL(base).hostname.startsWith(NAMESPACE_PREFIX), `signald listens on ${base}, not on ${LISTEN}`);

  step = 'launch chromium';
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 20_000 });
  log(`chromium ${browser.version()}, device ${direction === 'answers' ? 'answers (MASTER)' : 'offers (VIEWER)'}`);

  const room = 'pc' + randomBytes(5).toString('hex');
  if (direction === 'answers') {
    step = 'device joins first (MASTER)';
    await startPeer(peerPath, base, room, 'answer', video);
    step = 'page joins second and offers';
    await openViewer(`${base}/r/${room}`);
  } else {
    step = 'page joins first (?offer=0)';
    await openViewer(`${base}/r/${room}?offer=0`);
    await page.waitForFunction(() => window.ertcViewer &&
      (window.ertcViewer.clientId !== '' || window.ertcViewer.errors.length > 0), null, { timeout: 10_000 });
    step = 'device joins second (VIEWER) and offers';
    await startPeer(peerPath, base, room, 'offer', video);
  }

  step = 'page connectionState connected';
  await page.waitForFunction(() => window.__ertcPcs.length > 0 &&
    window.__ertcPcs[window.__ertcPcs.length - 1].connectionState === 'connected',
  null, { timeout: CONNECT_TIMEOUT_MS, polling: 100 });
  let t = await transport();
  log(`page connected: dtlsRole ${t.dtlsRole}, ${t.tlsVersion ? 'DTLS version ' + t.tlsVersion + ', ' : ''}` +
      `dtlsCipher ${t.dtlsCipher}, srtpCipher ${t.srtpCipher}, path ${t.localCandidate} <-> ${t.remoteCandidate}`);

  step = 'inbound-rtp video packetsReceived > 0';
  await page.waitForFunction(async () => {
    const s = await window.__ertcTransport();
    return s && s.packetsReceived > 0;
  }, null, { timeout: MEDIA_TIMEOUT_MS, polling: 250 });
  step = 'inbound-rtp video framesDecoded > 0';
  await page.waitForFunction(async () => {
    const s = await window.__ertcTransport();
    return s && s.framesDecoded > 0;
  }, null, { timeout: MEDIA_TIMEOUT_MS, polling: 250 });
  // A little longer, to see the count grow.
  await new Promise((r) => setTimeout(r, 2000));
  t = await transport();
  check(t.framesDecoded > 0, `framesDecoded is ${t.framesDecoded}`);
  log(`inbound-rtp video: packetsReceived ${t.packetsReceived}, bytesReceived ${t.bytesReceived}, ` +
      `packetsLost ${t.packetsLost}, framesDecoded ${t.framesDecoded}, pliCount ${t.pliCount}, codec ${t.codec}`);
  log(`transport: ${JSON.stringify({ dtlsState: t.dtlsState, dtlsRole: t.dtlsRole, tlsVersion: t.tlsVersion,
    dtlsCipher: t.dtlsCipher, srtpCipher: t.srtpCipher })}`);
  for (const c of [t.localCandidate, t.remoteCandidate]) {
    check(c && c.startsWith(NAMESPACE_PREFIX), `selected candidate "${c}" is outside ${NAMESPACE_PREFIX}0/24`);
  }
  const expectRole = direction === 'answers' ? 'server' : 'client';
  if (t.dtlsRole !== expectRole) log(`note: Chromium's dtlsRole is ${t.dtlsRole}, expected ${expectRole}`);
  check(t.connectionState === 'connected', `connectionState is ${t.connectionState} after media`);

  step = 'pc_peer stops cleanly';
  finished = true;
  await stopPeer();
  const summary = peerOut.filter((l) => /stats:|FAILED|exit \d/.test(l));
  log(`pc_peer: ${summary.join(' | ')}`);
  if (!peerExit || peerExit.code !== 0) {
    finished = false;
    await fail(`pc_peer ended with ${JSON.stringify(peerExit)}`);
  }
  step = 'shut down';
  await cleanup();
  log(`PASS (device ${direction}, Chromium dtlsRole ${t.dtlsRole}, ${t.dtlsCipher}, ${t.srtpCipher}, ` +
      `${t.packetsReceived} packets received, ${t.framesDecoded} frames decoded)`);
}

const hardTimer = setTimeout(() => fail(`hard timeout of ${HARD_TIMEOUT_MS / 1000} s`), HARD_TIMEOUT_MS);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => fail(`received ${sig}`));
main().then(
  () => {
    clearTimeout(hardTimer);
    process.exit(0);
  },
  (e) => fail(e && e.message ? e.message : String(e)),
);
