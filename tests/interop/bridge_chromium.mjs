// tests/interop/bridge_chromium.mjs — split mode end to end: edgertc-signald (handing out TURN
// REST credentials), edgertc-device --mode signaling-only (AppRTC backend, bridge listening on
// a UNIX socket), edgertc-device --mode streaming-only (media) connected to it through a
// UNIX-socket relay this script controls, and headless Chromium as the viewer.
//
// Usage (inside a private network namespace, see run-in-netns.sh):
//   node bridge_chromium.mjs <edgertc-signald> <edgertc-device> <repo>/web [unix|tcp|serial]
// The transport (default unix): unix and tcp go through a relay in this script (the cut
// destroys its connections and refuses new ones); serial uses two pty pairs joined by
// bridge_pty_relay.py, a null-modem cable whose cut drops the bytes, so the link's keepalive
// has to notice it.
//
// Checks, in order:
//  1. the viewer's offer reaches the signaling-only device and is queued (no streaming device);
//  2. the streaming device starts 5 s later, the queue is flushed on its READY, and the page
//     decodes video;
//  3. the streaming device got the TURN server (with credentials) from signald through the
//     bridge's ICE-server-by-index requests; the TURN secret appears in no output;
//  4. the link is cut (relay connections destroyed, new ones refused for 2 s) and restored
//     mid-session: both devices see the link come back and the video keeps being decoded.
// Exit 0 on success, 1 with the reason and every program's output on failure.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS, loadChromium, withTimeout } from './interop_common.mjs';

const IP = '10.77.0.1';
const STREAMING_DELAY_MS = 5_000;
const MEDIA_TIMEOUT_MS = 30_000;
const HARD_TIMEOUT_MS = 110_000;

const [signaldBin, deviceBin, webDir, transport = 'unix'] = process.argv.slice(2);
if (!signaldBin || !deviceBin || !webDir || !['unix', 'tcp', 'serial'].includes(transport)) {
  console.error('usage: node bridge_chromium.mjs <edgertc-signald> <edgertc-device> <web>');
  process.exit(2);
}

let step = 'start';
let finished = false;
let browser = null;
let page = null;
const children = [];
const output = [];
const dir = mkdtempSync(path.join(tmpdir(), 'ertc-bridge-'));
const sigSock = path.join(dir, 'signaling.sock');
const relaySock = path.join(dir, 'relay.sock');
const sigPort = 20000 + Math.floor(Math.random() * 20000);
const relayPort = sigPort + 1;
// --bridge of each device; serial paths are filled in when the pty cable exists
const ep = {
  signaling: transport === 'tcp' ? `tcp:${IP}:${sigPort}` : `unix:${sigSock}`,
  streaming: transport === 'tcp' ? `tcp:${IP}:${relayPort}` : `unix:${relaySock}`,
};

function log(...args) {
  console.log('[bridge_chromium]', ...args);
}

async function cleanup() {
  if (browser) await withTimeout(browser.close(), 5000).catch(() => {});
  for (const c of children.reverse()) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  }
  await new Promise((r) => setTimeout(r, 300));
}

async function fail(reason) {
  if (finished) return;
  finished = true;
  await new Promise((r) => setTimeout(r, 200));
  console.error(`[bridge_chromium] FAIL at step "${step}": ${reason}`);
  if (page) {
    const state = await withTimeout(page.evaluate(() => {
      const v = window.ertcViewer;
      return v ? JSON.stringify({ phase: v.phase, state: v.state, stats: v.stats, log: v.log.slice(-30) }, null, 1) : '';
    }), 3000).catch((e) => `no state (${e.message})`);
    console.error(`[bridge_chromium] page: ${state}`);
  }
  await cleanup();
  console.error('[bridge_chromium] output:\n' + output.slice(-200).join('\n'));
  writeFileSync('bridge_chromium.out', output.join('\n') + '\n'); // the whole run, in the build dir
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}

// Spawns a program; stdout and stderr lines go to the report and to onLine.
function start(name, bin, args, onLine) {
  const shown = args.map((a, i) => (i > 0 && /secret|pass/.test(args[i - 1]) ? '****' : a));
  log(`starting ${name}: ${bin} ${shown.join(' ')}`);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const each = (l, tag) => {
    output.push(`[${tag}] ${l}`);
    if (onLine) onLine(l);
  };
  createInterface({ input: child.stdout }).on('line', (l) => each(l, name));
  createInterface({ input: child.stderr }).on('line', (l) => each(l, `${name}:err`));
  child.on('error', (e) => fail(`cannot start ${name} (${bin}): ${e.message}`));
  child.on('exit', (code, sig) => {
    if (!finished) fail(`${name} exited early (code ${code}, signal ${sig})`);
  });
  return child;
}

// Resolves when pred(line) held for a line of output (including earlier lines).
function waitLine(pred, ms, what) {
  return withTimeout(new Promise((resolve) => {
    const t = setInterval(() => {
      if (output.some(pred)) {
        clearInterval(t);
        resolve();
      }
    }, 100);
  }), ms).catch(() => { throw new Error(`no ${what} within ${ms} ms`); });
}

const count = (re) => output.filter((l) => re.test(l)).length;

// The "cable": a UNIX-socket relay between the streaming device and the signaling device.
const relay = { cut: false, sockets: new Set(), connections: 0 };
let ptyRelay = null; // the serial variant's cable (bridge_pty_relay.py)
function startRelay() {
  const server = net.createServer((down) => {
    if (relay.cut) {
      down.destroy();
      return;
    }
    relay.connections++;
    const up = transport === 'tcp' ? net.createConnection(sigPort, IP) : net.createConnection(sigSock);
    for (const s of [down, up]) {
      relay.sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => { relay.sockets.delete(s); down.destroy(); up.destroy(); });
    }
    down.pipe(up);
    up.pipe(down);
  });
  return new Promise((resolve) => {
    if (transport === 'tcp') server.listen(relayPort, IP, () => resolve(server));
    else server.listen(relaySock, () => resolve(server));
  });
}

async function frames() {
  return page.evaluate(() => (window.ertcViewer ? window.ertcViewer.stats.framesDecoded : 0));
}

async function waitFramesAbove(n, ms, what) {
  const t0 = Date.now();
  for (;;) {
    const f = await frames();
    if (f > n) return f;
    if (Date.now() - t0 > ms) throw new Error(`${what}: framesDecoded ${f} did not pass ${n} in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function main() {
  setTimeout(() => fail(`hard timeout of ${HARD_TIMEOUT_MS} ms`), HARD_TIMEOUT_MS).unref();
  const chromium = await loadChromium(webDir);
  const secret = randomBytes(16).toString('hex');

  step = 'signald starts';
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('edgertc-signald printed no "listening on" line')), 10_000);
    start('signald', signaldBin, ['--listen', `${IP}:0`, '--web', webDir,
      '--turn', `turn:${IP}:3478?transport=udp`, '--turn-secret', secret], (l) => {
      const m = /^edgertc-signald: listening on (http:\/\/\S+)/.exec(l);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    });
  });

  if (transport === 'serial') {
    step = 'pty cable';
    const relayPy = new URL('./bridge_pty_relay.py', import.meta.url).pathname;
    await withTimeout(new Promise((resolve) => {
      ptyRelay = start('ptyrelay', '/usr/bin/python3', [relayPy], (l) => {
        const m = /^PTYS (\S+) (\S+)$/.exec(l);
        if (m) {
          ep.signaling = `serial:${m[1]}`;
          ep.streaming = `serial:${m[2]}`;
          resolve();
        }
      });
    }), 10_000);
  }

  step = 'signaling-only device starts';
  const room = 'bridge' + randomBytes(4).toString('hex');
  start('signaling', deviceBin, ['--mode', 'signaling-only', '--bridge', ep.signaling,
    '--signaling', 'apprtc', '--server', base, '--room', room, '--log-level', 'info']);
  await waitLine((l) => l.startsWith('[signaling]') && /signaling: connected/.test(l), 15_000,
    'signaling-only device connected to signald');
  if (transport !== 'serial') await startRelay();

  step = 'viewer offers; the offer is queued';
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage();
  await page.goto(`${base}/r/${room}`);
  await waitLine((l) => /streaming device not ready, OFFER for .* queued/.test(l), 15_000,
    'queued OFFER on the signaling-only device');

  step = 'streaming-only device starts 5 s later';
  await new Promise((r) => setTimeout(r, STREAMING_DELAY_MS));
  start('streaming', deviceBin, ['--mode', 'streaming-only', '--bridge', ep.streaming,
    '--video', 'testsrc', '--audio', 'none', '--log-level', 'info']);
  await waitLine((l) => /streaming device ready, \d+ queued messages sent/.test(l), 15_000,
    'queue flushed on READY');

  step = 'page decodes video';
  const f1 = await waitFramesAbove(0, MEDIA_TIMEOUT_MS, 'first video');
  log(`video decoded (${f1} frames) after the delayed start`);

  step = 'TURN credentials reached the streaming device';
  await waitLine((l) => l.startsWith('[streaming:err]') && /app_webrtc: ICE servers: \d+ \([1-9]\d* TURN\)/.test(l),
    10_000, 'TURN server on the streaming device');
  if (output.some((l) => l.includes(secret))) throw new Error('the TURN secret appeared in a program\'s output');

  step = 'link cut and restored mid-session';
  const upsBefore = count(/^\[streaming:err\].*bridge link up/);
  if (transport === 'serial') {
    ptyRelay.kill('SIGUSR1'); // unplug: the keepalive must notice the silence
  } else {
    relay.cut = true;
    for (const s of relay.sockets) s.destroy();
  }
  await waitLine((l) => l.startsWith('[streaming:err]') && /bridge link down/.test(l), 10_000,
    'link loss seen by the streaming device');
  await new Promise((r) => setTimeout(r, 2_000));
  if (transport === 'serial') ptyRelay.kill('SIGUSR2');
  else relay.cut = false;
  const t0 = Date.now();
  while (count(/^\[streaming:err\].*bridge link up/) <= upsBefore) {
    if (Date.now() - t0 > 15_000) throw new Error('the streaming device did not reconnect the bridge in 15 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  await waitLine((l) => /streaming device ready/.test(l) && count(/streaming device ready/) >= 2, 10_000,
    'READY again after the reconnect');
  const f2 = await frames();
  const f3 = await waitFramesAbove(f2 + 10, 10_000, 'video after the link came back');
  log(`link restored (relay connections: ${relay.connections}); frames ${f2} -> ${f3}`);

  step = 'stop';
  finished = true;
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
  log(`split mode through the ${transport} bridge: OK`);
  process.exit(0);
}

main().catch((e) => fail(e.message));
