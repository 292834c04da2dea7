// tests/interop/kvs_common.mjs — what the KVS emulator tests share: test certificates, the
// emulator (edgertc-signald --kvs) started on loopback, the official AWS JavaScript clients
// pointed at it, and a Node WebSocket the KVS SignalingClient can use. Reusable by other tests
// (a device against a JS viewer: see kvs_viewer.mjs). Nothing here skips: a missing package,
// Python or binary is an error.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import https from 'node:https';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
export const require = createRequire(path.join(here, '../js/package.json'));

export const REGION = 'us-west-2';
export const ACCESS_KEY_ID = 'AKIDEMULATOR0000TEST';
export const START_TIMEOUT_MS = 10_000;

export function withTimeout(promise, ms, what = 'operation') {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    }),
  ]);
}

export function randomSecret(len = 40) {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let s = '';
  const bytes = require('node:crypto').randomBytes(len);
  for (const b of bytes) s += abc[b % abc.length];
  return s;
}

// A fresh temporary folder with a test CA and a server certificate for 127.0.0.1
// (tests/integration/make_certs.py). Returns { dir, ca, cert, key, cleanup }.
export function makeCerts() {
  const dir = mkdtempSync(path.join(tmpdir(), 'ertc-kvs-'));
  execFileSync('/usr/bin/python3', [path.join(here, '../integration/make_certs.py'), dir]);
  return {
    dir,
    ca: readFileSync(path.join(dir, 'ca.pem')),
    cert: path.join(dir, 'server.pem'),
    key: path.join(dir, 'server.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// Starts edgertc-signald with the KVS emulator on 127.0.0.1:0. opts: { binary, certs (from
// makeCerts, or null for plain), secret, turn: [urls], turnSecret, hooks (default true),
// log }. Resolves to { child, url, host, stderr(), stop() } once both listening lines are out.
export async function startEmulator(opts) {
  const log = opts.log || ((s) => console.log(s));
  const ownDir = opts.certs ? null : mkdtempSync(path.join(tmpdir(), 'ertc-kvs-'));
  const secretFile = path.join(opts.certs ? opts.certs.dir : ownDir, 'secret');
  writeFileSync(secretFile, `${opts.secret}\n`, { mode: 0o600 });
  const args = ['--listen', '127.0.0.1:0', '--kvs', '127.0.0.1:0', '--kvs-region', REGION,
    '--kvs-access-key', ACCESS_KEY_ID, '--kvs-secret-key-file', secretFile, '--log-level', 'debug'];
  if (opts.certs) args.push('--kvs-cert', opts.certs.cert, '--kvs-key', opts.certs.key);
  if (opts.hooks !== false) args.push('--kvs-test-hooks');
  for (const t of opts.turn || []) args.push('--turn', t);
  if (opts.turnSecret) args.push('--turn-secret', opts.turnSecret);
  log(`starting ${opts.binary} ${args.filter((a) => a !== opts.turnSecret).join(' ')}`);
  const child = spawn(opts.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await withTimeout(new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`edgertc-signald exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      log(`[signald] ${line}`);
      const m = /^edgertc-signald: kvs listening on (https?:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]);
    });
  }), START_TIMEOUT_MS, 'edgertc-signald start');
  child.removeAllListeners('exit');
  return {
    child,
    url,
    host: url.replace(/^https?:\/\//, ''),
    stderr: () => stderr,
    stop: () => new Promise((resolve) => {
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
      if (child.exitCode !== null) { resolve(child.exitCode); return; }
      child.on('exit', (code, signal) => resolve(code ?? signal));
      child.kill('SIGTERM');
    }),
  };
}

// The AWS SDK v3 clients against the emulator. ca: PEM buffer or null (plain http).
export function awsClients(url, credentials, ca) {
  const { KinesisVideoClient } = require('@aws-sdk/client-kinesis-video');
  const { KinesisVideoSignalingClient } = require('@aws-sdk/client-kinesis-video-signaling');
  const common = {
    region: REGION,
    credentials,
    maxAttempts: 1,
    requestHandler: ca ? { httpsAgent: new https.Agent({ ca }) } : undefined,
  };
  return {
    kv: new KinesisVideoClient({ ...common, endpoint: url }),
    signaling: (endpoint) => new KinesisVideoSignalingClient({ ...common, endpoint }),
  };
}

// The ARN of channel `name`, created when missing and create is set (the way the KVS C SDK
// does: Describe, Create on 404; a concurrent Create by another client is fine).
export async function channelArn(kv, name, create) {
  const kvsPkg = require('@aws-sdk/client-kinesis-video');
  const describe = async () => (await kv.send(new kvsPkg.DescribeSignalingChannelCommand({ ChannelName: name }))).ChannelInfo.ChannelARN;
  try {
    return await describe();
  } catch (e) {
    if (e.name !== 'ResourceNotFoundException' || !create) throw e;
  }
  try {
    return (await kv.send(new kvsPkg.CreateSignalingChannelCommand({ ChannelName: name }))).ChannelARN;
  } catch (e) {
    if (e.name !== 'ResourceInUseException') throw e;
    return describe();
  }
}

// Makes the KVS SignalingClient (which does `new WebSocket(url)`) use the ws package in Node,
// trusting ca for wss://.
export function installNodeWebSocket(ca) {
  const WS = require('ws');
  globalThis.WebSocket = class extends WS {
    constructor(url, protocols) {
      super(url, protocols, ca ? { ca } : {});
    }
  };
  return WS;
}

// A SignalingClient for a role ('MASTER' or 'VIEWER') on a channel.
export function signalingClient({ channelARN, endpoint, role, clientId, credentials }) {
  const { SignalingClient, Role } = require('amazon-kinesis-video-streams-webrtc');
  return new SignalingClient({
    channelARN,
    channelEndpoint: endpoint,
    role: role === 'MASTER' ? Role.MASTER : Role.VIEWER,
    clientId: role === 'MASTER' ? undefined : clientId,
    region: REGION,
    credentials,
  });
}

// Calls a test hook: POST /_test/<name>?channel=..&client=.. (or GET /_test/channel).
export async function hook(url, ca, name, query, method = 'POST') {
  const target = new URL(`/_test/${name}?${new URLSearchParams(query)}`, url);
  return new Promise((resolve, reject) => {
    const mod = target.protocol === 'https:' ? https : require('node:http');
    const req = mod.request(target, { method, ca }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => {
        const json = /json/.test(res.headers['content-type'] || '');
        resolve({ status: res.statusCode, body: json ? JSON.parse(body) : body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

// Resolves with the first event `name` of emitter (with all its arguments as an array).
export function once(emitter, name, ms, what) {
  return withTimeout(new Promise((resolve) => {
    emitter.once(name, (...a) => resolve(a));
  }), ms, what || name);
}
