// tests/interop/device_reconnect.mjs — edgertc-device when its signaling server dies under a
// live session (issue 6 point 5, app_webrtc's reconnect policy end to end).
//
// Usage (inside a private network namespace, see run-in-netns.sh):
//   node device_reconnect.mjs <repo> <edgertc-signald> <edgertc-device>
//
// 1. signald and the device (MASTER, test pattern and tone, --events-json) start; page A
//    (headless Chromium) joins the room, offers and decodes the device's video.
// 2. signald is killed with SIGKILL (no goodbye to anyone). For DOWN_MS (4 s) the page's
//    framesDecoded must keep increasing, second after second, and its connection stay
//    "connected": a session does not depend on signaling.
// 3. signald is started again on the same address and port. The device must report
//    "signaling: connected" again, and its events JSON a second SIGNALING_CONNECTED.
// 4. Page A hangs up (an AppRTC room holds two); page B joins the room on the new server,
//    offers and decodes the device's video: the device serves new viewers after the restart.
// 5. SIGINT stops the device with status 0.
// Exit 0 on success, 1 with the reason and the device's output on failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS, loadChromium, startSignaldWith } from './interop_common.mjs';
import {
  closeViewer, makeTest, openViewer, readEvents, sleep, startDevice, stats, stopChild, waitDecoding,
} from './device_common.mjs';

const HARD_TIMEOUT_MS = 170_000;
const MEDIA_TIMEOUT_MS = 30_000;
// Down for less than the Collider's 10 s re-register window: the restarted server knows neither
// the room nor the device's client id, and the AppRTC backend must see that (the server's
// /status uptime) and join the room again rather than only re-register its old id. 4 s, not 3:
// the backend's retries (0.5, 1.5, 3.5, 7.5 s after the drop) then find the server back at
// 7.5 s, still inside the window, and page A's stats (sampled each second) have moved on by
// the time the test compares them.
const DOWN_MS = 4_000;
// The AppRTC backend retries after 0.5, 1, 2, 4, 8, 16 s, then app_webrtc waits 5, 10, ... s:
// the worst case after a restart is well under a minute.
const RECONNECT_TIMEOUT_MS = 60_000;
const t = makeTest('device_reconnect');

const [repo, signaldPath, device] = process.argv.slice(2);

// sd.killed = true before killing it on purpose: an exit is a failure otherwise.
function signald(webDir, listen) {
  const sd = { killed: false };
  Object.assign(sd, startSignaldWith(signaldPath, webDir, {
    log: t.log,
    finished: () => t.finished || sd.killed,
    onExit: (why) => t.fail(why),
  }, { listen, args: ['--log-level', 'info'], quiet: true }));
  t.children.push(sd.child);
  return sd;
}

async function main() {
  if (!repo || !signaldPath || !device) {
    console.error('usage: node device_reconnect.mjs <repo> <edgertc-signald> <edgertc-device>');
    process.exit(2);
  }
  setTimeout(() => t.fail(`hard timeout of ${HARD_TIMEOUT_MS} ms`), HARD_TIMEOUT_MS).unref();
  const webDir = path.join(repo, 'web');
  const chromium = await loadChromium(webDir);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ertc-device-reconnect-'));
  const events = path.join(tmp, 'events.jsonl');

  t.step = 'start signald';
  const first = signald(webDir);
  const base = await first.base;
  const listen = new URL(base).host;

  t.step = 'start the device';
  const room = `reconn${randomBytes(3).toString('hex')}`;
  const d = startDevice(t, device, ['--server', base, '--room', room, '--events-json', events,
    '--log-level', 'info']);
  await d.waitLine(/signaling: connected/, 15_000);

  t.step = 'page A decodes';
  t.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 20_000 });
  const a = await openViewer(t, 'A', `${base}/r/${room}?offer=1`);
  await waitDecoding(a, MEDIA_TIMEOUT_MS, 10, false);

  t.step = 'kill signald (SIGKILL)';
  const killedAt = d.lines.length;
  first.killed = true;
  await stopChild(first.child, 'SIGKILL', 5000);
  t.children.splice(t.children.indexOf(first.child), 1);
  t.log(`signald killed; page A must keep decoding for ${DOWN_MS} ms`);

  t.step = 'page A keeps decoding while signald is down';
  let prev = (await stats(a)).framesDecoded;
  const samples = [prev];
  for (let waited = 0; waited < DOWN_MS; waited += 1000) {
    await sleep(1000);
    const s = await stats(a);
    samples.push(s.framesDecoded);
    t.check(s.framesDecoded > prev, `framesDecoded stalled at ${s.framesDecoded} after ${waited + 1000} ms ` +
      `without signald (samples ${samples.join(' ')})`);
    prev = s.framesDecoded;
  }
  const aState = await a.evaluate(() => window.ertcViewer.state.connection);
  t.check(aState === 'connected', `page A's connection is ${aState} while signald is down`);
  t.log(`page A framesDecoded each second without signald: ${samples.join(' ')}`);

  t.step = 'restart signald on the same port';
  const second = signald(webDir, listen);
  const base2 = await second.base;
  t.check(base2 === base, `signald came back on ${base2}, not ${base}`);

  t.step = 'the device reconnects its signaling';
  const reconnectStart = Date.now();
  await d.waitLine(/signaling: connected/, RECONNECT_TIMEOUT_MS, killedAt);
  t.log(`device signaling connected again ${Date.now() - reconnectStart} ms after the restart`);
  const connectedEvents = readEvents(events).filter((e) => e.event === 'SIGNALING_CONNECTED');
  t.check(connectedEvents.length >= 2, `${connectedEvents.length} SIGNALING_CONNECTED event(s) in the JSON, expected 2`);
  t.check((await stats(a)).framesDecoded > prev, 'page A stopped decoding after the restart');

  t.step = 'page A hangs up';
  await closeViewer(t, 'A');

  t.step = 'page B joins the room on the new server and decodes';
  const b = await openViewer(t, 'B', `${base}/r/${room}?offer=1`);
  const sb = await waitDecoding(b, MEDIA_TIMEOUT_MS, 10, true);
  t.log(`page B decoded ${sb.framesDecoded} frames and ${sb.totalSamplesReceived} audio samples after the restart`);
  const errorsB = await b.evaluate(() => window.ertcViewer.errors);
  t.check(errorsB.length === 0, `page B errors: ${JSON.stringify(errorsB)}`);
  await closeViewer(t, 'B');

  t.step = 'SIGINT stops the device';
  const exit = await stopChild(d, 'SIGINT', 10_000);
  t.check(exit.code === 0, `the device exited ${JSON.stringify(exit)} after SIGINT`);
  t.step = 'done';
  await t.cleanup();
  rmSync(tmp, { recursive: true, force: true });
  t.log('PASS');
  process.exit(0);
}

main().catch((e) => t.fail(e.stack || e.message));
