// tests/interop/kvs_master.mjs — a KVS master made of the official AWS JavaScript packages, for
// tests that put a viewer (edgertc-device --signaling kvs as VIEWER, or a JS viewer) on an
// emulator channel: the counterpart of kvs_viewer.mjs. It finds (or creates) the channel,
// connects amazon-kinesis-video-streams-webrtc's SignalingClient as the MASTER, waits for an
// SDP offer from any viewer, answers it (with the given SDP, or a function of the offer) and
// sends the given ICE candidates to that viewer.
//
// As a program:
//   node kvs_master.mjs --url https://127.0.0.1:PORT --channel NAME --access-key ID
//        --secret-file FILE [--ca CA.pem] [--create] [--answer-file SDP] [--timeout-ms 20000]
// prints one JSON line {"offer":{type,sdp},"viewer":ID,"candidates":[...]} once a viewer
// offered and was answered, and exits 0 (1 with the reason on stderr). As a module:
// runMaster(opts) resolves to the same object.
import { readFileSync } from 'node:fs';
import {
  awsClients, channelArn, installNodeWebSocket, require, signalingClient, withTimeout,
} from './kvs_common.mjs';

// opts: { url, channel, credentials, ca, create, answerSdp (string or offer => string),
//         answerCandidates: [RTCIceCandidateInit], timeoutMs, log, onReady }
export async function runMaster(opts) {
  const kvsPkg = require('@aws-sdk/client-kinesis-video');
  const log = opts.log || (() => {});
  installNodeWebSocket(opts.ca);
  const { kv } = awsClients(opts.url, opts.credentials, opts.ca);
  const arn = await channelArn(kv, opts.channel, opts.create);
  const ep = await kv.send(new kvsPkg.GetSignalingChannelEndpointCommand({
    ChannelARN: arn,
    SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: 'MASTER' },
  }));
  const wss = ep.ResourceEndpointList.find((e) => e.Protocol === 'WSS').ResourceEndpoint;
  log(`master: channel ${arn}, endpoint ${wss}`);
  const client = signalingClient({ channelARN: arn, endpoint: wss, role: 'MASTER', credentials: opts.credentials });
  const candidates = [];
  try {
    return await withTimeout(new Promise((resolve, reject) => {
      client.on('error', (e) => reject(new Error(`signaling error: ${e?.message || e}`)));
      client.on('open', () => opts.onReady?.({ channelARN: arn }));
      client.on('iceCandidate', (c) => candidates.push(c));
      client.on('sdpOffer', (offer, viewer) => {
        const sdp = typeof opts.answerSdp === 'function' ? opts.answerSdp(offer) : opts.answerSdp;
        if (sdp) client.sendSdpAnswer({ type: 'answer', sdp }, viewer);
        for (const c of opts.answerCandidates || []) client.sendIceCandidate(c, viewer);
        // Candidates the viewer trickles after its offer are worth waiting a moment for.
        setTimeout(() => resolve({ offer, viewer, candidates, channelARN: arn }), 300);
      });
      client.open();
    }), opts.timeoutMs || 20_000, 'waiting for an SDP offer');
  } finally {
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
      case '--answer-file': o.answerSdp = readFileSync(next(), 'utf8'); break;
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
    const result = await runMaster({
      ...o,
      credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secret },
      log: (s) => console.error(s),
    });
    console.log(JSON.stringify(result));
    process.exit(0);
  } catch (e) {
    console.error(`kvs_master: ${e.message || e}`);
    process.exit(1);
  }
}
