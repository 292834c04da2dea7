// tests/interop/demo_chromium.mjs — `make demo` as a person uses it, with headless Chromium as
// the person: scripts/demo starts edgertc-signald and edgertc-device (AppRTC backend, live test
// pattern and tone), the page at the URL it prints watches the camera, Ctrl-C stops both.
//
// Usage (inside a private network namespace, see run-in-netns.sh):
//   node demo_chromium.mjs <repo> <build-dir>
//
// Checks: the page decodes video frames (getStats framesDecoded > 0) and receives audio samples
// (totalSamplesReceived > 0) within 30 s of opening; after SIGINT the demo exits 0 within 10 s
// and neither program is left running. Exit 0 on success, 1 with the reason and the demo's
// output on failure.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS, loadChromium, withTimeout } from './interop_common.mjs';

const MEDIA_TIMEOUT_MS = 30_000;
const URL_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const HARD_TIMEOUT_MS = 110_000;

const [repo, buildDir] = process.argv.slice(2);
if (!repo || !buildDir) {
  console.error('usage: node demo_chromium.mjs <repo> <build-dir>');
  process.exit(2);
}

let step = 'start';
let demo = null;
let demoExit = null;
const demoOut = [];
let browser = null;
let page = null;
let finished = false;

function log(...args) {
  console.log('[demo_chromium]', ...args);
}

async function pageState() {
  if (!page) return 'no page';
  try {
    return JSON.stringify(await withTimeout(page.evaluate(() => {
      const v = window.ertcViewer;
      return v ? { phase: v.phase, state: v.state, stats: v.stats, errors: v.errors,
        log: v.log.slice(-30) } : {};
    }), 3000), null, 1);
  } catch (e) {
    return `no state (${e.message})`;
  }
}

async function fail(reason) {
  if (finished) return;
  finished = true;
  console.error(`[demo_chromium] FAIL at step "${step}": ${reason}`);
  console.error(`[demo_chromium] page state: ${await pageState()}`);
  if (page) {
    const file = path.resolve('demo_chromium-page.png');
    await withTimeout(page.screenshot({ path: file }), 3000).then(
      () => console.error(`[demo_chromium] screenshot: ${file}`), () => {});
  }
  if (browser) await withTimeout(browser.close(), 5000).catch(() => {});
  if (demo && demoExit === null) {
    demo.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 2000));
  }
  console.error('[demo_chromium] demo output (last 120 lines):\n' + demoOut.slice(-120).join('\n'));
  process.exit(1);
}

// The demo's stdout/stderr, kept for the failure report; resolves the viewer URL it prints.
function startDemo() {
  const room = 'demo' + randomBytes(4).toString('hex');
  const env = {
    ...process.env,
    ERTC_DEMO_PORT: '0',
    ERTC_DEMO_ROOM: room,
    ERTC_DEMO_LISTEN: '10.77.0.1',
    ERTC_DEMO_DEVICE_ARGS: '--log-level info',
  };
  log(`starting scripts/demo ${buildDir} (room ${room})`);
  demo = spawn(path.join(repo, 'scripts', 'demo'), [buildDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  demo.on('exit', (code, signal) => {
    demoExit = { code, signal };
    if (step !== 'stop' && !finished) fail(`the demo exited early (code ${code}, signal ${signal})`);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "demo: open URL" line within ${URL_TIMEOUT_MS} ms`)),
      URL_TIMEOUT_MS);
    createInterface({ input: demo.stdout }).on('line', (line) => {
      demoOut.push(line);
      console.log(`[demo] ${line}`);
      const m = /^demo: open (http:\/\/\S+) in a browser/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    createInterface({ input: demo.stderr }).on('line', (line) => demoOut.push(`[err] ${line}`));
  });
}

async function main() {
  setTimeout(() => fail(`hard timeout of ${HARD_TIMEOUT_MS} ms`), HARD_TIMEOUT_MS).unref();
  const chromium = await loadChromium(path.join(repo, 'web'));

  step = 'demo starts';
  const url = await startDemo();

  step = 'page opens';
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage();
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  await page.goto(url);
  log(`opened ${url}`);

  step = 'video frames decoded and audio samples received';
  const started = Date.now();
  for (;;) {
    const s = await page.evaluate(() => window.ertcViewer && window.ertcViewer.stats);
    if (s && s.framesDecoded > 0 && s.totalSamplesReceived > 0) {
      log(`decoded ${s.framesDecoded} video frames, ${s.totalSamplesReceived} audio samples ` +
        `after ${Date.now() - started} ms (codecs ${s.codec} / ${s.audioCodec})`);
      break;
    }
    if (Date.now() - started > MEDIA_TIMEOUT_MS) {
      throw new Error(`after ${MEDIA_TIMEOUT_MS} ms: framesDecoded ${s ? s.framesDecoded : '?'}, ` +
        `totalSamplesReceived ${s ? s.totalSamplesReceived : '?'}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }

  step = 'stop';
  await withTimeout(browser.close(), 5000).catch(() => {});
  browser = null;
  demo.kill('SIGINT');
  const t0 = Date.now();
  while (demoExit === null && Date.now() - t0 < STOP_TIMEOUT_MS) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (demoExit === null) throw new Error(`the demo did not stop within ${STOP_TIMEOUT_MS} ms of SIGINT`);
  if (demoExit.code !== 0) throw new Error(`the demo exited with ${JSON.stringify(demoExit)} after SIGINT`);
  const left = demoOut.filter((l) => /stopped unexpectedly/.test(l));
  if (left.length) throw new Error(left.join('; '));
  log(`stopped cleanly in ${Date.now() - t0} ms`);
  finished = true;
  process.exit(0);
}

main().catch((e) => fail(e.message));
