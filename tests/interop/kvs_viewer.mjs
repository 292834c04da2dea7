// tests/interop/kvs_viewer.mjs — a KVS viewer made of the official AWS JavaScript packages, for
// tests that put a master (edgertc-device --signaling kvs, or a JS master) on an emulator
// channel. It finds (or creates) the channel with @aws-sdk/client-kinesis-video, fetches the
// VIEWER endpoints and the ICE servers, connects amazon-kinesis-video-streams-webrtc's
// SignalingClient as a viewer, sends an SDP offer (again every second until a master answers:
// the emulator keeps 32 messages for an absent master, the real service refuses floods) and
// waits for the SDP answer from whichever master is there.
//
// As a program:
//   node kvs_viewer.mjs --url https://127.0.0.1:PORT --channel NAME --access-key ID
//        --secret-file FILE [--ca CA.pem] [--create] [--client-id ID] [--offer-file SDP]
//        [--timeout-ms 20000]
// prints one JSON line {"answer":{type,sdp},"candidates":[...],"iceServers":[...]} and exits 0,
// or exits 1 with the reason on stderr. As a module: runViewer(opts) resolves to the same object.
import { readFileSync } from 'node:fs';
import {
  awsClients, channelArn, installNodeWebSocket, require, signalingClient, withTimeout,
} from './kvs_common.mjs';

// A minimal offer for tests whose master only needs an SDP to answer.
export const DEFAULT_OFFER_SDP = [
  'v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'a=msid-semantic: WMS', 'm=video 9 UDP/TLS/RTP/SAVPF 102', 'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0', 'a=ice-ufrag:kvsv', 'a=ice-pwd:kvsviewerpassword0123456',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
  'a=setup:actpass', 'a=mid:0', 'a=recvonly', 'a=rtcp-mux',
  'a=rtpmap:102 H264/90000', 'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  '',
].join('\r\n');

// opts: { url, channel, credentials, ca, create, clientId, offerSdp, timeoutMs, log }
export async function runViewer(opts) {
  const kvsPkg = require('@aws-sdk/client-kinesis-video');
  const sigPkg = require('@aws-sdk/client-kinesis-video-signaling');
  const log = opts.log || (() => {});
  installNodeWebSocket(opts.ca);
  const { kv, signaling } = awsClients(opts.url, opts.credentials, opts.ca);
  const arn = await channelArn(kv, opts.channel, opts.create);
  const ep = await kv.send(new kvsPkg.GetSignalingChannelEndpointCommand({
    ChannelARN: arn,
    SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: 'VIEWER' },
  }));
  const endpoints = Object.fromEntries(ep.ResourceEndpointList.map((e) => [e.Protocol, e.ResourceEndpoint]));
  const clientId = opts.clientId || `viewer-${process.pid}`;
  const ice = await signaling(endpoints.HTTPS).send(new sigPkg.GetIceServerConfigCommand({
    ChannelARN: arn, ClientId: clientId, Service: 'TURN',
  }));
  log(`viewer ${clientId}: channel ${arn}, endpoint ${endpoints.WSS}`);
  const client = signalingClient({ channelARN: arn, endpoint: endpoints.WSS, role: 'VIEWER', clientId, credentials: opts.credentials });
  const candidates = [];
  let timer;
  try {
    return await withTimeout(new Promise((resolve, reject) => {
      client.on('error', (e) => reject(new Error(`signaling error: ${e?.message || e}`)));
      client.on('iceCandidate', (c) => candidates.push(c));
      client.on('statusResponse', (s) => log(`status response: ${JSON.stringify(s)}`));
      client.on('sdpAnswer', (answer) => {
        // Candidates trickled right after the answer are worth waiting a moment for.
        setTimeout(() => resolve({ answer, candidates, iceServers: ice.IceServerList, channelARN: arn, clientId }), 300);
      });
      client.on('open', () => {
        const offer = { type: 'offer', sdp: opts.offerSdp || DEFAULT_OFFER_SDP };
        client.sendSdpOffer(offer);
        timer = setInterval(() => client.sendSdpOffer(offer), 1000);
      });
      client.open();
    }), opts.timeoutMs || 20_000, 'waiting for an SDP answer');
  } finally {
    clearInterval(timer);
    client.close();
  }
}

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--url': o.url = next(); break;
      case '--channel': o.channel = next(); break;
      case '--access-key': o.accessKeyId = next(); break;
      case '--secret-file': o.secret = readFileSync(next(), 'utf8').split('\n')[0]; break;
      case '--ca': o.ca = readFileSync(next()); break;
      case '--create': o.create = true; break;
      case '--client-id': o.clientId = next(); break;
      case '--offer-file': o.offerSdp = readFileSync(next(), 'utf8'); break;
      case '--timeout-ms': o.timeoutMs = Number(next()); break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  for (const k of ['url', 'channel', 'accessKeyId', 'secret']) {
    if (!o[k]) throw new Error(`missing --${k === 'accessKeyId' ? 'access-key' : k === 'secret' ? 'secret-file' : k}`);
  }
  return o;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  try {
    const o = parseArgs(process.argv.slice(2));
    const result = await runViewer({
      ...o,
      credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secret },
      log: (s) => console.error(s),
    });
    console.log(JSON.stringify(result));
    process.exit(0);
  } catch (e) {
    console.error(`kvs_viewer: ${e.message || e}`);
    process.exit(1);
  }
}
