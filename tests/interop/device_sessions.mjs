// tests/interop/device_sessions.mjs — edgertc-device --max-sessions 1 with viewers that come
// one after the other through one AppRTC room (issue 6 point 5, as far as AppRTC allows).
//
// Usage (inside a private network namespace, see run-in-netns.sh):
//   node device_sessions.mjs <repo> <edgertc-signald> <edgertc-device>
//
// An AppRTC room holds two clients (the device and one viewer), and the AppRTC backend names
// the remote peer anew only after a "bye": two live sessions at once cannot be made through
// one room, so "two viewers at once and a third refused" needs a multi-viewer backend (KVS).
// What this test shows with --max-sessions 1:
//   1. page A joins, offers and decodes; it hangs up (bye): the device ends that session;
//   2. page B joins: it is served (the closed session does not count against the limit);
//   3. page B vanishes without a bye (the test removes it from the room server and the
//      Collider, as a crashed tab would be after the Collider's 10 s): page C joins with the
//      same AppRTC peer name, its offer replaces B's session instead of being refused, and C
//      decodes while B's media stops;
//   4. the device never refused a peer (no PEER_CONNECTION_FAILED / LIMIT_EXCEEDED), and it
//      stops with status 0 on SIGINT.
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
const t = makeTest('device_sessions');

const [repo, signaldPath, device] = process.argv.slice(2);

// Waits until the device's JSON log has `count` PEER_DISCONNECTED events.
async function waitDisconnects(events, count, ms) {
  const start = Date.now();
  for (;;) {
    const n = readEvents(events).filter((e) => e.event === 'PEER_DISCONNECTED').length;
    if (n >= count) return;
    if (Date.now() - start > ms) throw new Error(`${n} PEER_DISCONNECTED event(s) after ${ms} ms, expected ${count}`);
    await sleep(100);
  }
}

async function main() {
  if (!repo || !signaldPath || !device) {
    console.error('usage: node device_sessions.mjs <repo> <edgertc-signald> <edgertc-device>');
    process.exit(2);
  }
  setTimeout(() => t.fail(`hard timeout of ${HARD_TIMEOUT_MS} ms`), HARD_TIMEOUT_MS).unref();
  const webDir = path.join(repo, 'web');
  const chromium = await loadChromium(webDir);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ertc-device-sessions-'));
  const events = path.join(tmp, 'events.jsonl');

  t.step = 'start signald and the device';
  const sd = startSignaldWith(signaldPath, webDir, {
    log: t.log, finished: () => t.finished, onExit: (why) => t.fail(why),
  }, { quiet: true, args: ['--log-level', 'warn'] });
  t.children.push(sd.child);
  const base = await sd.base;
  const room = `sess${randomBytes(3).toString('hex')}`;
  const d = startDevice(t, device, ['--server', base, '--room', room, '--max-sessions', '1',
    '--events-json', events, '--log-level', 'info']);
  await d.waitLine(/signaling: connected/, 15_000);
  t.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 20_000 });

  t.step = 'page A decodes, then hangs up';
  const a = await openViewer(t, 'A', `${base}/r/${room}?offer=1`);
  await waitDecoding(a, MEDIA_TIMEOUT_MS, 10, true);
  await closeViewer(t, 'A');
  await waitDisconnects(events, 1, 10_000);

  t.step = 'page B is served after A';
  const b = await openViewer(t, 'B', `${base}/r/${room}?offer=1`);
  await waitDecoding(b, MEDIA_TIMEOUT_MS, 10, true);
  const clientB = await b.evaluate(() => window.ertcViewer.clientId);

  t.step = 'page B vanishes without a bye';
  // What the Collider does for a client whose socket is gone for 10 s: DELETE, which also
  // takes it out of the room server's room. B's peer connection stays open in the browser.
  const del = await fetch(`${base}/${room}/${clientB}`, { method: 'DELETE' });
  t.check(del.ok, `DELETE /${room}/${clientB}: HTTP ${del.status}`);
  await b.waitForFunction(() => window.ertcViewer.state.websocket === 'closed', null, { timeout: 5000 });

  t.step = 'page C replaces B';
  const c = await openViewer(t, 'C', `${base}/r/${room}?offer=1`);
  const sc = await waitDecoding(c, MEDIA_TIMEOUT_MS, 10, true);
  t.log(`page C decoded ${sc.framesDecoded} frames with --max-sessions 1`);
  await waitDisconnects(events, 2, 10_000); // B's session, replaced
  const b0 = (await stats(b)).framesDecoded;
  await sleep(3000);
  const b1 = (await stats(b)).framesDecoded;
  t.check(b1 - b0 <= 5, `page B still decodes (${b0} -> ${b1}) after its session was replaced`);
  t.check(d.lines.some((l) => /replaced by a new offer/.test(l)), 'the device did not log the replacement');

  t.step = 'nothing was refused';
  const ev = readEvents(events);
  const refused = ev.filter((e) => e.event === 'PEER_CONNECTION_FAILED');
  t.check(refused.length === 0, `refused or failed: ${JSON.stringify(refused)}`);
  const requested = ev.filter((e) => e.event === 'PEER_CONNECTION_REQUESTED').length;
  t.check(requested === 3, `${requested} sessions requested, expected 3 (A, B, C)`);
  await closeViewer(t, 'C');
  await closeViewer(t, 'B');
  await sleep(1000);
  const seq = readEvents(events).filter((e) => e.peer_id && !/ICE_CANDIDATE/.test(e.event))
    .map((e) => `${e.peer_id.replace('apprtc-peer-', 'p')}:${e.event}${e.message ? `(${e.message})` : ''}`);
  t.log(`session events: ${seq.join(' ')}`);

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
