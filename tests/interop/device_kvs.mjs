// tests/interop/device_kvs.mjs — edgertc-device --signaling kvs through the KVS emulator
// (edgertc-signald --kvs, TLS with a CA made for the run) with peers in headless Chromium built
// from the official SDK's browser build (amazon-kinesis-video-streams-webrtc's
// kvs-webrtc.min.js: SignalingClient) and RTCPeerConnection (device_kvs.html, served by a
// small static server of this test). The control plane for the pages (Describe, Create,
// GetSignalingChannelEndpoint) is done in Node with @aws-sdk/client-kinesis-video; the
// WebSocket is presigned by the SDK in the page.
//
// Usage (inside a private network namespace, see run-in-netns.sh; ICE runs):
//   node device_kvs.mjs master|viewer|sessions <repo> <edgertc-signald> <edgertc-device>
//
// master    the device is MASTER; one JS viewer offers, decodes video (framesDecoded > 10)
//           and receives audio; connect times are printed.
// viewer    a JS master sends a canvas pattern and a tone; the device --role viewer
//           --receive-dir offers, receives, and python3-av decodes received.h264 and
//           received.opus (device_decode.py).
// sessions  the device is MASTER with --max-sessions 2: two JS viewers at once both decode; a
//           third is refused (PEER_CONNECTION_FAILED with LIMIT_EXCEEDED for its client id; it
//           never gets an answer: KVS has no BYE), and the first two keep decoding; when
//           the first hangs up, a fourth viewer is served.
// Every mode ends with SIGINT: the device exits 0. Exit 0 on success, 1 with the reason, the
// pages' state and the device's output on failure.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS, loadChromium, withTimeout } from './interop_common.mjs';
import {
  makeTest, readEvents, runToEnd, sleep, startDevice, stopChild,
} from './device_common.mjs';
import {
  ACCESS_KEY_ID, REGION, awsClients, channelArn, makeCerts, randomSecret, require, startEmulator,
} from './kvs_common.mjs';

const HARD_TIMEOUT_MS = 150_000;
const MEDIA_TIMEOUT_MS = 30_000;
const here = path.dirname(new URL(import.meta.url).pathname);
const [mode, repo, signaldPath, device] = process.argv.slice(2);
const t = makeTest(`device_kvs_${mode}`);

// Serves device_kvs.html at / and the SDK's browser build next to it, on loopback.
function startPageServer() {
  const sdk = path.join(repo, 'tests/js/node_modules/amazon-kinesis-video-streams-webrtc/dist/kvs-webrtc.min.js');
  const files = {
    '/': ['text/html', readFileSync(path.join(here, 'device_kvs.html'))],
    '/kvs-webrtc.min.js': ['text/javascript', readFileSync(sdk)],
  };
  const server = http.createServer((req, res) => {
    const f = files[req.url];
    res.writeHead(f ? 200 : 404, { 'content-type': f ? f[0] : 'text/plain' });
    res.end(f ? f[1] : 'not found');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ server, url: `http://127.0.0.1:${server.address().port}/` });
  }));
}

// A page in its own browser context; its state is window.kvsState (dumped on failure).
async function openPage(ctx, name) {
  const context = await t.browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => t.log(`page ${name} uncaught: ${e.message}`));
  await page.goto(ctx.pageUrl, { timeout: 10_000 });
  await page.waitForFunction(() => window.kvsState && window.kvsState.phase === 'ready', null, { timeout: 10_000 });
  t.pages[name] = page;
  return page;
}

async function pageState(page) {
  return page.evaluate(() => {
    const s = window.kvsState;
    return JSON.parse(JSON.stringify({ phase: s.phase, state: s.state, stats: s.stats, times: s.times, errors: s.errors, statuses: s.statuses }));
  });
}

async function endpointFor(ctx, role) {
  const kvsPkg = require('@aws-sdk/client-kinesis-video');
  const arn = await channelArn(ctx.kv, ctx.channel, true);
  const ep = await ctx.kv.send(new kvsPkg.GetSignalingChannelEndpointCommand({
    ChannelARN: arn,
    SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: role },
  }));
  return { channelARN: arn, endpoint: ep.ResourceEndpointList.find((e) => e.Protocol === 'WSS').ResourceEndpoint };
}

// A JS viewer page that offers to the channel's master; resolves with the page.
async function startViewer(ctx, name) {
  const page = await openPage(ctx, name);
  const ep = await endpointFor(ctx, 'VIEWER');
  await page.evaluate((o) => window.kvsViewer(o), {
    ...ep, region: REGION, credentials: ctx.credentials, clientId: `viewer-${name}`,
  });
  return page;
}

async function waitDecoding(page, ms, frames) {
  await page.waitForFunction((f) => {
    const s = window.kvsState.stats;
    return s.framesDecoded > f && s.totalSamplesReceived > 0;
  }, frames, { timeout: ms, polling: 200 });
  return pageState(page);
}

function deviceArgs(ctx, extra) {
  return ['--signaling', 'kvs', '--channel', ctx.channel, '--region', REGION, '--endpoint', ctx.emu.url,
    '--ca-cert', path.join(ctx.certs.dir, 'ca.pem'), '--events-json', ctx.events, '--log-level', 'info', ...extra];
}

// Starts the device; resolves with it and the ms from spawn to "signaling: connected".
async function startKvsDevice(ctx, extra) {
  const start = Date.now();
  const d = startDevice(t, device, deviceArgs(ctx, extra));
  await d.waitLine(/signaling: connected/, 15_000);
  return { d, connectMs: Date.now() - start };
}

async function stopDevice(d) {
  t.step = 'SIGINT stops the device';
  const exit = await stopChild(d, 'SIGINT', 10_000);
  t.check(exit.code === 0, `the device exited ${JSON.stringify(exit)} after SIGINT`);
}

// Runs the device to its end with the AWS keys of `keys` (undefined = unset) in its environment.
function runWithKeys(args, keys) {
  const env = { ...process.env };
  delete env.AWS_ACCESS_KEY_ID;
  delete env.AWS_SECRET_ACCESS_KEY;
  if (keys.id) env.AWS_ACCESS_KEY_ID = keys.id;
  if (keys.secret) env.AWS_SECRET_ACCESS_KEY = keys.secret;
  return withTimeout(new Promise((resolve, reject) => {
    const child = spawn(device, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (x) => { stdout += x; });
    child.stderr.on('data', (x) => { stderr += x; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  }), 5000);
}

// Usage errors of the KVS flags: exit 2 naming what is wrong, before anything starts.
async function kvsUsageErrors(ctx) {
  const keys = { id: ACCESS_KEY_ID, secret: ctx.credentials.secretAccessKey };
  const cases = [
    [deviceArgs(ctx, []).map((a) => (a === ctx.channel ? 'bad channel!' : a)), keys, /--channel "bad channel!"/],
    [deviceArgs(ctx, []), { id: ACCESS_KEY_ID }, /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/],
    [deviceArgs(ctx, []), {}, /AWS_ACCESS_KEY_ID/],
    [deviceArgs(ctx, ['--region', 'US WEST']), keys, /--region "US WEST"/],
    [['--signaling', 'kvs', '--endpoint', ctx.emu.url], keys, /--channel NAME/],
  ];
  for (const [args, env, re] of cases) {
    const r = await runWithKeys(args, env);
    t.check(r.code === 2 && re.test(r.stderr) && !/signaling: connecting/.test(r.stdout),
      `${args.join(' ')}: exit ${r.code}, stderr ${r.stderr}`);
    t.check(!r.stderr.includes(keys.secret) && !r.stdout.includes(keys.secret), 'the secret key was printed');
  }
  t.log(`usage errors: ${cases.length} command lines exit 2 naming the problem`);
}

async function modeMaster(ctx) {
  t.step = 'KVS usage errors';
  await kvsUsageErrors(ctx);
  t.step = 'the device connects as MASTER';
  const { d, connectMs } = await startKvsDevice(ctx, ['--max-sessions', '2']);
  t.step = 'a JS viewer decodes the device';
  const page = await startViewer(ctx, 'a');
  const s = await waitDecoding(page, MEDIA_TIMEOUT_MS, 10);
  const tm = s.times;
  t.log(`figures: device control plane + WebSocket ${connectMs} ms; viewer: signaling open ${tm.open - tm.start} ms, ` +
        `offer -> answer ${tm.answer - tm.offerSent} ms, -> connected ${tm.connected - tm.offerSent} ms, ` +
        `-> first frame ${tm.firstFrame - tm.offerSent} ms (all from offer sent); ` +
        `${s.stats.framesDecoded} frames, ${s.stats.totalSamplesReceived} audio samples`);
  t.check(s.errors.length === 0, `page errors: ${s.errors.join('; ')}`);
  await page.evaluate(() => window.kvsHangup());
  await stopDevice(d);
  const ev = readEvents(ctx.events);
  t.check(ev.some((e) => e.event === 'PEER_CONNECTED' && e.peer_id === 'viewer-a'), 'no PEER_CONNECTED for viewer-a');
}

async function modeViewer(ctx) {
  t.step = 'a JS master opens the channel';
  const page = await openPage(ctx, 'master');
  const ep = await endpointFor(ctx, 'MASTER');
  await page.evaluate((o) => window.kvsMaster(o), { ...ep, region: REGION, credentials: ctx.credentials });
  await page.waitForFunction(() => window.kvsState.phase === 'open', null, { timeout: 10_000 });
  t.step = 'the device connects as VIEWER and receives';
  const dir = mkdtempSync(path.join(ctx.tmp, 'recv-'));
  const { d, connectMs } = await startKvsDevice(ctx, ['--role', 'viewer', '--receive-dir', dir]);
  await d.waitLine(/peer \S+: streaming/, MEDIA_TIMEOUT_MS);
  await page.waitForFunction(() => Object.values(window.kvsState.peers).some((p) => p.state === 'connected'),
    null, { timeout: MEDIA_TIMEOUT_MS });
  const s = await pageState(page);
  t.log(`figures: device control plane + WebSocket ${connectMs} ms; master page: offer at ${s.times.offer} ms, ` +
        `answer sent ${s.times.answerSent - s.times.offer} ms later, connected ${s.times.connected - s.times.offer} ms after the offer`);
  await sleep(5000);
  await stopDevice(d);
  t.check(d.lines.some((l) => l.includes(`received media written to ${dir}/received.h264`)),
    'no "received media written to" line');
  t.step = 'python3-av decodes the received files';
  const r = await runToEnd('/usr/bin/python3', [path.join(repo, 'tests/interop/device_decode.py'), dir], 30_000);
  t.log(`device_decode.py: ${r.stdout.trim()} ${r.stderr.trim()}`);
  t.check(r.code === 0, `device_decode.py exited ${r.code}`);
  const ev = readEvents(ctx.events);
  t.check(ev.some((e) => e.event === 'SENT_OFFER'), 'the device sent no offer');
}

async function modeSessions(ctx) {
  t.step = 'the device connects as MASTER with --max-sessions 2';
  const { d } = await startKvsDevice(ctx, ['--max-sessions', '2']);
  t.step = 'viewers a and b decode at once';
  const a = await startViewer(ctx, 'a');
  const b = await startViewer(ctx, 'b');
  await waitDecoding(a, MEDIA_TIMEOUT_MS, 10);
  await waitDecoding(b, MEDIA_TIMEOUT_MS, 10);
  t.step = 'viewer c is refused';
  const c = await startViewer(ctx, 'c');
  await d.waitLine(/peer viewer-c: connection failed/, 10_000);
  const refused = readEvents(ctx.events).filter((e) => e.event === 'PEER_CONNECTION_FAILED');
  t.check(refused.length === 1 && refused[0].peer_id === 'viewer-c' && /limit/i.test(refused[0].message),
    `expected one refusal of viewer-c for the session limit: ${JSON.stringify(refused)}`);
  t.log(`refusal: ${JSON.stringify(refused[0])}`);
  for (const l of d.lines.filter((x) => x.includes('viewer-c'))) t.log(`device: ${l}`);
  const a0 = (await pageState(a)).stats.framesDecoded;
  const b0 = (await pageState(b)).stats.framesDecoded;
  await sleep(4000);
  const sa = await pageState(a);
  const sb = await pageState(b);
  const sc = await pageState(c);
  t.log(`after 4 s: a ${a0} -> ${sa.stats.framesDecoded} frames, b ${b0} -> ${sb.stats.framesDecoded}; ` +
        `c: phase ${sc.phase}, state ${sc.state}, answer ${sc.times.answer ?? 'none'}, ` +
        `status responses ${JSON.stringify(sc.statuses)}, errors ${JSON.stringify(sc.errors)}`);
  t.check(sa.stats.framesDecoded - a0 > 30, 'viewer a stopped decoding after the refusal');
  t.check(sb.stats.framesDecoded - b0 > 30, 'viewer b stopped decoding after the refusal');
  t.check(sc.times.answer === undefined && sc.stats.framesDecoded === 0, 'viewer c was answered or decodes');
  const connected = readEvents(ctx.events).filter((e) => e.event === 'PEER_CONNECTED').map((e) => e.peer_id).sort();
  t.check(JSON.stringify(connected) === '["viewer-a","viewer-b"]', `connected peers: ${connected}`);

  t.step = 'viewer a hangs up; viewer d takes its place';
  // KVS has no BYE: the device learns of the hang-up from the DTLS close (or ICE failing).
  const hangup = Date.now();
  await a.evaluate(() => window.kvsHangup());
  await d.waitLine(/peer viewer-a: disconnected/, 15_000);
  t.log(`the device saw viewer a's hang-up after ${Date.now() - hangup} ms`);
  const vd = await startViewer(ctx, 'd');
  const sd = await waitDecoding(vd, MEDIA_TIMEOUT_MS, 10);
  t.log(`viewer d decodes (${sd.stats.framesDecoded} frames) once viewer a left`);
  await stopDevice(d);
}

async function main() {
  const modes = { master: modeMaster, viewer: modeViewer, sessions: modeSessions };
  if (!modes[mode] || !repo || !signaldPath || !device) {
    console.error('usage: node device_kvs.mjs master|viewer|sessions <repo> <edgertc-signald> <edgertc-device>');
    process.exit(2);
  }
  setTimeout(() => t.fail(`hard timeout of ${HARD_TIMEOUT_MS} ms`), HARD_TIMEOUT_MS).unref();
  const chromium = await loadChromium(path.join(repo, 'web'));
  const ctx = { channel: `dev-kvs-${mode}-${randomBytes(3).toString('hex')}` };
  ctx.tmp = mkdtempSync(path.join(os.tmpdir(), 'ertc-device-kvs-'));
  ctx.events = path.join(ctx.tmp, 'events.jsonl');

  t.step = 'start the KVS emulator and the page server';
  ctx.certs = makeCerts();
  const secret = randomSecret();
  ctx.credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: secret };
  ctx.emu = await startEmulator({ binary: signaldPath, certs: ctx.certs, secret, log: t.log });
  t.children.push(ctx.emu.child);
  ctx.emu.child.lines = null;
  ({ kv: ctx.kv } = awsClients(ctx.emu.url, ctx.credentials, ctx.certs.ca));
  const pages = await startPageServer();
  ctx.pageUrl = pages.url;
  // The device reads its keys from the environment (never from the command line).
  process.env.AWS_ACCESS_KEY_ID = ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = secret;
  delete process.env.AWS_SESSION_TOKEN;
  t.browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, timeout: 20_000,
    args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
  });

  await modes[mode](ctx);

  t.step = 'done';
  await t.cleanup();
  pages.server.close();
  ctx.certs.cleanup();
  rmSync(ctx.tmp, { recursive: true, force: true });
  t.log('PASS');
  process.exit(0);
}

main().catch((e) => t.fail(e.stack || e.message));
