// tests/interop/relay_chromium.mjs — a relay-only camera through coturn, end to end: Debian's
// coturn (use-auth-secret) and edgertc-signald handing out TURN REST credentials for it, then
// edgertc-device --relay-only streaming to headless Chromium. The device's only ICE servers are
// the ones the AppRTC backend fetched from signald, so this also proves that TURN credentials
// travel from the signaling server through app_webrtc into the ICE agent.
//
// Usage (inside a private network namespace, see run-in-netns.sh):
//   node relay_chromium.mjs <edgertc-signald> <edgertc-device> <repo>/web [turnserver]
//
// Checks: the page decodes video (framesDecoded > 0); the selected pair's remote candidate, as
// Chromium sees it, is of type "relay" with an address from coturn's relay port range; the
// TURN secret appears in no program's output. Exit 0 on success, 1 with the reason and every program's output on failure.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, accessSync, constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS, loadChromium, withTimeout } from './interop_common.mjs';

const IP = '10.77.0.1';
const MEDIA_TIMEOUT_MS = 30_000;
const HARD_TIMEOUT_MS = 100_000;

const [signaldBin, deviceBin, webDir, turnBin = '/usr/bin/turnserver'] = process.argv.slice(2);
if (!signaldBin || !deviceBin || !webDir) {
  console.error('usage: node relay_chromium.mjs <edgertc-signald> <edgertc-device> <web> [turnserver]');
  process.exit(2);
}

let step = 'start';
let finished = false;
let browser = null;
let page = null;
const children = [];
const output = [];
const dir = mkdtempSync(path.join(tmpdir(), 'ertc-relay-'));

function log(...args) {
  console.log('[relay_chromium]', ...args);
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
  await new Promise((r) => setTimeout(r, 200)); // let the programs' last lines arrive
  console.error(`[relay_chromium] FAIL at step "${step}": ${reason}`);
  if (page) {
    const state = await withTimeout(page.evaluate(() => {
      const v = window.ertcViewer;
      return v ? JSON.stringify({ phase: v.phase, state: v.state, stats: v.stats, log: v.log.slice(-30) }, null, 1) : '';
    }), 3000).catch((e) => `no state (${e.message})`);
    console.error(`[relay_chromium] page: ${state}`);
  }
  await cleanup();
  console.error('[relay_chromium] output:\n' + output.slice(-150).join('\n'));
  try {
    console.error('[relay_chromium] coturn log tail:\n' +
      readFileSync(path.join(dir, 'turnserver.log'), 'utf8').split('\n').slice(-40).join('\n'));
  } catch { /* no log */ }
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}

// Spawns a program; its output lines go to the report, and onLine sees stdout lines.
function start(name, bin, args, onLine) {
  const shown = args.map((a, i) => (i > 0 && /secret|pass/.test(args[i - 1]) ? '****' : a));
  log(`starting ${name}: ${bin} ${shown.join(' ')}`);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  createInterface({ input: child.stdout }).on('line', (l) => {
    output.push(`[${name}] ${l}`);
    if (onLine) onLine(l);
  });
  createInterface({ input: child.stderr }).on('line', (l) => output.push(`[${name}:err] ${l}`));
  child.on('error', (e) => fail(`cannot start ${name} (${bin}): ${e.message}`));
  child.on('exit', (code, sig) => {
    if (!finished) fail(`${name} exited early (code ${code}, signal ${sig})`);
  });
  return child;
}

// coturn is ready when it answers a STUN Binding request on its port.
async function waitStun(port) {
  const t0 = Date.now();
  while (Date.now() - t0 < 10_000) {
    const ok = await new Promise((resolve) => {
      const sock = dgram.createSocket('udp4');
      const req = Buffer.alloc(20);
      req.writeUInt16BE(0x0001, 0); // Binding request, no attributes
      req.writeUInt32BE(0x2112a442, 4); // magic cookie
      randomBytes(12).copy(req, 8);
      const timer = setTimeout(() => { sock.close(); resolve(false); }, 300);
      sock.on('message', (msg) => {
        clearTimeout(timer);
        sock.close();
        resolve(msg.length >= 20 && msg.readUInt16BE(0) === 0x0101);
      });
      sock.on('error', () => { clearTimeout(timer); sock.close(); resolve(false); });
      sock.send(req, port, IP);
    });
    if (ok) return;
  }
  throw new Error(`coturn does not answer STUN on ${IP}:${port} within 10 s`);
}

async function main() {
  setTimeout(() => fail(`hard timeout of ${HARD_TIMEOUT_MS} ms`), HARD_TIMEOUT_MS).unref();
  try {
    accessSync(turnBin, constants.X_OK);
  } catch {
    throw new Error(`${turnBin} is missing: install the Debian package "coturn" (this test never skips)`);
  }
  const chromium = await loadChromium(webDir);

  step = 'coturn starts';
  const turnPort = 20000 + Math.floor(Math.random() * 20000);
  const relayBase = 45000 + Math.floor(Math.random() * 10000);
  const secret = randomBytes(16).toString('hex');
  writeFileSync(path.join(dir, 'turnserver.conf'), [
    `listening-ip=${IP}`, `relay-ip=${IP}`, `listening-port=${turnPort}`,
    `min-port=${relayBase}`, `max-port=${relayBase + 100}`, 'realm=edgertc.test', 'fingerprint',
    'use-auth-secret', `static-auth-secret=${secret}`, 'no-cli', 'no-tls', 'no-dtls', 'no-tcp',
    'no-tcp-relay', 'no-multicast-peers', `log-file=${path.join(dir, 'turnserver.log')}`,
    'simple-log', 'no-stdout-log', `pidfile=${path.join(dir, 'turnserver.pid')}`,
    `userdb=${path.join(dir, 'turndb')}`, '',
  ].join('\n'));
  start('coturn', turnBin, ['-c', path.join(dir, 'turnserver.conf')]);
  await waitStun(turnPort);

  step = 'signald starts';
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('edgertc-signald printed no "listening on" line')), 10_000);
    start('signald', signaldBin, ['--listen', `${IP}:0`, '--web', webDir,
      '--turn', `turn:${IP}:${turnPort}?transport=udp`, '--turn-secret', secret], (l) => {
      const m = /^edgertc-signald: listening on (http:\/\/\S+)/.exec(l);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    });
  });

  step = 'device starts (relay only, TURN from signald)';
  const room = 'relay' + randomBytes(4).toString('hex');
  let signalingUp;
  const signalingConnected = new Promise((r) => { signalingUp = r; });
  start('device', deviceBin, ['--signaling', 'apprtc', '--server', base, '--room', room,
    '--video', 'testsrc', '--audio', 'none', '--relay-only', '--log-level', 'info'], (l) => {
    if (/signaling: connected/.test(l)) signalingUp();
  });
  await withTimeout(signalingConnected, 15_000);

  step = 'page decodes video through the relay';
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage();
  await page.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    window.__pcs = [];
    window.RTCPeerConnection = function (...a) {
      const pc = new Native(...a);
      window.__pcs.push(pc);
      return pc;
    };
    window.RTCPeerConnection.prototype = Native.prototype;
  });
  await page.goto(`${base}/r/${room}`);
  const t0 = Date.now();
  let pair = null;
  for (;;) {
    const r = await page.evaluate(async () => {
      const pc = window.__pcs[window.__pcs.length - 1];
      const s = window.ertcViewer ? window.ertcViewer.stats : null;
      if (!pc) return { frames: s ? s.framesDecoded : 0 };
      const report = await pc.getStats();
      let selected = null;
      report.forEach((x) => {
        if (x.type === 'transport' && x.selectedCandidatePairId) selected = report.get(x.selectedCandidatePairId);
      });
      const remote = selected ? report.get(selected.remoteCandidateId) : null;
      return { frames: s ? s.framesDecoded : 0,
        remote: remote ? { type: remote.candidateType, address: remote.address, port: remote.port } : null };
    });
    if (r.frames > 0 && r.remote) {
      pair = r;
      break;
    }
    if (Date.now() - t0 > MEDIA_TIMEOUT_MS) {
      throw new Error(`no decoded video through the relay after ${MEDIA_TIMEOUT_MS} ms: ${JSON.stringify(r)}`);
    }
    await new Promise((res) => setTimeout(res, 500));
  }
  log(`decoded ${pair.frames} frames; Chromium's remote candidate: ${JSON.stringify(pair.remote)}`);
  if (pair.remote.type !== 'relay') {
    throw new Error(`the device's candidate in the selected pair is "${pair.remote.type}", not "relay"`);
  }
  if (pair.remote.address !== IP || pair.remote.port < relayBase || pair.remote.port > relayBase + 100) {
    throw new Error(`the relay address ${pair.remote.address}:${pair.remote.port} is not coturn's ` +
      `(${IP}:${relayBase}-${relayBase + 100})`);
  }
  if (output.some((l) => l.includes(secret))) throw new Error('the TURN secret appeared in a program\'s output');

  step = 'stop';
  finished = true;
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
  log('relay-only path through coturn: OK');
  process.exit(0);
}

main().catch((e) => fail(e.message));
