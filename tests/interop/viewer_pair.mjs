// tests/interop/viewer_pair.mjs — two viewer pages in headless Chromium call each other through
// edgertc-signald (AppRTC room server + Collider) and exchange media and data-channel messages.
//
// Usage (inside a private network namespace, see run-in-netns.sh):
//   node viewer_pair.mjs <path to edgertc-signald> <repo>/web
//
// Page A joins first (initiator, ?send=canvas: sends a synthetic video and a tone), page B joins
// second (answers, receive-only). The test checks: both peer connections reach "connected";
// exactly one page is initiator; the selected candidate pairs use namespace addresses only; B
// decodes A's video; a data-channel message arrives each way; after B hangs up, A receives
// "bye", becomes initiator and re-offers (specs/apprtc.md §3.2, §3.3); no page reported an
// error. Exit 0 on success, 1 with the reason on failure (plus screenshots in the working
// directory, the build folder under ctest). Never skips: a missing Chromium is a failure.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  CHROMIUM, CHROMIUM_ARGS, LISTEN, NAMESPACE_PREFIX, loadChromium, startSignald, withTimeout,
} from './interop_common.mjs';

const HARD_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 20_000;
const STEP_TIMEOUT_MS = 10_000;

let step = 'start';
let signald = null;
let browser = null;
const pages = {};
let finished = false;

function log(...args) {
  console.log('[viewer_pair]', ...args);
}

async function fail(reason) {
  if (finished) return;
  finished = true;
  console.error(`[viewer_pair] FAIL at step "${step}": ${reason}`);
  for (const [name, page] of Object.entries(pages)) {
    try {
      const state = await withTimeout(page.evaluate(() => {
        const v = window.ertcViewer;
        return v && { phase: v.phase, state: v.state, isInitiator: v.isInitiator, clientId: v.clientId,
          stats: v.stats, errors: v.errors, dataMessages: v.dataMessages };
      }), 2000);
      console.error(`[viewer_pair] page ${name}: ${JSON.stringify(state)}`);
      const file = path.resolve(`viewer_pair-${name}.png`);
      await withTimeout(page.screenshot({ path: file }), 3000);
      console.error(`[viewer_pair] screenshot of page ${name}: ${file}`);
    } catch (e) {
      console.error(`[viewer_pair] page ${name}: no state/screenshot (${e.message})`);
    }
  }
  await cleanup();
  process.exit(1);
}

async function cleanup() {
  if (browser) {
    await withTimeout(browser.close(), 5000).catch(() => {});
    browser = null;
  }
  if (signald && signald.exitCode === null && signald.signalCode === null) {
    const exited = new Promise((resolve) => signald.once('exit', resolve));
    signald.kill('SIGTERM');
    await withTimeout(exited, 3000).catch(() => signald.kill('SIGKILL'));
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Starts edgertc-signald and resolves with its base URL from "edgertc-signald: listening on ...".
async function openViewer(name, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  pages[name] = page;
  page.on('console', (msg) => console.log(`[page ${name}] ${msg.text()}`));
  page.on('pageerror', (err) => console.log(`[page ${name}] uncaught: ${err.message}`));
  log(`page ${name}: ${url}`);
  await page.goto(url, { timeout: STEP_TIMEOUT_MS });
  return page;
}

async function viewerState(page) {
  return page.evaluate(() => JSON.parse(JSON.stringify(window.ertcViewer)));
}

async function waitFor(page, predicate, arg, timeout = STEP_TIMEOUT_MS) {
  await page.waitForFunction(predicate, arg, { timeout, polling: 100 });
}

async function main() {
  const [signaldPath, webDir] = process.argv.slice(2);
  if (!signaldPath || !webDir) {
    throw new Error('usage: node viewer_pair.mjs <edgertc-signald> <repo>/web');
  }
  step = 'load playwright-core';
  const chromium = await loadChromium(webDir);

  step = 'start signald';
  const started = startSignald(signaldPath, path.resolve(webDir), {
    log, finished: () => finished, onExit: (why) => { if (step !== 'start signald') fail(why); },
  });
  signald = started.child;
  const base = await started.base;
  log(`signald at ${base}`);
  check(new URL(base).hostname.startsWith(NAMESPACE_PREFIX), `signald listens on ${base}, not on ${LISTEN}`);

  step = 'launch chromium';
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 20_000 });
  log(`chromium ${browser.version()}`);

  const room = 'ertc' + randomBytes(5).toString('hex');
  let sa0;
  step = 'page A joins';
  const a = await openViewer('A', `${base}/r/${room}?send=canvas`);
  await waitFor(a, () => window.ertcViewer && (window.ertcViewer.clientId !== '' || window.ertcViewer.errors.length > 0));
  sa0 = await viewerState(a);
  check(sa0.errors.length === 0, `page A: ${JSON.stringify(sa0.errors)}`);
  step = 'page B joins';
  const b = await openViewer('B', `${base}/r/${room}`);

  step = 'both connect';
  const connected = () => window.ertcViewer && window.ertcViewer.state.connection === 'connected';
  await Promise.all([waitFor(a, connected, null, CONNECT_TIMEOUT_MS), waitFor(b, connected, null, CONNECT_TIMEOUT_MS)]);
  log('both peer connections are connected');

  step = 'check roles and states';
  let sa = await viewerState(a);
  let sb = await viewerState(b);
  check(sa.errors.length === 0 && sb.errors.length === 0,
    `errors reported: A ${JSON.stringify(sa.errors)} B ${JSON.stringify(sb.errors)}`);
  check(typeof sa.isInitiator === 'boolean' && typeof sb.isInitiator === 'boolean', 'isInitiator is not a boolean');
  check(sa.isInitiator !== sb.isInitiator, `expected one initiator, got A=${sa.isInitiator} B=${sb.isInitiator}`);
  check(sa.isInitiator, 'page A joined first but is not the initiator');
  check(/^\S+$/.test(sa.clientId) && /^\S+$/.test(sb.clientId) && sa.clientId !== sb.clientId,
    `client ids not distinct: "${sa.clientId}" "${sb.clientId}"`);
  for (const [name, s] of [['A', sa], ['B', sb]]) {
    check(s.state.signaling === 'stable', `page ${name}: signaling state ${s.state.signaling}, expected stable`);
    check(['connected', 'completed'].includes(s.state.ice), `page ${name}: ICE state ${s.state.ice}`);
    check(s.roomId === room, `page ${name}: room "${s.roomId}", expected "${room}"`);
  }

  step = 'selected candidate pairs use namespace addresses';
  // Under load Chromium may first select a peer-reflexive remote candidate, learned from a
  // check before the trickled candidate arrived; it shows its address as "?" until the
  // candidate is signalled. Wait for the addresses to be known; inside the namespace a
  // prflx candidate whose address stays hidden can only be a namespace address too.
  const pairKnown = () => {
    const st = window.ertcViewer.stats;
    return st.localCandidate !== '' && st.rttMs !== null && !st.remoteCandidate.startsWith('?');
  };
  await Promise.all([
    waitFor(a, pairKnown, undefined, 5000).catch(() => {}),
    waitFor(b, pairKnown, undefined, 5000).catch(() => {}),
  ]);
  sa = await viewerState(a);
  sb = await viewerState(b);
  for (const [name, s] of [['A', sa], ['B', sb]]) {
    log(`page ${name} path: ${s.stats.localCandidate} <-> ${s.stats.remoteCandidate}, rtt ${s.stats.rttMs} ms`);
    for (const c of [s.stats.localCandidate, s.stats.remoteCandidate]) {
      const hiddenPrflx = c.startsWith('?:') && c.endsWith(' prflx');
      check(c.startsWith(NAMESPACE_PREFIX) || hiddenPrflx,
            `page ${name}: candidate "${c}" is outside ${NAMESPACE_PREFIX}0/24`);
    }
  }

  // A click is the user gesture that lets A's tone (WebAudio) run and B play sound.
  step = 'click Unmute on both pages';
  await a.click('#unmute', { timeout: STEP_TIMEOUT_MS });
  await b.click('#unmute', { timeout: STEP_TIMEOUT_MS });

  step = 'B decodes A video and audio';
  await waitFor(b, () => {
    const s = window.ertcViewer.stats;
    return s.framesDecoded > 10 && s.codec.startsWith('video/') && s.audioCodec.startsWith('audio/') &&
      s.totalSamplesReceived > 0 && s.bitrateKbps > 0;
  });
  sb = await viewerState(b);
  log(`page B: codecs ${sb.stats.codec} + ${sb.stats.audioCodec}, ${sb.stats.framesDecoded} frames decoded, ` +
      `${sb.stats.fps} fps, ${sb.stats.bitrateKbps.toFixed(0)} kbit/s, ${sb.stats.totalSamplesReceived} audio samples`);

  step = 'data channel open';
  const dcOpen = () => window.ertcViewer.state.dataChannel === 'open';
  await Promise.all([waitFor(a, dcOpen), waitFor(b, dcOpen)]);

  step = 'data A -> B';
  const textAB = `hello B from A ${randomBytes(4).toString('hex')}`;
  await a.evaluate((t) => window.ertcViewer.sendData(t), textAB);
  await waitFor(b, (t) => window.ertcViewer.dataMessages.includes(t), textAB);

  step = 'data B -> A';
  const textBA = `hello A from B ${randomBytes(4).toString('hex')} \u00e9\u20ac`;
  await b.evaluate((t) => window.ertcViewer.sendData(t), textBA);
  await waitFor(a, (t) => window.ertcViewer.dataMessages.includes(t), textBA);
  log('data-channel messages arrived both ways');

  step = 'B hangs up, A gets bye and re-offers';
  await b.evaluate(() => window.ertcViewer.hangup());
  await waitFor(a, () => window.ertcViewer.byeCount === 1 && window.ertcViewer.isInitiator === true &&
    window.ertcViewer.state.signaling === 'have-local-offer');
  sb = await viewerState(b);
  check(sb.state.connection === 'closed' && sb.state.websocket === 'closed',
    `page B after hang-up: connection ${sb.state.connection}, websocket ${sb.state.websocket}`);

  step = 'A hangs up';
  await a.evaluate(() => window.ertcViewer.hangup());
  sa = await viewerState(a);
  sb = await viewerState(b);
  check(sa.errors.length === 0 && sb.errors.length === 0,
    `errors reported: A ${JSON.stringify(sa.errors)} B ${JSON.stringify(sb.errors)}`);

  step = 'shut down';
  finished = true;
  await cleanup();
  log('PASS');
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
