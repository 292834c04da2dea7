// tests/interop/device_common.mjs — what the edgertc-device interop tests share: the device as a
// child process (status lines kept and awaited, --events-json read back), viewer pages in
// headless Chromium, and a failure report. Built on interop_common.mjs.
import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { withTimeout } from './interop_common.mjs';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A test's bookkeeping: the current step, the children and browser to stop, and fail().
export function makeTest(name) {
  const t = {
    step: 'start',
    finished: false,
    children: [],
    browser: null,
    pages: {},
    log: (...args) => console.log(`[${name}]`, ...args),
  };
  t.cleanup = async () => {
    t.finished = true;
    if (t.browser) await withTimeout(t.browser.close(), 5000).catch(() => {});
    t.browser = null;
    for (const c of t.children) await stopChild(c, 'SIGTERM', 5000).catch(() => c.kill('SIGKILL'));
  };
  t.fail = async (reason) => {
    if (t.finished) return;
    t.finished = true;
    console.error(`[${name}] FAIL at step "${t.step}": ${reason}`);
    for (const [pname, page] of Object.entries(t.pages)) {
      const s = await withTimeout(page.evaluate(() => {
        const v = window.ertcViewer;
        return v && { phase: v.phase, state: v.state, stats: v.stats, errors: v.errors, log: v.log.slice(-20) };
      }), 2000).catch((e) => `no state (${e.message})`);
      console.error(`[${name}] page ${pname}: ${JSON.stringify(s)}`);
    }
    for (const c of t.children) {
      if (c.lines) console.error(`[${name}] ${c.label} output (last 60 lines):\n${c.lines.slice(-60).join('\n')}`);
    }
    t.finished = false;
    await t.cleanup();
    process.exit(1);
  };
  t.check = (cond, message) => {
    if (!cond) throw new Error(message);
  };
  return t;
}

// Sends sig and waits for the exit; resolves { code, signal }. Already exited: at once.
export async function stopChild(child, sig, ms) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return { code: child.exitCode, signal: child.signalCode };
  }
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.kill(sig);
  return withTimeout(exited, ms);
}

// Runs a program to its end; resolves { code, signal, stdout, stderr }.
export function runToEnd(binary, args, ms) {
  return withTimeout(new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  }), ms);
}

// edgertc-device as a child. Returns the child with .lines (stdout and [err] stderr lines),
// .label, and .waitLine(regex, ms, from) resolving with the first matching stdout line at or
// after index `from` (default 0) of .lines.
export function startDevice(t, binary, args, label = 'edgertc-device') {
  t.log(`starting ${binary} ${args.join(' ')}`);
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.label = label;
  child.lines = [];
  const waiters = [];
  const onLine = (line) => {
    child.lines.push(line);
    for (const w of [...waiters]) {
      if (child.lines.length - 1 >= w.from && w.re.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    console.log(`[${label}] ${line}`);
    onLine(line);
  });
  createInterface({ input: child.stderr }).on('line', (line) => child.lines.push(`[err] ${line}`));
  child.waitLine = (re, ms, from = 0) => {
    const found = child.lines.slice(from).find((l) => !l.startsWith('[err] ') && re.test(l));
    if (found) return Promise.resolve(found);
    return withTimeout(new Promise((resolve) => waiters.push({ re, from, resolve })), ms)
      .catch(() => { throw new Error(`${label}: no line matching ${re} within ${ms} ms`); });
  };
  t.children.push(child);
  return child;
}

// The --events-json file as an array of objects; every line must be a JSON object.
export function readEvents(file) {
  if (!existsSync(file)) throw new Error(`--events-json file ${file} was not written`);
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.map((l, i) => {
    try {
      const e = JSON.parse(l);
      if (typeof e !== 'object' || e === null) throw new Error('not an object');
      return e;
    } catch (err) {
      throw new Error(`${path.basename(file)} line ${i + 1} is not a JSON object (${err.message}): ${l}`);
    }
  });
}

// A viewer page in its own browser context.
export async function openViewer(t, name, url) {
  const context = await t.browser.newContext();
  const page = await context.newPage();
  t.pages[name] = page;
  page.on('pageerror', (e) => t.log(`page ${name} uncaught: ${e.message}`));
  t.log(`page ${name}: ${url}`);
  await page.goto(url, { timeout: 10_000 });
  page.ertcContext = context;
  return page;
}

export async function closeViewer(t, name) {
  const page = t.pages[name];
  await withTimeout(page.evaluate(() => window.ertcViewer.hangup()), 5000).catch(() => {});
  await withTimeout(page.ertcContext.close(), 5000).catch(() => {});
  delete t.pages[name];
}

export async function stats(page) {
  return page.evaluate(() => JSON.parse(JSON.stringify(window.ertcViewer.stats)));
}

// Waits until the page has decoded more than `frames` video frames (and, if audio, received
// audio samples); returns its stats.
export async function waitDecoding(page, ms, frames = 0, audio = true) {
  await page.waitForFunction(([f, a]) => {
    const s = window.ertcViewer && window.ertcViewer.stats;
    return s && s.framesDecoded > f && (!a || s.totalSamplesReceived > 0);
  }, [frames, audio], { timeout: ms, polling: 200 });
  return stats(page);
}
