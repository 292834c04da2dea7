// tests/interop/device_cli.mjs — edgertc-device's command line as a user meets it, and its
// reception path, against edgertc-signald and headless Chromium.
//
// Usage (inside a private network namespace, see run-in-netns.sh):
//   node device_cli.mjs <repo> <edgertc-signald> <edgertc-device>
//
// Checks:
//   1. --help exits 0 and lists every flag and the exit statuses;
//   2. bad flags exit 2 with a message naming the flag; a TURN password never shows up;
//   3. --signaling bridge exits 3 (not in this build) naming the backend (kvs: device_kvs.mjs);
//   4. --duration 3 stops the device by itself with status 0; its --events-json lines are
//      JSON objects (SIGNALING_CONNECTED among them);
//   5. MASTER with --receive-dir, the page offering and sending (?offer=1&send=canvas): the
//      page decodes the device's video, the device writes received.h264 / received.opus and
//      python3-av decodes both (device_decode.py); the session events carry the metrics;
//   6. --role viewer with --receive-dir, the page joined first waiting (?offer=0&send=canvas):
//      the device offers, the page decodes, the device's files decode.
// Exit 0 on success, 1 with the reason (and the device's output) on failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS, loadChromium, startSignaldWith } from './interop_common.mjs';
import {
  closeViewer, makeTest, openViewer, readEvents, runToEnd, sleep, startDevice, stopChild, waitDecoding,
} from './device_common.mjs';

const HARD_TIMEOUT_MS = 150_000;
const MEDIA_TIMEOUT_MS = 30_000;
const RECEIVE_MS = 4_000; // how long the page sends before the device stops
const t = makeTest('device_cli');
let tmp = null;

const [repo, signaldPath, device] = process.argv.slice(2);

const ALL_FLAGS = ['--signaling', '--role', '--server', '--room', '--ca-cert', '--channel', '--region',
  '--endpoint', '--video', '--audio', '--receive-dir', '--stun', '--turn', '--turn-user', '--turn-pass',
  '--relay-only', '--max-sessions', '--duration', '--events-json', '--log-level', '--help'];

async function checkHelp() {
  t.step = '--help';
  const r = await runToEnd(device, ['--help'], 5000);
  t.check(r.code === 0, `--help exited ${r.code}`);
  for (const f of ALL_FLAGS) t.check(r.stdout.includes(f), `--help does not mention ${f}`);
  t.check(/Exit status/.test(r.stdout) && /\b3\b/.test(r.stdout), '--help does not document the exit statuses');
  t.log(`--help: ${r.stdout.split('\n').length} lines, every flag and the exit statuses`);
}

async function checkBadFlags() {
  const srv = ['--server', 'http://10.77.0.1:1', '--room', 'r1'];
  const cases = [
    [['--bogus'], '--bogus'],
    [['--room', 'r1'], '--server'],
    [['--server', 'http://10.77.0.1:1'], '--room'],
    [['--server', 'ftp://10.77.0.1', '--room', 'r1'], '--server'],
    [[...srv.slice(0, 2), '--room', 'no spaces!'], '--room'],
    [[...srv, '--role', 'boss'], '--role'],
    [[...srv, '--signaling', 'sip'], '--signaling'],
    [[...srv, '--video', '/nonexistent/clip.h264'], '--video'],
    [[...srv, '--audio', 'mic'], '--audio'],
    [[...srv, '--receive-dir', '/nonexistent/dir'], '--receive-dir'],
    [[...srv, '--max-sessions', '0'], '--max-sessions'],
    [[...srv, '--max-sessions', 'many'], '--max-sessions'],
    [[...srv, '--duration', '-1'], '--duration'],
    [[...srv, '--duration'], '--duration'],
    [[...srv, '--log-level', 'loud'], '--log-level'],
    [[...srv, '--stun', 'http://10.77.0.1'], '--stun'],
    [[...srv, '--turn', 'turn:10.77.0.1:3478', '--turn-pass', 'pw-Zq81xK'], '--turn'],
    [[...srv, '--relay-only=yes'], '--relay-only'],
    [[...srv, '--video', 'none', '--audio', 'none'], '--video'],
  ];
  for (const [args, flag] of cases) {
    t.step = `bad flags: ${args.join(' ')}`;
    const r = await runToEnd(device, args, 5000);
    const out = r.stdout + r.stderr;
    t.check(r.code === 2, `exited ${r.code} (signal ${r.signal}), expected 2; output: ${out}`);
    t.check(r.stderr.includes(flag), `the message does not name ${flag}: ${JSON.stringify(r.stderr)}`);
    t.check(!out.includes('pw-Zq81xK'), 'the TURN password was printed');
    t.check(!/signaling: connecting/.test(r.stdout), 'the device started despite the bad flag');
  }
  t.log(`bad flags: ${cases.length} cases exit 2 naming the flag`);
}

async function checkUnavailable() {
  for (const [args, name] of [[['--signaling', 'bridge'], 'bridge']]) {
    t.step = `--signaling ${name}`;
    const r = await runToEnd(device, args, 5000);
    t.check(r.code === 3, `--signaling ${name} exited ${r.code}, expected 3; stderr: ${r.stderr}`);
    t.check(r.stderr.includes(name) && /not available/.test(r.stderr), `unclear message: ${r.stderr}`);
  }
  t.log('--signaling bridge: exit 3, "not available in this build"');
}

async function checkDuration(base) {
  t.step = '--duration 3';
  const events = path.join(tmp, 'duration.jsonl');
  const started = Date.now();
  const d = startDevice(t, device, ['--server', base, '--room', `dur${randomBytes(3).toString('hex')}`,
    '--duration', '3', '--events-json', events], 'device-duration');
  const exit = await stopChild(d, 0, 15_000).catch(() => null); // signal 0: only wait
  t.check(exit !== null, 'the device did not stop by itself within 15 s of --duration 3');
  t.check(exit.code === 0, `--duration 3 exited ${JSON.stringify(exit)}, expected 0`);
  const secs = (Date.now() - started) / 1000;
  t.check(secs >= 2.9, `stopped after ${secs.toFixed(1)} s, before the 3 s of --duration`);
  t.check(d.lines.some((l) => /stopping \(--duration reached\)/.test(l)), 'no "stopping (--duration reached)" line');
  const ev = readEvents(events);
  const names = ev.map((e) => e.event);
  t.check(names.includes('SIGNALING_CONNECTED'), `no SIGNALING_CONNECTED in ${names.join(' ')}`);
  for (const e of ev) {
    t.check(Number.isFinite(e.time_ms) && typeof e.event === 'string' && Number.isInteger(e.event_id) &&
      typeof e.peer_id === 'string' && typeof e.message === 'string', `event without its fields: ${JSON.stringify(e)}`);
  }
  t.log(`--duration 3: exit 0 after ${secs.toFixed(1)} s; ${ev.length} JSON events (${[...new Set(names)].join(' ')})`);
}

const METRIC_FIELDS = ['offer_received_ms', 'answer_sent_ms', 'dtls_connected_ms', 'streaming_started_ms',
  'first_video_frame_sent_ms', 'first_key_frame_sent_ms'];

// The device receives the page's canvas video and tone and writes them; both must decode.
async function receiveCase(base, role) {
  const viewer = role === 'viewer';
  const dir = mkdtempSync(path.join(tmp, `recv-${role}-`));
  const events = path.join(dir, 'events.jsonl');
  const room = `rx${role}${randomBytes(3).toString('hex')}`;
  const args = ['--server', base, '--room', room, '--receive-dir', dir, '--events-json', events,
    '--log-level', 'info', ...(viewer ? ['--role', 'viewer'] : [])];
  let page;
  let d;
  if (viewer) {
    t.step = `${role}: the page joins first and waits`;
    page = await openViewer(t, role, `${base}/r/${room}?offer=0&send=canvas`);
    await page.waitForFunction(() => window.ertcViewer.state.websocket === 'registered', null, { timeout: 10_000 });
    d = startDevice(t, device, args, `device-${role}`);
  } else {
    d = startDevice(t, device, args, `device-${role}`);
    t.step = `${role}: the device joins`;
    await d.waitLine(/signaling: connected/, 15_000);
    page = await openViewer(t, role, `${base}/r/${room}?offer=1&send=canvas`);
  }
  t.step = `${role}: the page decodes the device's video`;
  const s = await waitDecoding(page, MEDIA_TIMEOUT_MS);
  t.log(`${role}: page decoded ${s.framesDecoded} frames, ${s.totalSamplesReceived} audio samples; sends ` +
        `${s.sendBitrateKbps} kbit/s`);
  if (!viewer) {
    // The page's send bitrate is computed between two stats samples a second apart.
    const sending = await page.waitForFunction(() => window.ertcViewer.stats.sendBitrateKbps > 0,
      null, { timeout: 5_000 }).then(() => true, () => false);
    t.check(sending, 'the page sends nothing');
  }
  await sleep(RECEIVE_MS);
  t.step = `${role}: hang up and stop the device`;
  await closeViewer(t, role);
  await d.waitLine(/peer \S+: disconnected/, 10_000);
  const exit = await stopChild(d, 'SIGINT', 10_000);
  t.check(exit.code === 0, `the device exited ${JSON.stringify(exit)} after SIGINT`);
  t.check(d.lines.some((l) => l.includes(`received media written to ${dir}/received.h264`)),
    'no "received media written to" line');

  t.step = `${role}: --events-json metrics`;
  const ev = readEvents(events);
  const withMetrics = ev.filter((e) => e.metrics);
  t.check(withMetrics.length > 0, 'no event carries "metrics"');
  const last = withMetrics[withMetrics.length - 1];
  t.check(last.event === 'PEER_DISCONNECTED', `the last session event is ${last.event}`);
  const m = last.metrics;
  const fields = viewer ? METRIC_FIELDS.map((f) => f.replace('offer_received', 'offer_sent')
    .replace('answer_sent', 'answer_received')) : METRIC_FIELDS;
  for (const f of fields) t.check(Number.isFinite(m[f]) && m[f] > 0, `metrics.${f} missing: ${JSON.stringify(m)}`);
  for (const f of ['bytes_sent', 'bytes_received', 'packets_sent', 'packets_received']) {
    t.check(m[f] > 0, `metrics.${f} is ${m[f]}`);
  }
  t.check(m.initiator === viewer, `metrics.initiator is ${m.initiator}, expected ${viewer}`);
  t.log(`${role}: ${ev.length} JSON events; last metrics ${JSON.stringify(m)}`);

  t.step = `${role}: python3-av decodes the received files`;
  const r = await runToEnd('/usr/bin/python3', [path.join(repo, 'tests/interop/device_decode.py'), dir], 30_000);
  t.log(`${role}: device_decode.py: ${r.stdout.trim()} ${r.stderr.trim()}`);
  t.check(r.code === 0, `python3-av could not decode the received media (exit ${r.code})`);
  const dec = JSON.parse(r.stdout);
  t.check(dec.video.frames >= 30, `only ${dec.video.frames} video frames decoded`);
  t.check(dec.audio.samples >= 48000, `only ${dec.audio.samples} audio samples decoded`);
}

async function main() {
  if (!repo || !signaldPath || !device) {
    console.error('usage: node device_cli.mjs <repo> <edgertc-signald> <edgertc-device>');
    process.exit(2);
  }
  setTimeout(() => t.fail(`hard timeout of ${HARD_TIMEOUT_MS} ms`), HARD_TIMEOUT_MS).unref();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ertc-device-cli-'));
  const chromium = await loadChromium(path.join(repo, 'web'));

  await checkHelp();
  await checkBadFlags();
  await checkUnavailable();

  t.step = 'start signald';
  const sd = startSignaldWith(signaldPath, path.join(repo, 'web'), {
    log: t.log, finished: () => t.finished, onExit: (why) => t.fail(why),
  }, { quiet: true, args: ['--log-level', 'warn'] });
  t.children.push(sd.child);
  const base = await sd.base;
  await checkDuration(base);

  t.step = 'launch chromium';
  // The canvas sender's tone (WebAudio) needs no click with this policy.
  t.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'], timeout: 20_000 });
  await receiveCase(base, 'master');
  await receiveCase(base, 'viewer');

  t.step = 'done';
  await t.cleanup();
  rmSync(tmp, { recursive: true, force: true });
  t.log('PASS');
  process.exit(0);
}

main().catch((e) => t.fail(e.stack || e.message));
