// tests/interop/interop_common.mjs — what every headless-Chromium interop test needs: the
// browser and its offline flags, playwright-core from tests/js, and edgertc-signald started on
// the namespace address. A missing Chromium or playwright-core is an error: tests never skip.
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
export const LISTEN = '10.77.0.1:0';
export const NAMESPACE_PREFIX = '10.77.0.';
export const SIGNALD_START_TIMEOUT_MS = 10_000;
// Offline and quiet (TESTING.md), raw IP candidates, fake media permission.
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-ui-for-media-stream', '--disable-features=WebRtcHideLocalIpsWithMdns',
];

export function withTimeout(promise, ms) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)),
  ]);
}

// Checks the viewer page and Chromium exist and loads playwright-core; returns its chromium.
export async function loadChromium(webDir) {
  if (!existsSync(path.join(webDir, 'index.html'))) {
    throw new Error(`${webDir}/index.html does not exist`);
  }
  try {
    accessSync(CHROMIUM, fsConstants.X_OK);
  } catch {
    throw new Error(`${CHROMIUM} is missing: install the Debian package "chromium" (this test never skips)`);
  }
  const pw = new URL('../js/node_modules/playwright-core/index.mjs', import.meta.url);
  try {
    return (await import(pw.href)).chromium;
  } catch (e) {
    throw new Error(`cannot load ${pw.pathname} (run scripts/bootstrap): ${e.message}`);
  }
}

// Starts edgertc-signald on LISTEN serving webDir. Returns { child, base }: base resolves to
// "http://10.77.0.1:PORT" once signald prints its "listening on" line. hooks.finished() says
// whether the test is over; hooks.onExit(reason) hears of an exit while it is not.
export function startSignald(binary, webDir, hooks) {
  return startSignaldWith(binary, webDir, hooks);
}

// startSignald with choices: opts.listen (default LISTEN; a fixed port restarts a server on the
// port an earlier one had), opts.args (more flags, e.g. ['--log-level', 'warn']) and
// opts.quiet (do not echo its output; the last 2000 characters of stderr still go into the
// error when it exits early). Same result and hooks as startSignald.
export function startSignaldWith(binary, webDir, hooks, opts = {}) {
  const args = ['--listen', opts.listen || LISTEN, '--web', webDir, ...(opts.args || [])];
  hooks.log(`starting ${binary} ${args.join(' ')}`);
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const echo = opts.quiet ? () => {} : (line) => console.log(line);
  const base = new Promise((resolve, reject) => {
    let stderrTail = '';
    const timer = setTimeout(() => reject(new Error(
      `edgertc-signald printed no "listening on" line within ${SIGNALD_START_TIMEOUT_MS} ms`)),
    SIGNALD_START_TIMEOUT_MS);
    createInterface({ input: child.stdout }).on('line', (line) => {
      echo(`[signald] ${line}`);
      const m = /^edgertc-signald: listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      echo(`[signald:err] ${line}`);
      stderrTail = (stderrTail + line + '\n').slice(-2000);
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${binary}: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!hooks.finished()) {
        reject(new Error(`edgertc-signald exited early (code ${code}, signal ${signal}); ` +
          `10.77.0.1 exists only inside run-in-netns.sh. stderr: ${stderrTail.trim()}`));
        hooks.onExit(`edgertc-signald exited (code ${code}, signal ${signal})`);
      }
    });
  });
  return { child, base };
}
