// bench/first_frame.mjs — time to first frame in headless Chromium, measured in the page: from
// the page's offer (RTCPeerConnection.setLocalDescription(offer), performance.now()) to the
// first requestVideoFrameCallback on the page's <video>. Two calls side by side, interleaved
// run by run, through one edgertc-signald:
//
//   device   edgertc-device (MASTER, live test pattern + tone) answers the page's offer;
//   chromium a second Chromium page (?send=canvas&offer=0, joined first) answers the page's
//            offer with the viewer page's canvas test pattern and tone — the baseline.
//
// The receiving page is the same in both (web/ served by signald, ?offer=1: it offers at once
// instead of after the 1.5 s a second joiner otherwise waits). Each run uses a fresh browser
// context; one warm-up run of each kind is made first and not counted. The device keeps
// running across its runs (as a camera would) and writes --events-json; the table also gives
// the device's own breakdown (offer received -> answer sent -> DTLS connected -> first key
// frame sent) and, since page and device share this machine's clock, the two hops around it.
//
// Usage (inside a private network namespace, see tests/interop/run-in-netns.sh):
//   node first_frame.mjs <repo> <edgertc-signald> <edgertc-device> [--runs N]
// Prints tables; exits 1 only when a call cannot be made (a benchmark never fails on time).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import os from 'node:os';
import path from 'node:path';
import {
  CHROMIUM, CHROMIUM_ARGS, loadChromium, startSignaldWith, withTimeout,
} from '../tests/interop/interop_common.mjs';

const DEFAULT_RUNS = 20;
const FRAME_TIMEOUT_MS = 20_000;
const JOIN_TIMEOUT_MS = 10_000;
const DEVICE_READY_TIMEOUT_MS = 15_000;
const SESSION_END_TIMEOUT_MS = 10_000;

// Installed in every page before its scripts run: the offer time and the first frame time.
function pageProbe() {
  const probe = { offerAt: null, createOfferAt: null, frameAt: null, frameMeta: null, epochOffset: 0 };
  window.__ertcFirstFrame = probe;
  probe.epochOffset = performance.timeOrigin;
  const proto = RTCPeerConnection.prototype;
  const createOffer = proto.createOffer;
  proto.createOffer = function (...args) {
    if (probe.createOfferAt === null) probe.createOfferAt = performance.now();
    return createOffer.apply(this, args);
  };
  const setLocal = proto.setLocalDescription;
  proto.setLocalDescription = function (...args) {
    const d = args[0];
    const isOffer = d ? d.type === 'offer' : this.signalingState === 'stable';
    if (isOffer && probe.offerAt === null) probe.offerAt = performance.now();
    return setLocal.apply(this, args);
  };
  document.addEventListener('DOMContentLoaded', () => {
    const video = document.getElementById('remote-video');
    if (!video || !video.requestVideoFrameCallback) return;
    video.requestVideoFrameCallback((now, meta) => {
      probe.frameAt = performance.now();
      probe.frameMeta = {
        width: meta.width, height: meta.height, presentationTime: meta.presentationTime,
        receiveTime: meta.receiveTime, rtpTimestamp: meta.rtpTimestamp,
      };
    });
  });
}

let finished = false;
let browser = null;
let signald = null;
let device = null;
let tmpDir = null;
const deviceOut = [];

function log(...args) {
  console.log('[first_frame]', ...args);
}

async function cleanup() {
  finished = true;
  if (browser) await withTimeout(browser.close(), 5000).catch(() => {});
  browser = null;
  for (const child of [device, signald]) {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await withTimeout(exited, 5000).catch(() => child.kill('SIGKILL'));
    }
  }
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
}

async function fail(reason) {
  if (finished) return;
  console.error(`[first_frame] FAIL: ${reason}`);
  console.error('[first_frame] device output (last 60 lines):\n' + deviceOut.slice(-60).join('\n'));
  await cleanup();
  process.exit(1);
}

// edgertc-device as MASTER in `room`; resolves once its signaling is connected.
function startDevice(binary, base, room, eventsFile) {
  const args = ['--signaling', 'apprtc', '--server', base, '--room', room, '--video', 'testsrc',
    '--audio', 'testsrc', '--events-json', eventsFile, '--log-level', 'warn'];
  log(`starting ${binary} ${args.join(' ')}`);
  device = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const state = { disconnected: 0 };
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(
      `edgertc-device did not connect to signaling within ${DEVICE_READY_TIMEOUT_MS} ms`)),
    DEVICE_READY_TIMEOUT_MS);
    createInterface({ input: device.stdout }).on('line', (line) => {
      deviceOut.push(line);
      if (/signaling: connected/.test(line)) {
        clearTimeout(timer);
        resolve();
      }
      if (/^edgertc-device: peer \S+: disconnected/.test(line)) state.disconnected++;
    });
    createInterface({ input: device.stderr }).on('line', (line) => deviceOut.push(`[err] ${line}`));
    device.on('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`edgertc-device exited (code ${code}, signal ${sig})`));
      if (!finished) fail(`edgertc-device exited during the benchmark (code ${code}, signal ${sig})`);
    });
  });
  return { ready, state };
}

async function openPage(url, withProbe) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (withProbe) await page.addInitScript(pageProbe);
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  await page.goto(url, { timeout: JOIN_TIMEOUT_MS });
  return { context, page };
}

// Waits for the probe's first frame; returns the page-side figures (ms, page clock).
async function firstFrame(page, what) {
  try {
    await page.waitForFunction(() => window.__ertcFirstFrame.frameAt !== null, null,
      { timeout: FRAME_TIMEOUT_MS, polling: 20 });
  } catch {
    const st = await page.evaluate(() => ({ probe: window.__ertcFirstFrame, phase: window.ertcViewer.phase,
      errors: window.ertcViewer.errors, log: window.ertcViewer.log.slice(-15) })).catch((e) => e.message);
    throw new Error(`${what}: no video frame within ${FRAME_TIMEOUT_MS} ms: ${JSON.stringify(st)}`);
  }
  const p = await page.evaluate(() => window.__ertcFirstFrame);
  if (p.offerAt === null) throw new Error(`${what}: the page presented a frame but never made an offer`);
  return {
    ms: p.frameAt - p.offerAt,
    offerEpochMs: p.epochOffset + p.offerAt,
    frameEpochMs: p.epochOffset + p.frameAt,
    size: `${p.frameMeta.width}x${p.frameMeta.height}`,
  };
}

async function hangupAndClose(opened) {
  await withTimeout(opened.page.evaluate(() => window.ertcViewer.hangup()), 5000).catch(() => {});
  await withTimeout(opened.context.close(), 5000).catch(() => {});
}

async function deviceRun(base, room, devState) {
  const before = devState.disconnected;
  const viewer = await openPage(`${base}/r/${room}?offer=1`, true);
  const r = await firstFrame(viewer.page, 'device call');
  await hangupAndClose(viewer);
  // The device's session must be over before the next page joins the room (two per room).
  const t0 = Date.now();
  while (devState.disconnected === before) {
    if (Date.now() - t0 > SESSION_END_TIMEOUT_MS) throw new Error('the device did not end the session after bye');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return r;
}

async function chromiumRun(base, room) {
  const sender = await openPage(`${base}/r/${room}?send=canvas&offer=0`, false);
  await sender.page.waitForFunction(() => window.ertcViewer.clientId !== '' &&
    window.ertcViewer.state.websocket === 'registered', null, { timeout: JOIN_TIMEOUT_MS, polling: 20 });
  const viewer = await openPage(`${base}/r/${room}?offer=1`, true);
  let r;
  try {
    r = await firstFrame(viewer.page, 'chromium call');
  } finally {
    await hangupAndClose(viewer);
    await hangupAndClose(sender);
  }
  return r;
}

// ---- statistics ------------------------------------------------------------------------

function quantile(values, q) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * v.length)); // nearest rank
  return v[rank - 1];
}

const fmt = (x, w = 8) => (Number.isFinite(x) ? x.toFixed(1) : '-').padStart(w);

function row(label, values) {
  const v = values.filter((x) => Number.isFinite(x));
  return `${label.padEnd(44)}${fmt(quantile(v, 0.5))}${fmt(quantile(v, 0.95))}` +
    `${fmt(v.length ? Math.min(...v) : NaN)}${fmt(v.length ? Math.max(...v) : NaN)}${String(v.length).padStart(6)}`;
}

// Per-session metrics of the device: the last event carrying metrics for each peer id, in the
// order the sessions began.
function deviceSessions(eventsFile) {
  const byPeer = new Map();
  for (const line of readFileSync(eventsFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line);
    if (e.metrics && e.peer_id) byPeer.set(e.peer_id, e.metrics);
  }
  return [...byPeer.values()].filter((m) => m.offer_received_ms).sort((a, b) => a.offer_received_ms - b.offer_received_ms);
}

function span(m, from, to) {
  return m[`${from}_ms`] && m[`${to}_ms`] ? m[`${to}_ms`] - m[`${from}_ms`] : NaN;
}

async function main() {
  const [repo, signaldPath, devicePath, ...rest] = process.argv.slice(2);
  if (!repo || !signaldPath || !devicePath) {
    console.error('usage: node first_frame.mjs <repo> <edgertc-signald> <edgertc-device> [--runs N]');
    process.exit(2);
  }
  let runs = DEFAULT_RUNS;
  if (rest[0] === '--runs' && /^[1-9][0-9]*$/.test(rest[1] || '')) runs = Number(rest[1]);
  const webDir = path.join(repo, 'web');
  const chromium = await loadChromium(webDir);

  // signald logs every join and leave at info: warnings only, and not echoed.
  const started = startSignaldWith(signaldPath, webDir, {
    log: () => {}, finished: () => finished, onExit: (why) => fail(why),
  }, { quiet: true, args: ['--log-level', 'warn'] });
  signald = started.child;
  const base = await started.base;
  tmpDir = mkdtempSync(path.join(os.tmpdir(), 'ertc-first-frame-'));
  const eventsFile = path.join(tmpDir, 'events.jsonl');
  const tag = randomBytes(4).toString('hex');
  const deviceRoom = `ffdev${tag}`;
  const dev = startDevice(devicePath, base, deviceRoom, eventsFile);
  await dev.ready;

  // Autoplay without a gesture: the canvas sender's tone starts without a click.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'], timeout: 20_000 });
  log(`chromium ${browser.version()}, ${runs} runs of each call after one warm-up each, ${os.cpus().length} CPUs, ` +
      `load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  const device = [];
  const chrome = [];
  for (let i = -1; i < runs; i++) {
    const d = await deviceRun(base, deviceRoom, dev.state);
    const c = await chromiumRun(base, `ffc2c${tag}n${i + 1}`);
    if (i >= 0) {
      device.push(d);
      chrome.push(c);
    }
    log(`run ${i < 0 ? 'warm-up' : i + 1}: device ${d.ms.toFixed(1)} ms (${d.size}), ` +
        `chromium ${c.ms.toFixed(1)} ms (${c.size})`);
  }

  // The device's sessions in order: the first is the warm-up.
  const sessions = deviceSessions(eventsFile).slice(1);
  if (sessions.length !== device.length) {
    log(`note: ${sessions.length} device sessions with metrics for ${device.length} runs`);
  }
  const n = Math.min(sessions.length, device.length);

  console.log('');
  console.log(`Time to first frame in Chromium, from the page's offer (setLocalDescription) to the first`);
  console.log(`requestVideoFrameCallback on its <video>; ms over ${runs} runs each, same signald, same run.`);
  console.log(`${'call answered by'.padEnd(44)}${'median'.padStart(8)}${'p95'.padStart(8)}${'min'.padStart(8)}${'max'.padStart(8)}${'runs'.padStart(6)}`);
  console.log(row('edgertc-device (MASTER, testsrc H.264)', device.map((r) => r.ms)));
  console.log(row('Chromium page (?send=canvas, baseline)', chrome.map((r) => r.ms)));
  console.log('');
  console.log('edgertc-device breakdown (its --events-json metrics; page and device share the clock), ms:');
  console.log(`${'step'.padEnd(44)}${'median'.padStart(8)}${'p95'.padStart(8)}${'min'.padStart(8)}${'max'.padStart(8)}${'runs'.padStart(6)}`);
  const dev_ = sessions.slice(0, n);
  const pageRuns = device.slice(0, n);
  console.log(row('page offer -> device offer received', dev_.map((m, i) => m.offer_received_ms - pageRuns[i].offerEpochMs)));
  console.log(row('offer received -> answer sent', dev_.map((m) => span(m, 'offer_received', 'answer_sent'))));
  // ICE connected is not listed: edgertc's peer connection reports ICE and DTLS together.
  console.log(row('answer sent -> DTLS connected', dev_.map((m) => span(m, 'answer_sent', 'dtls_connected'))));
  console.log(row('DTLS connected -> streaming started', dev_.map((m) => span(m, 'dtls_connected', 'streaming_started'))));
  console.log(row('streaming started -> first key frame sent', dev_.map((m) => span(m, 'streaming_started', 'first_key_frame_sent'))));
  console.log(row('DTLS connected -> first key frame sent', dev_.map((m) => span(m, 'dtls_connected', 'first_key_frame_sent'))));
  console.log(row('offer received -> first key frame sent', dev_.map((m) => span(m, 'offer_received', 'first_key_frame_sent'))));
  console.log(row('first key frame sent -> page first frame', dev_.map((m, i) => pageRuns[i].frameEpochMs - m.first_key_frame_sent_ms)));
  console.log('(the first and last rows compare the page\'s performance.timeOrigin + now() with the device\'s');
  console.log(' CLOCK_REALTIME; Chromium maps its monotonic clock to wall time once per process, so these two');
  console.log(' rows can be off by tens of ms on a loaded machine, even below 0: read them as indications)');
  await cleanup();
  process.exit(0);
}

main().catch((e) => fail(e.stack || e.message));
