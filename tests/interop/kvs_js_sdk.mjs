// tests/interop/kvs_js_sdk.mjs — edgertc-signald's KVS emulator against the official AWS
// JavaScript packages (tests/js: @aws-sdk/client-kinesis-video, @aws-sdk/client-kinesis-video-
// signaling, amazon-kinesis-video-streams-webrtc), on loopback over TLS with a CA made for the run.
//
//   node kvs_js_sdk.mjs EDGERTC_SIGNALD
//
// Control plane: create / duplicate / describe / missing / endpoints / ICE config / version
// mismatch / delete, all signed by the AWS SDK and verified by the emulator; signature refusals
// (wrong secret, unknown key, expired, none) with the service's error types. Data plane: a JS
// master and a JS viewer (SignalingClient over the ws package) exchange an SDP offer, an answer
// and ICE candidates; STATUS_RESPONSE for an unknown recipient; a presigned URL that is expired
// or signed with another key gets 403; GO_AWAY, RECONNECT_ICE_SERVER and a drop through the test
// hooks. Exit 0 when every check passed. No secret may appear in signald's output.
import { createHmac } from 'node:crypto';
import {
  ACCESS_KEY_ID, REGION, awsClients, hook, installNodeWebSocket, makeCerts, once, randomSecret,
  require, signalingClient, startEmulator, withTimeout,
} from './kvs_common.mjs';

const binary = process.argv[2];
if (!binary) {
  console.error('usage: kvs_js_sdk.mjs EDGERTC_SIGNALD');
  process.exit(2);
}

let failures = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` — ${detail}` : ''}`);
  if (!ok) failures++;
}
async function expectError(promise, name, status, what) {
  try {
    await promise;
    check(false, what, `succeeded, expected ${name}`);
    return null;
  } catch (e) {
    const got = e.name || e.Code;
    check(got === name && e.$metadata?.httpStatusCode === status, what,
      `${got} ${e.$metadata?.httpStatusCode}: ${e.message}`);
    return e;
  }
}

const secret = randomSecret();
const turnSecret = randomSecret(24);
const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: secret };
const certs = makeCerts();
const emu = await startEmulator({
  binary, certs, secret, turn: ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'],
  turnSecret,
});
const WS = installNodeWebSocket(certs.ca);
const cleanups = [];

try {
  const kvsPkg = require('@aws-sdk/client-kinesis-video');
  const sigPkg = require('@aws-sdk/client-kinesis-video-signaling');
  const { kv, signaling } = awsClients(emu.url, credentials, certs.ca);
  const name = `edgertc-test-${process.pid}`;

  // ---- control plane -----------------------------------------------------------------------
  const created = await kv.send(new kvsPkg.CreateSignalingChannelCommand({
    ChannelName: name, ChannelType: 'SINGLE_MASTER',
    SingleMasterConfiguration: { MessageTtlSeconds: 60 },
  }));
  const arn = created.ChannelARN;
  check(/^arn:aws:kinesisvideo:us-west-2:[0-9]+:channel\/[a-zA-Z0-9_.-]+\/[0-9]{13}$/.test(arn) &&
        arn.includes(`/${name}/`), 'CreateSignalingChannel returns an ARN of the service\'s form', arn);
  await expectError(kv.send(new kvsPkg.CreateSignalingChannelCommand({ ChannelName: name })),
    'ResourceInUseException', 400, 'CreateSignalingChannel twice: ResourceInUseException');
  await expectError(kv.send(new kvsPkg.CreateSignalingChannelCommand({ ChannelName: 'bad name!' })),
    'InvalidArgumentException', 400, 'CreateSignalingChannel with a bad name: InvalidArgumentException');

  const described = await kv.send(new kvsPkg.DescribeSignalingChannelCommand({ ChannelName: name }));
  const info = described.ChannelInfo;
  check(info.ChannelARN === arn && info.ChannelName === name && info.ChannelStatus === 'ACTIVE' &&
        info.ChannelType === 'SINGLE_MASTER' && info.CreationTime instanceof Date &&
        Math.abs(info.CreationTime.getTime() - Date.now()) < 60_000 &&
        info.SingleMasterConfiguration.MessageTtlSeconds === 60 && /^[a-zA-Z0-9]+$/.test(info.Version),
  'DescribeSignalingChannel by name', JSON.stringify(info));
  const byArn = await kv.send(new kvsPkg.DescribeSignalingChannelCommand({ ChannelARN: arn }));
  check(byArn.ChannelInfo.ChannelName === name, 'DescribeSignalingChannel by ARN');
  const missing = await expectError(
    kv.send(new kvsPkg.DescribeSignalingChannelCommand({ ChannelName: `${name}-missing` })),
    'ResourceNotFoundException', 404, 'DescribeSignalingChannel of a missing channel: ResourceNotFoundException');
  check(missing?.message === 'The requested channel is not found or not active.',
    'the missing-channel message is the service\'s', missing?.message);

  const endpoints = {};
  for (const role of ['MASTER', 'VIEWER']) {
    const ep = await kv.send(new kvsPkg.GetSignalingChannelEndpointCommand({
      ChannelARN: arn,
      SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: role },
    }));
    endpoints[role] = Object.fromEntries(ep.ResourceEndpointList.map((e) => [e.Protocol, e.ResourceEndpoint]));
    check(endpoints[role].WSS === `wss://${emu.host}` && endpoints[role].HTTPS === `https://${emu.host}`,
      `GetSignalingChannelEndpoint as ${role}`, JSON.stringify(endpoints[role]));
  }
  await expectError(kv.send(new kvsPkg.GetSignalingChannelEndpointCommand({ ChannelARN: `${arn}9` })),
    'ResourceNotFoundException', 404, 'GetSignalingChannelEndpoint of an unknown ARN: ResourceNotFoundException');

  const sig = signaling(endpoints.MASTER.HTTPS);
  const ice = await sig.send(new sigPkg.GetIceServerConfigCommand({ ChannelARN: arn, ClientId: 'viewer-1', Service: 'TURN' }));
  const srv = ice.IceServerList?.[0];
  const expected = srv ? createHmac('sha1', turnSecret).update(srv.Username).digest('base64') : '';
  const expiry = srv ? Number(srv.Username.split(':')[0]) : 0;
  check(ice.IceServerList.length === 1 && srv.Uris.length === 2 &&
        srv.Uris[0] === 'turn:127.0.0.1:3478?transport=udp' && srv.Ttl === 300 &&
        srv.Password === expected && Math.abs(expiry - (Date.now() / 1000 + 300)) < 30,
  'GetIceServerConfig: TURN URIs, Ttl 300, REST credentials HMAC-SHA1(turn secret, username)',
  srv ? `${srv.Uris.join(' ')} ttl ${srv.Ttl} user ${srv.Username}` : 'no server');

  // ---- signature refusals -------------------------------------------------------------------
  const wrongSecret = awsClients(emu.url, { ...credentials, secretAccessKey: randomSecret() }, certs.ca);
  const e1 = await expectError(wrongSecret.kv.send(new kvsPkg.DescribeSignalingChannelCommand({ ChannelName: name })),
    'InvalidSignatureException', 403, 'a wrong secret: 403 InvalidSignatureException');
  check(/signature we calculated does not match/.test(e1?.message || ''), 'its message is the service\'s');
  const wrongKey = awsClients(emu.url, { ...credentials, accessKeyId: 'AKIDUNKNOWN000000000' }, certs.ca);
  await expectError(wrongKey.kv.send(new kvsPkg.DescribeSignalingChannelCommand({ ChannelName: name })),
    'UnrecognizedClientException', 403, 'an unknown access key: 403 UnrecognizedClientException');
  const skewed = new kvsPkg.KinesisVideoClient({
    region: REGION, credentials, endpoint: emu.url, maxAttempts: 1, systemClockOffset: -10 * 60 * 1000,
    requestHandler: { httpsAgent: new (require('node:https').Agent)({ ca: certs.ca }) },
  });
  const e3 = await expectError(skewed.send(new kvsPkg.DescribeSignalingChannelCommand({ ChannelName: name })),
    'InvalidSignatureException', 403, 'a signature 10 minutes old: 403 InvalidSignatureException');
  check(/^Signature expired: \d{8}T\d{6}Z is now earlier than/.test(e3?.message || ''),
    'its message starts with "Signature expired" (the C SDK retries on it)', e3?.message);
  const raw = await new Promise((resolve, reject) => {
    const req = require('node:https').request(new URL('/describeSignalingChannel', emu.url),
      { method: 'POST', ca: certs.ca, headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode, type: res.headers['x-amzn-errortype'], body, headers: res.headers }));
      });
    req.on('error', reject);
    req.end(JSON.stringify({ ChannelName: name }));
  });
  check(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(raw.headers['x-amzn-requestid'] || '') &&
        /x-amzn-ErrorType/.test(raw.headers['access-control-expose-headers'] || ''),
  'x-amzn-RequestId (a UUID) and the CORS exposure of the error type', raw.headers['x-amzn-requestid']);
  check(raw.status === 403 && raw.type === 'MissingAuthenticationTokenException' &&
        JSON.parse(raw.body).message === 'Missing Authentication Token',
  'an unsigned request: 403 MissingAuthenticationTokenException', `${raw.status} ${raw.type} ${raw.body}`);

  // A request signed the way the KVS C SDK does (spec §2.2): SignedHeaders host;user-agent;
  // x-amz-date with the host WITHOUT the port, pretty-printed body, a session token in an
  // unsigned header — written here from the spec, independent of both SDKs.
  const cSdkRequest = (apiPath, body, hostHeader) => new Promise((resolve, reject) => {
    const { createHash } = require('node:crypto');
    const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    const hmac = (k, d) => createHmac('sha256', k).update(d).digest();
    const creq = ['POST', apiPath, '', 'host:127.0.0.1', 'user-agent:AWS-WebRTC-KVS-Agent/1.0',
      `x-amz-date:${amzDate}`, '', 'host;user-agent;x-amz-date', createHash('sha256').update(body).digest('hex')].join('\n');
    const scope = `${amzDate.slice(0, 8)}/${REGION}/kinesisvideo/aws4_request`;
    const sts = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(creq).digest('hex')].join('\n');
    let key = hmac(`AWS4${secret}`, amzDate.slice(0, 8));
    for (const part of [REGION, 'kinesisvideo', 'aws4_request']) key = hmac(key, part);
    const signature = createHmac('sha256', key).update(sts).digest('hex');
    const headers = {
      'user-agent': 'AWS-WebRTC-KVS-Agent/1.0', 'x-amz-date': amzDate, 'content-type': 'application/json',
      'x-amz-security-token': 'unsigned-token',
      authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/${scope}, SignedHeaders=host;user-agent;x-amz-date, Signature=${signature}`,
    };
    if (hostHeader) headers.host = hostHeader;
    const req = require('node:https').request(new URL(apiPath, emu.url), { method: 'POST', ca: certs.ca, headers }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: b }));
    });
    req.on('error', reject);
    req.end(body);
  });
  const cSdkStyle = await cSdkRequest('/describeSignalingChannel', `{\n\t"ChannelName": "${name}"\n}`);
  check(cSdkStyle.status === 200 && JSON.parse(cSdkStyle.body).ChannelInfo.ChannelARN === arn,
    'a C-SDK-style request (host signed without the port, token unsigned) verifies', `${cSdkStyle.status} ${cSdkStyle.body}`);
  const noPort = await cSdkRequest('/getSignalingChannelEndpoint',
    `{\n\t"ChannelARN": "${arn}",\n\t"SingleMasterChannelEndpointConfiguration": {\n\t\t"Protocols": ["WSS", "HTTPS"],\n\t\t"Role": "MASTER"\n\t}\n}`,
    '127.0.0.1');
  check(noPort.status === 200 && JSON.parse(noPort.body).ResourceEndpointList[0].ResourceEndpoint === `wss://${emu.host}`,
    'a Host without a port gets endpoints with the listener\'s port', noPort.body);

  // ---- data plane: a JS master and a JS viewer ----------------------------------------------
  const master = signalingClient({ channelARN: arn, endpoint: endpoints.MASTER.WSS, role: 'MASTER', credentials });
  const viewer = signalingClient({ channelARN: arn, endpoint: endpoints.VIEWER.WSS, role: 'VIEWER', clientId: 'viewer-1', credentials });
  cleanups.push(() => master.close(), () => viewer.close());
  for (const c of [master, viewer]) c.on('error', (e) => console.log(`signaling client error: ${e.message || e}`));
  // The viewer first: its offer waits for the master (the service keeps messages for
  // MessageTtlSeconds) and no STATUS_RESPONSE comes back.
  const viewerOpen = once(viewer, 'open', 5000, 'viewer open');
  viewer.open();
  await viewerOpen;
  const early = { type: 'offer', sdp: 'v=0\r\no=- 9 9 IN IP4 127.0.0.1\r\ns=early\r\nt=0 0\r\n' };
  let earlyStatus = null;
  viewer.once('statusResponse', (st) => { earlyStatus = st; });
  viewer.sendSdpOffer(early, undefined, 'early-1');
  await new Promise((res) => setTimeout(res, 200));
  const gotEarly = once(master, 'sdpOffer', 5000, 'the waiting offer at the master');
  const masterOpen = once(master, 'open', 5000, 'master open');
  master.open();
  await masterOpen;
  const [earlyIn, earlyFrom] = await gotEarly;
  check(earlyIn.sdp === early.sdp && earlyFrom === 'viewer-1' && earlyStatus === null,
    'an offer sent before the master connected is delivered when it does', JSON.stringify(earlyStatus));
  check(true, 'master and viewer connected with presigned URLs the emulator verified');
  const state = await hook(emu.url, certs.ca, 'channel', { channel: name }, 'GET');
  check(state.body?.master === true && state.body?.viewers?.[0] === 'viewer-1', 'the channel shows the master and viewer-1', JSON.stringify(state.body));

  const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' };
  const gotOffer = once(master, 'sdpOffer', 5000, 'offer at the master');
  viewer.sendSdpOffer(offer);
  const [offerIn, sender] = await gotOffer;
  check(offerIn.sdp === offer.sdp && sender === 'viewer-1', 'SDP_OFFER viewer → master with senderClientId', sender);

  const cand = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
  const gotCandM = once(master, 'iceCandidate', 5000, 'candidate at the master');
  viewer.sendIceCandidate(cand);
  const [candM, candSender] = await gotCandM;
  check(candM.candidate === cand.candidate && candSender === 'viewer-1', 'ICE_CANDIDATE viewer → master');

  const answer = { type: 'answer', sdp: 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' };
  const gotAnswer = once(viewer, 'sdpAnswer', 5000, 'answer at the viewer');
  master.sendSdpAnswer(answer, 'viewer-1');
  const [answerIn] = await gotAnswer;
  check(answerIn.sdp === answer.sdp, 'SDP_ANSWER master → viewer by recipientClientId');
  const gotCandV = once(viewer, 'iceCandidate', 5000, 'candidate at the viewer');
  master.sendIceCandidate(cand, 'viewer-1');
  const [candV] = await gotCandV;
  check(candV.candidate === cand.candidate, 'ICE_CANDIDATE master → viewer');

  const gotStatus = once(master, 'statusResponse', 5000, 'status response');
  master.sendSdpAnswer(answer, 'nobody', 'corr-42');
  const [status] = await gotStatus;
  check(status.correlationId === 'corr-42' && status.statusCode === '404' && status.success === false,
    'a message to an unknown recipient: STATUS_RESPONSE with its correlationId', JSON.stringify(status));

  // ---- bad input on the socket: STATUS_RESPONSE 400, the socket lives on --------------------
  const badStatuses = [];
  master.on('statusResponse', (st) => badStatuses.push(st));
  master.websocket.send('not json');
  master.websocket.send(JSON.stringify({ action: 'SDP_ANSWER', recipientClientId: 'viewer-1', messagePayload: '!!', correlationId: 'bad-b64' }));
  master.websocket.send(JSON.stringify({ action: 'HELLO', recipientClientId: 'viewer-1', messagePayload: 'eyJ9', correlationId: 'bad-action' }));
  master.websocket.send(JSON.stringify({ action: 'SDP_ANSWER', recipientClientId: 'viewer-1', messagePayload: 'A'.repeat(10001), correlationId: 'too-long' }));
  master.websocket.send(JSON.stringify({ action: 'SDP_ANSWER', recipientClientId: 'viewer-1', messagePayload: 'A'.repeat(20000) }));
  await withTimeout((async () => { while (badStatuses.length < 5) await new Promise((res) => setTimeout(res, 20)); })(), 3000, 'status responses for bad input');
  check(badStatuses.every((st) => st.statusCode === '400' && st.errorType === 'InvalidArgumentException') &&
        ['bad-b64', 'bad-action', 'too-long'].every((c) => badStatuses.some((st) => st.correlationId === c)),
  'malformed frames (not JSON, bad base64, unknown action, payload over 10000, frame over 16 KiB): STATUS_RESPONSE 400',
  badStatuses.map((st) => `${st.correlationId || '-'}:${st.description}`).join(' | '));
  const gotAfterBad = once(viewer, 'sdpAnswer', 5000, 'answer after bad input');
  master.sendSdpAnswer(answer, 'viewer-1');
  await gotAfterBad;
  check(true, 'the socket still relays after bad input');

  // ---- presigned URL refusals ---------------------------------------------------------------
  const { SigV4RequestSigner } = require('amazon-kinesis-video-streams-webrtc');
  async function connectStatus(signer, date) {
    const url = await signer.getSignedURL(endpoints.VIEWER.WSS,
      { 'X-Amz-ChannelARN': arn, 'X-Amz-ClientId': 'viewer-x' }, date);
    return new Promise((resolve) => {
      const ws = new WS(url, { ca: certs.ca });
      ws.on('unexpected-response', (req, res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode, type: res.headers['x-amzn-errortype'], body }));
      });
      ws.on('open', () => { ws.close(); resolve({ status: 101 }); });
      ws.on('error', () => {});
    });
  }
  const old = await connectStatus(new SigV4RequestSigner(REGION, credentials), new Date(Date.now() - 10 * 60 * 1000));
  check(old.status === 403 && old.type === 'InvalidSignatureException' && /Signature expired/.test(old.body),
    'an expired presigned URL: 403 InvalidSignatureException', `${old.status} ${old.body}`);
  const forged = await connectStatus(new SigV4RequestSigner(REGION, { ...credentials, secretAccessKey: 'x' }), new Date());
  check(forged.status === 403 && forged.type === 'InvalidSignatureException',
    'a presigned URL signed with another secret: 403', `${forged.status} ${forged.body}`);
  const fine = await connectStatus(new SigV4RequestSigner(REGION, credentials), new Date());
  check(fine.status === 101, 'the same URL signed correctly: 101');

  // ---- test hooks: GO_AWAY, RECONNECT_ICE_SERVER, drop ---------------------------------------
  // SignalingClient 2.9 ignores both events (spec §3.3), so the test listens on its socket.
  const rawEvents = [];
  viewer.websocket.addEventListener('message', (ev) => rawEvents.push(JSON.parse(ev.data)));
  master.websocket.addEventListener('message', (ev) => rawEvents.push({ master: true, ...JSON.parse(ev.data) }));
  const g = await hook(emu.url, certs.ca, 'goaway', { channel: name, client: 'viewer-1' });
  const r = await hook(emu.url, certs.ca, 'reconnect-ice', { channel: name, client: 'master' });
  await withTimeout((async () => { while (rawEvents.length < 2) await new Promise((res) => setTimeout(res, 20)); })(), 3000, 'hook events');
  check(g.body.clients === 1 && rawEvents.some((e) => !e.master && e.messageType === 'GO_AWAY'),
    'GO_AWAY delivered to the JS viewer through /_test/goaway');
  check(r.body.clients === 1 && rawEvents.some((e) => e.master && e.messageType === 'RECONNECT_ICE_SERVER'),
    'RECONNECT_ICE_SERVER delivered to the JS master through /_test/reconnect-ice');
  const closed = once(viewer, 'close', 5000, 'viewer close after drop');
  const d = await hook(emu.url, certs.ca, 'drop', { channel: name, client: 'viewer-1' });
  await closed;
  check(d.body.clients === 1, 'the viewer\'s socket dropped through /_test/drop');

  // A new viewer connection replaces nothing else; the master still receives.
  const viewer2 = signalingClient({ channelARN: arn, endpoint: endpoints.VIEWER.WSS, role: 'VIEWER', clientId: 'viewer-1', credentials });
  cleanups.push(() => viewer2.close());
  const v2open = once(viewer2, 'open', 5000, 'viewer reconnect');
  viewer2.open();
  await v2open;
  const gotOffer2 = once(master, 'sdpOffer', 5000, 'offer after reconnect');
  viewer2.sendSdpOffer(offer);
  await gotOffer2;
  check(true, 'the viewer reconnects with its id and reaches the master again');
  const closeCode = new Promise((res) => viewer2.websocket.addEventListener('close', (ev) => res(ev.code)));
  const cl = await hook(emu.url, certs.ca, 'close', { channel: name, client: 'viewer-1', code: '1001' });
  const code1001 = await withTimeout(closeCode, 5000, 'close frame');
  check(cl.body.clients === 1 && code1001 === 1001, 'the viewer\'s socket closed with 1001 Going away through /_test/close', String(code1001));

  // ---- the reusable harness: kvs_viewer.mjs and kvs_master.mjs ------------------------------
  // As modules: a viewer that creates the channel and offers, a master that connects after it.
  const { runViewer } = await import('./kvs_viewer.mjs');
  const { runMaster } = await import('./kvs_master.mjs');
  const name2 = `${name}-2`;
  const viewerRun = runViewer({ url: emu.url, channel: name2, credentials, ca: certs.ca, create: true, clientId: 'harness', timeoutMs: 15000 });
  await withTimeout((async () => {
    for (;;) {
      const st2 = await hook(emu.url, certs.ca, 'channel', { channel: name2 }, 'GET').catch(() => null);
      if (st2?.status === 200 && st2.body.viewers.includes('harness')) return;
      await new Promise((res) => setTimeout(res, 50));
    }
  })(), 10000, 'harness viewer connected');
  const masterRun = runMaster({ url: emu.url, channel: name2, credentials, ca: certs.ca, answerSdp: answer.sdp, answerCandidates: [cand], timeoutMs: 15000 });
  const [res2, resM] = await Promise.all([viewerRun, masterRun]);
  check(res2.answer.sdp === answer.sdp && res2.candidates.some((c) => c.candidate === cand.candidate) &&
        res2.iceServers.length === 1 && resM.viewer === 'harness' && /^v=0/.test(resM.offer.sdp),
  'kvs_viewer.mjs and kvs_master.mjs as modules: a late master answers the viewer');

  // As programs, the way other tests run them (JSON on stdout, exit 0).
  const { spawn: spawnChild } = require('node:child_process');
  const runCli = (script, args) => new Promise((resolve) => {
    const child = spawnChild(process.execPath, [new URL(script, import.meta.url).pathname, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => resolve({ code, out, err }));
  });
  const common = ['--url', emu.url, '--channel', `${name}-3`, '--access-key', ACCESS_KEY_ID,
    '--secret-file', `${certs.dir}/secret`, '--ca', `${certs.dir}/ca.pem`, '--create', '--timeout-ms', '15000'];
  const answerFile = `${certs.dir}/answer.sdp`;
  require('node:fs').writeFileSync(answerFile, answer.sdp);
  const masterCli = runCli('./kvs_master.mjs', [...common, '--answer-file', answerFile]);
  const viewerCli = runCli('./kvs_viewer.mjs', common);
  const [mc, vc] = await Promise.all([masterCli, viewerCli]);
  let cliOk = false;
  try {
    cliOk = mc.code === 0 && vc.code === 0 && JSON.parse(vc.out).answer.sdp === answer.sdp &&
            /^v=0/.test(JSON.parse(mc.out).offer.sdp);
  } catch { /* reported below */ }
  check(cliOk, 'kvs_viewer.mjs and kvs_master.mjs as programs', `${mc.code} ${vc.code} ${mc.err.trim()} ${vc.err.trim()}`.slice(0, 400));

  // ---- delete -------------------------------------------------------------------------------
  await expectError(kv.send(new kvsPkg.DeleteSignalingChannelCommand({ ChannelARN: arn, CurrentVersion: 'nope' })),
    'VersionMismatchException', 400, 'DeleteSignalingChannel with a stale version: VersionMismatchException');
  const masterClosed = once(master, 'close', 5000, 'master closed by the delete');
  await kv.send(new kvsPkg.DeleteSignalingChannelCommand({ ChannelARN: arn, CurrentVersion: info.Version }));
  await masterClosed;
  check(true, 'DeleteSignalingChannel closes the channel\'s sockets');
  await expectError(kv.send(new kvsPkg.DescribeSignalingChannelCommand({ ChannelARN: arn })),
    'ResourceNotFoundException', 404, 'after the delete: ResourceNotFoundException');
  await expectError(sig.send(new sigPkg.GetIceServerConfigCommand({ ChannelARN: arn, ClientId: 'viewer-1' })),
    'ResourceNotFoundException', 404, 'GetIceServerConfig after the delete: ResourceNotFoundException');
} catch (e) {
  check(false, 'unexpected exception', e.stack || String(e));
} finally {
  for (const c of cleanups) { try { c(); } catch { /* already closed */ } }
  const code = await emu.stop();
  check(code === 0, 'edgertc-signald exits 0 on SIGTERM', String(code));
  const out = emu.stderr();
  check(!out.includes(secret) && !out.includes(turnSecret), 'no secret in signald\'s output');
  if (failures > 0) console.log(`--- signald stderr ---\n${out.split('\n').slice(-60).join('\n')}`);
  certs.cleanup();
}
console.log(failures === 0 ? 'PASS' : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
