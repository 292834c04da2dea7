// tests/interop/kvs_turn_coturn.mjs — the TURN credentials the KVS emulator's
// GetIceServerConfig hands out are accepted by a real coturn (Debian's /usr/bin/turnserver)
// started with use-auth-secret and the same static secret, and a tampered password is refused.
// The TURN client is aioice (Debian python3-aiortc's dependency), so neither side is ours.
// Also covers the emulator's plain mode (no TLS: ws:// and http:// endpoints).
//
//   run-in-netns.sh node kvs_turn_coturn.mjs EDGERTC_SIGNALD [TURNSERVER]
//
// Everything listens on 127.0.0.1 inside the private namespace run-in-netns.sh creates.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ACCESS_KEY_ID, awsClients, randomSecret, require, startEmulator,
} from './kvs_common.mjs';

const [binary, turnserver = '/usr/bin/turnserver'] = process.argv.slice(2);
if (!binary) {
  console.error('usage: kvs_turn_coturn.mjs EDGERTC_SIGNALD [TURNSERVER]');
  process.exit(2);
}
try {
  accessSync(turnserver, constants.X_OK);
} catch {
  console.error(`${turnserver} is missing: install the Debian package "coturn" (this test never skips)`);
  process.exit(1);
}

let failures = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` — ${detail}` : ''}`);
  if (!ok) failures++;
}

// One TURN Allocate with aioice; resolves { ok, out }.
const ALLOCATE_PY = `
import asyncio, sys
from aioice import turn
async def main(host, port, user, pw):
    transport, _ = await asyncio.wait_for(
        turn.create_turn_endpoint(asyncio.DatagramProtocol, (host, int(port)), user, pw), 5)
    print("relayed", transport.get_extra_info("sockname"))
    transport.close()
asyncio.run(main(*sys.argv[1:]))
`;
function allocate(port, user, pw) {
  const r = spawnSync('/usr/bin/python3', ['-c', ALLOCATE_PY, '127.0.0.1', String(port), user, pw],
    { encoding: 'utf8', timeout: 15000 });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim().split('\n').slice(-1)[0] };
}

const dir = mkdtempSync(path.join(tmpdir(), 'ertc-kvs-turn-'));
const turnSecret = randomSecret(24);
const secret = randomSecret();
const port = 20000 + Math.floor(Math.random() * 20000);
writeFileSync(path.join(dir, 'turnserver.conf'), [
  'listening-ip=127.0.0.1', 'relay-ip=127.0.0.1', `listening-port=${port}`,
  `min-port=${port + 1}`, `max-port=${port + 200}`, 'realm=edgertc.test', 'fingerprint',
  'allow-loopback-peers', 'no-cli', 'no-tls', 'no-dtls', 'no-tcp-relay', 'no-multicast-peers',
  `log-file=${dir}/turnserver.log`, 'simple-log', 'no-stdout-log', `pidfile=${dir}/turnserver.pid`,
  `userdb=${dir}/turndb`, 'use-auth-secret', `static-auth-secret=${turnSecret}`, '',
].join('\n'), { mode: 0o600 });
const coturn = spawn(turnserver, ['-c', path.join(dir, 'turnserver.conf')], { stdio: 'ignore' });
let emu = null;
try {
  emu = await startEmulator({
    binary, certs: null, secret, turn: [`turn:127.0.0.1:${port}?transport=udp`], turnSecret,
    hooks: false,
  });
  const kvsPkg = require('@aws-sdk/client-kinesis-video');
  const sigPkg = require('@aws-sdk/client-kinesis-video-signaling');
  const { kv, signaling } = awsClients(emu.url, { accessKeyId: ACCESS_KEY_ID, secretAccessKey: secret }, null);
  const { ChannelARN } = await kv.send(new kvsPkg.CreateSignalingChannelCommand({ ChannelName: 'turn-test' }));
  const ep = await kv.send(new kvsPkg.GetSignalingChannelEndpointCommand({
    ChannelARN, SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: 'MASTER' },
  }));
  const eps = Object.fromEntries(ep.ResourceEndpointList.map((e) => [e.Protocol, e.ResourceEndpoint]));
  check(eps.WSS === `ws://${emu.host}` && eps.HTTPS === `http://${emu.host}`,
    'plain mode: endpoints ws:// and http://', JSON.stringify(eps));
  const ice = await signaling(eps.HTTPS).send(new sigPkg.GetIceServerConfigCommand({ ChannelARN, ClientId: 'm' }));
  const srv = ice.IceServerList[0];
  check(srv.Uris[0] === `turn:127.0.0.1:${port}?transport=udp`, 'GetIceServerConfig names the coturn', srv.Uris[0]);

  const off = await fetch(new URL('/_test/channel?channel=turn-test', emu.url));
  check(off.status === 404, 'without --kvs-test-hooks the hooks are not served', String(off.status));

  // Bad flags exit 2 with a message naming the problem.
  const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' };
  for (const [args, text] of [
    [['--kvs-test-hooks'], '--kvs HOST:PORT'],
    [['--kvs', '127.0.0.1:0'], 'access key id'],
    [['--kvs', '127.0.0.1:0', '--kvs-access-key', 'A'], 'secret key'],
    [['--kvs', '127.0.0.1:0', '--kvs-access-key', 'A', '--kvs-secret-key', 'S', '--kvs-cert', 'x'], 'go together'],
    [['--kvs', 'nowhere'], '--kvs "nowhere"'],
    [['--kvs', '127.0.0.1:0', '--kvs-region', 'US WEST'], '--kvs-region'],
  ]) {
    const r = spawnSync(binary, args, { encoding: 'utf8', env, timeout: 5000 });
    check(r.status === 2 && r.stderr.includes(text), `bad flags ${args.join(' ')}: exit 2`, r.stderr.trim());
  }

  let good = { ok: false };
  for (let i = 0; i < 20 && !good.ok; i++) { // coturn needs a moment to listen
    good = allocate(port, srv.Username, srv.Password);
    if (!good.ok) await new Promise((r) => setTimeout(r, 250));
  }
  check(good.ok && /relayed \('127\.0\.0\.1'/.test(good.out), 'coturn (use-auth-secret) accepts the credentials: Allocate succeeds', good.out);
  const bad = allocate(port, srv.Username, `${srv.Password.slice(0, -2)}AA`);
  check(!bad.ok, 'a tampered password is refused by coturn', bad.out);
  const late = allocate(port, `${Math.floor(Date.now() / 1000) - 10}:edgertc`, srv.Password);
  check(!late.ok, 'an expired username is refused by coturn', late.out);
} catch (e) {
  check(false, 'unexpected exception', e.stack || String(e));
} finally {
  if (emu) {
    const code = await emu.stop();
    check(code === 0, 'edgertc-signald exits 0 on SIGTERM', String(code));
    check(!emu.stderr().includes(secret) && !emu.stderr().includes(turnSecret), 'no secret in signald\'s output');
  }
  coturn.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
console.log(failures === 0 ? 'PASS' : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
