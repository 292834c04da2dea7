// tests/interop/ice_mdns_chromium.mjs — headless Chromium with its default mDNS candidates
// (host addresses hidden behind "<uuid>.local" names) against an edgertc ICE agent
// (ice_mdns_chromium.c) that must resolve those names by mDNS and connect through them.
//
// Usage (inside run-in-netns.sh): node ice_mdns_chromium.mjs <ice_mdns_chromium> <repo>/web
//
// Chromium runs WITHOUT --disable-features=WebRtcHideLocalIpsWithMdns (the other interop
// tests pass it). The page offers a data channel; every candidate it gathers must be a .local
// one. The agent gets Chromium's credentials and candidates first and resolves the names
// (Chromium's responder answers by multicast to 224.0.0.251:5353 only); only then does
// Chromium get the answer, so its checks cannot teach us its address peer-reflexively before
// mDNS did. Passes when the agent says PASS (connected through a resolved address, no
// peer-reflexive candidate) and Chromium's iceConnectionState is connected or completed.
// DTLS is not part of it (the fingerprint is a dummy; nobody sends a ClientHello).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CHROMIUM, CHROMIUM_ARGS, loadChromium, withTimeout } from './interop_common.mjs';

const HARD_TIMEOUT_MS = 60_000;
const MDNS_WAIT_MS = 8_000;
const CONNECT_WAIT_MS = 25_000;

let browser = null;
let agent = null;
let step = 'start';
const agentOut = [];
const waiters = [];

function log(...args) {
  console.log('[ice_mdns_chromium]', ...args);
}

async function cleanup() {
  if (browser) {
    await withTimeout(browser.close(), 5000).catch(() => {});
    browser = null;
  }
  if (agent && agent.exitCode === null && agent.signalCode === null) {
    const exited = new Promise((resolve) => agent.once('exit', resolve));
    agent.stdin.end();
    await withTimeout(exited, 3000).catch(() => agent.kill('SIGKILL'));
  }
}

async function fail(reason) {
  console.error(`[ice_mdns_chromium] FAIL at step "${step}": ${reason}`);
  console.error('[ice_mdns_chromium] agent output:\n' + agentOut.join('\n'));
  await cleanup();
  process.exit(1);
}

// Resolves with the first agent line (already printed or to come) matching re.
function agentLine(re, ms) {
  const seen = agentOut.find((l) => re.test(l));
  if (seen) return Promise.resolve(seen);
  return withTimeout(new Promise((resolve) => waiters.push({ re, resolve })), ms);
}

function startAgent(binary) {
  agent = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  const onLine = (tag) => (line) => {
    agentOut.push(tag + line);
    console.log(`[agent${tag}] ${line}`);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].re.test(tag + line)) waiters.splice(i, 1)[0].resolve(tag + line);
    }
  };
  createInterface({ input: agent.stdout }).on('line', onLine(''));
  createInterface({ input: agent.stderr }).on('line', onLine(':err '));
  agent.on('error', (e) => fail(`cannot start ${binary}: ${e.message}`));
  agent.on('exit', (code, signal) => agentOut.push(`(agent exited: code ${code}, signal ${signal})`));
}

function sdpValue(sdp, key) {
  const m = new RegExp(`^a=${key}:(.*)$`, 'm').exec(sdp);
  if (!m) throw new Error(`the offer has no a=${key}`);
  return m[1].trim();
}

// An answer for Chromium's data-channel offer with our credentials and candidates.
function buildAnswer(offer, ours) {
  const mid = sdpValue(offer, 'mid');
  const fingerprint = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, '0')).join(':');
  return [
    'v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0',
    `a=group:BUNDLE ${mid}`,
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 0.0.0.0',
    `a=mid:${mid}`, `a=ice-ufrag:${ours.ufrag}`, `a=ice-pwd:${ours.pwd}`,
    `a=fingerprint:sha-256 ${fingerprint}`, 'a=setup:active', 'a=sctp-port:5000',
    ...ours.candidates.map((c) => `a=${c}`), 'a=end-of-candidates', '',
  ].join('\r\n');
}

async function main() {
  const [agentBin, webDir] = process.argv.slice(2);
  if (!agentBin || !webDir) throw new Error('usage: ice_mdns_chromium.mjs <ice_mdns_chromium> <web dir>');
  setTimeout(() => fail(`hard timeout of ${HARD_TIMEOUT_MS} ms`), HARD_TIMEOUT_MS).unref();

  step = 'launch chromium';
  const chromium = await loadChromium(webDir);
  const args = CHROMIUM_ARGS.filter((a) => !a.includes('WebRtcHideLocalIpsWithMdns'));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: 20_000 });
  log(`chromium ${browser.version()}, mDNS candidates on (default features)`);
  const page = await browser.newPage();
  page.on('console', (m) => log(`[page] ${m.text()}`));

  step = 'chromium offers and gathers';
  const offer = await withTimeout(page.evaluate(async () => {
    const pc = new RTCPeerConnection();
    window.pc = pc;
    const cands = [];
    pc.onicecandidate = (e) => { if (e.candidate && e.candidate.candidate) cands.push(e.candidate.candidate); };
    pc.createDataChannel('probe');
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') resolve(); };
    });
    return { sdp: pc.localDescription.sdp, cands };
  }), 15_000);
  const udp = offer.cands.filter((c) => / udp /i.test(c));
  log(`chromium's candidates:\n  ${udp.join('\n  ')}`);
  if (udp.length === 0) throw new Error('Chromium gathered no UDP candidate');
  const raw = udp.filter((c) => !/ \S+\.local /.test(c));
  if (raw.length > 0) throw new Error(`Chromium signalled raw addresses, not mDNS names: ${raw.join(' | ')}`);

  step = 'agent starts';
  startAgent(agentBin);
  await agentLine(/^ready$/, 5000);
  const ours = {
    ufrag: (await agentLine(/^ufrag /, 100)).slice(6),
    pwd: (await agentLine(/^pwd /, 100)).slice(4),
    candidates: agentOut.filter((l) => l.startsWith('candidate ')).map((l) => l.slice(10)),
  };

  step = 'agent resolves the .local names';
  const t0 = performance.now();
  agent.stdin.write(`cred ${sdpValue(offer.sdp, 'ice-ufrag')} ${sdpValue(offer.sdp, 'ice-pwd')}\n`);
  for (const c of udp) agent.stdin.write(`cand ${c}\n`);
  agent.stdin.write('eoc\n');
  const mdns = await agentLine(/^mdns |^FAIL/, MDNS_WAIT_MS);
  log(`${mdns} (${(performance.now() - t0).toFixed(1)} ms after the candidates were written)`);
  if (!/ resolved=[1-9]/.test(mdns)) throw new Error(`no .local name resolved: ${mdns}`);

  step = 'chromium gets the answer and connects';
  const t1 = performance.now();
  await page.evaluate((sdp) => window.pc.setRemoteDescription({ type: 'answer', sdp }), buildAnswer(offer.sdp, ours));
  const verdict = await agentLine(/^PASS|^FAIL/, CONNECT_WAIT_MS);
  if (!verdict.startsWith('PASS')) throw new Error(verdict);
  const state = await withTimeout(page.evaluate(() => new Promise((resolve) => {
    const ok = () => ['connected', 'completed'].includes(window.pc.iceConnectionState);
    if (ok()) { resolve(window.pc.iceConnectionState); return; }
    window.pc.oniceconnectionstatechange = () => { if (ok()) resolve(window.pc.iceConnectionState); };
  })), CONNECT_WAIT_MS).catch(async () => `not connected (${await page.evaluate(() => window.pc.iceConnectionState)})`);
  if (!['connected', 'completed'].includes(state)) throw new Error(`Chromium's ICE is ${state}`);
  log(`${verdict}; Chromium iceConnectionState ${state}, ${(performance.now() - t1).toFixed(1)} ms after the answer`);

  step = 'stop';
  agent.stdin.write('quit\n');
  const exited = await withTimeout(new Promise((resolve) => {
    if (agent.exitCode !== null) resolve(agent.exitCode); else agent.once('exit', (code) => resolve(code));
  }), 5000);
  if (exited !== 0) throw new Error(`the agent exited with ${exited}`);
  await cleanup();
  log('PASS');
  process.exit(0);
}

main().catch((e) => fail(e.message));
