/* edgertc viewer: a browser peer for edgertc devices, speaking the AppRTC room-server and
 * Collider protocol (specs/apprtc.md §1.2 join, §2 WebSocket, §3 messages and call flows).
 *
 * The page is served by edgertc-signald at /r/<room> (and / for a room picker). It joins the
 * room, registers on the Collider WebSocket and runs one RTCPeerConnection at a time:
 *   - the initiator (first in the room) makes the offer, the other side answers it; a page that
 *     joined second and finds no offer makes one itself after 1.5 s (a camera that joined
 *     first only answers); ?offer=1 / ?offer=0 override all that;
 *   - the initiator sends by POST /message/<room>/<client> (stored by the room server until the
 *     peer joins), the non-initiator over the WebSocket (§3.2);
 *   - by default the page only receives media; ?send=canvas adds a synthetic video and tone;
 *   - the offerer opens the data channel "data".
 * window.ertcViewer exposes state, stats and actions for tests (docs/viewer.md).
 * Plain script, no build step, no network resource besides the server that served it. */
'use strict';

(function () {
  const ROOM_PATTERN = /^[A-Za-z0-9_-]+$/;
  const STATS_INTERVAL_MS = 1000;
  const ICE_FETCH_TIMEOUT_MS = 5000;
  const MAX_LOG_LINES = 400;
  const LOG_PREFIX = '[ertc-viewer]';
  const PHASE_TEXT = {
    starting: 'starting', lobby: 'choose a room', joining: 'joining the room',
    waiting: 'waiting for the peer', connected: 'connected', disconnected: 'connection interrupted',
    failed: 'connection failed', closed: 'hung up', error: 'error',
  };

  const query = new URLSearchParams(location.search);
  const options = {
    // '1': always offer, '0': always wait for an offer, null: the initiator offers.
    offer: query.get('offer') === '1' ? '1' : query.get('offer') === '0' ? '0' : null,
    sendCanvas: query.get('send') === 'canvas',
    // ?ice=0 drops every ICE server the room server names (host candidates only).
    useIceServers: query.get('ice') !== '0',
  };

  const viewer = {
    roomId: '',
    clientId: '',
    isInitiator: false,
    phase: 'starting',
    state: {
      signaling: 'new', ice: 'new', connection: 'new',
      dataChannel: 'none', websocket: 'closed',
    },
    dataMessages: [],
    stats: {
      codec: '', audioCodec: '', bitrateKbps: 0, sendBitrateKbps: 0, fps: 0, rttMs: null,
      framesDecoded: 0, totalSamplesReceived: 0, localCandidate: '', remoteCandidate: '',
    },
    errors: [],
    log: [],
    byeCount: 0,
    sendData: sendData,
    hangup: hangup,
  };
  window.ertcViewer = viewer;

  // Everything about the current room membership. pc/dc are replaced after a "bye".
  const session = {
    params: null,
    iceServers: [],
    pcConfig: {},
    ws: null,
    wsRegistered: false,
    wsOutbox: [], // messages produced while the socket was still opening
    pc: null,
    dc: null,
    weOffer: false,
    pendingCandidates: [],
    remoteStream: null,
    localStream: null,
    statsTimer: 0,
    lastStats: null,
    hungUp: false,
    chain: Promise.resolve(), // serializes every peer-connection operation
    postChain: Promise.resolve(), // keeps POST /message bodies in order
  };

  const $ = (id) => document.getElementById(id);

  // ---- logging ------------------------------------------------------------------------

  function log(...parts) {
    const text = parts.map((p) => (typeof p === 'string' ? p : safeStringify(p))).join(' ');
    console.log(LOG_PREFIX, text);
    const line = new Date().toISOString().slice(11, 23) + ' ' + text;
    viewer.log.push(line);
    if (viewer.log.length > MAX_LOG_LINES) viewer.log.shift();
    const pre = $('log');
    if (pre) pre.textContent = viewer.log.join('\n');
  }

  function reportError(message) {
    const text = String(message);
    console.error(LOG_PREFIX, 'ERROR', text);
    viewer.errors.push(text);
    viewer.log.push('ERROR ' + text);
    const box = $('errors');
    if (box) {
      const div = document.createElement('div');
      div.textContent = text;
      box.appendChild(div);
    }
  }

  function safeStringify(value) {
    try {
      return JSON.stringify(value);
    } catch (e) {
      return String(value);
    }
  }

  function describeError(e) {
    return e && e.message ? (e.name ? e.name + ': ' : '') + e.message : String(e);
  }

  // Runs fn after every earlier peer-connection operation; errors are reported, not thrown.
  function serial(what, fn) {
    session.chain = session.chain.then(fn).catch((e) => reportError(what + ': ' + describeError(e)));
    return session.chain;
  }

  // ---- tolerant parsing of the join response (§1.2) -------------------------------------

  function parseJsonish(value, fallback) {
    if (value === null || value === undefined || value === '') return fallback;
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch (e) {
      return fallback;
    }
  }

  function parseBool(value) {
    return value === true || value === 'true';
  }

  function parseMessageList(value) {
    const list = parseJsonish(value, []);
    return Array.isArray(list) ? list : [];
  }

  function absoluteUrl(value) {
    return value ? new URL(value, location.href).toString() : '';
  }

  // ---- HTTP helpers --------------------------------------------------------------------

  async function httpRequest(method, url, body, extra) {
    const init = Object.assign({ method: method, cache: 'no-store' }, extra || {});
    if (body !== undefined) {
      init.body = body;
      init.headers = { 'Content-Type': 'text/plain;charset=UTF-8' };
    }
    const resp = await fetch(url, init);
    const text = await resp.text();
    if (!resp.ok) throw new Error(method + ' ' + url + ': HTTP ' + resp.status + ' ' + text.trim());
    return text;
  }

  // ---- entry ---------------------------------------------------------------------------

  function start() {
    const match = /^\/r\/([^/]+)\/?$/.exec(location.pathname);
    if (!match) {
      showLobby();
      return;
    }
    let room;
    try {
      room = decodeURIComponent(match[1]);
    } catch (e) {
      room = '';
    }
    if (!ROOM_PATTERN.test(room)) {
      showLobby();
      reportError('invalid room name in the URL (allowed: letters, digits, "_" and "-")');
      return;
    }
    viewer.roomId = room;
    $('call').hidden = false;
    $('room-label').textContent = 'room ' + room;
    document.title = 'edgertc viewer: ' + room;
    wireCallControls();
    joinRoom().catch((e) => {
      viewer.phase = 'error';
      reportError('join failed: ' + describeError(e));
      updateStatusPanel();
    });
  }

  function showLobby() {
    viewer.phase = 'lobby';
    $('lobby').hidden = false;
    const input = $('lobby-room');
    const go = (room) => {
      location.href = '/r/' + encodeURIComponent(room) + location.search;
    };
    $('lobby-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const room = input.value.trim();
      if (ROOM_PATTERN.test(room)) go(room);
      else input.reportValidity();
    });
    $('lobby-random').addEventListener('click', () => {
      // Nine decimal digits, like the reference landing page's random rooms.
      const digits = new Uint32Array(1);
      crypto.getRandomValues(digits);
      go(String(100000000 + (digits[0] % 900000000)));
    });
    input.focus();
  }

  function wireCallControls() {
    const video = $('remote-video');
    $('unmute').addEventListener('click', () => {
      video.muted = !video.muted;
      $('unmute').textContent = video.muted ? 'Unmute' : 'Mute';
      video.play().catch((e) => {
        if (e.name !== 'AbortError') log('video.play: ' + describeError(e)); // AbortError: a newer srcObject
      });
      if (session.audioContext) session.audioContext.resume().catch(() => {});
    });
    $('hangup').addEventListener('click', () => {
      if (session.hungUp) {
        location.reload();
        return;
      }
      hangup().then(() => {
        $('hangup').textContent = 'Join again';
      });
    });
    $('data-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const input = $('data-text');
      if (!input.value) return;
      try {
        sendData(input.value);
        input.value = '';
      } catch (e) {
        reportError(describeError(e));
      }
    });
    // Leave the room when the tab goes away, so the slot is free for the next viewer.
    window.addEventListener('pagehide', () => {
      if (!session.hungUp && session.params) hangup({ keepalive: true });
    });
  }

  // ---- room server: join (§1.2) and ICE servers (§1.6) -----------------------------------

  async function joinRoom() {
    viewer.phase = 'joining';
    const url = '/join/' + encodeURIComponent(viewer.roomId);
    log('POST ' + url);
    const text = await httpRequest('POST', url);
    const body = parseJsonish(text, null);
    if (!body || typeof body !== 'object') throw new Error('join response is not JSON: ' + text.slice(0, 200));
    if (body.result !== 'SUCCESS') {
      if (body.result === 'FULL') throw new Error('room "' + viewer.roomId + '" is full (two participants already)');
      throw new Error('join result ' + body.result);
    }
    const params = parseJsonish(body.params, null);
    if (!params || typeof params !== 'object') throw new Error('join response has no params');
    session.params = params;
    viewer.clientId = String(params.client_id || '');
    viewer.isInitiator = parseBool(params.is_initiator);
    if (!viewer.clientId) throw new Error('join response has no client_id');
    const messages = parseMessageList(params.messages);
    log('joined: client_id=' + viewer.clientId + ' is_initiator=' + viewer.isInitiator +
        ' stored messages=' + messages.length);

    session.pcConfig = parseJsonish(params.pc_config, {}) || {};
    session.iceServers = await resolveIceServers(params);
    updateStatusPanel();

    openWebSocket();
    startCall(messages);
  }

  async function resolveIceServers(params) {
    if (!options.useIceServers) {
      log('ICE servers: none (?ice=0)');
      return [];
    }
    let servers = Array.isArray(session.pcConfig.iceServers) ? session.pcConfig.iceServers : [];
    const iceUrl = absoluteUrl(params.ice_server_url);
    if (servers.length === 0 && iceUrl) {
      log('POST ' + iceUrl + ' (pc_config has no iceServers)');
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), ICE_FETCH_TIMEOUT_MS);
      try {
        const text = await httpRequest('POST', iceUrl, undefined, { signal: abort.signal });
        const reply = parseJsonish(text, {});
        servers = Array.isArray(reply.iceServers) ? reply.iceServers : [];
      } catch (e) {
        reportError('ICE server request failed: ' + describeError(e));
      } finally {
        clearTimeout(timer);
      }
    }
    const usable = servers.map(normalizeIceServer).filter(Boolean);
    log('ICE servers: ' + (usable.length ? safeStringify(usable.map((s) => s.urls)) : 'none'));
    return usable;
  }

  // Accepts {urls|url, username, credential}; drops TURN entries without credentials,
  // which RTCPeerConnection would reject as a whole.
  function normalizeIceServer(server) {
    if (!server || typeof server !== 'object') return null;
    let urls = server.urls !== undefined ? server.urls : server.url;
    if (typeof urls === 'string') urls = [urls];
    if (!Array.isArray(urls)) return null;
    const hasCredential = typeof server.username === 'string' && typeof server.credential === 'string';
    urls = urls.filter((u) => typeof u === 'string' && (hasCredential || !/^turns?:/i.test(u)));
    if (urls.length === 0) return null;
    const out = { urls: urls };
    if (hasCredential) {
      out.username = server.username;
      out.credential = server.credential;
    }
    return out;
  }

  function peerConnectionConfig() {
    const cfg = { iceServers: session.iceServers };
    const src = session.pcConfig;
    for (const key of ['bundlePolicy', 'rtcpMuxPolicy', 'iceTransportPolicy', 'iceCandidatePoolSize']) {
      if (src[key] !== undefined) cfg[key] = src[key];
    }
    if (cfg.iceTransportPolicy === undefined && typeof src.iceTransports === 'string') {
      cfg.iceTransportPolicy = src.iceTransports; // the reference server's older name ("it=")
    }
    return cfg;
  }

  // ---- Collider WebSocket (§2) -----------------------------------------------------------

  function openWebSocket() {
    const url = absoluteUrl(session.params.wss_url);
    if (!url) {
      reportError('join response has no wss_url; replies go by HTTP only');
      return;
    }
    log('WebSocket ' + url);
    const ws = new WebSocket(url);
    session.ws = ws;
    viewer.state.websocket = 'connecting';
    ws.onopen = () => {
      const register = { cmd: 'register', roomid: viewer.roomId, clientid: viewer.clientId };
      ws.send(JSON.stringify(register));
      session.wsRegistered = true;
      viewer.state.websocket = 'registered';
      log('WS register ' + safeStringify(register));
      flushWsOutbox();
    };
    ws.onmessage = (ev) => onWsFrame(ev.data);
    ws.onerror = () => log('WS error event');
    ws.onclose = (ev) => {
      session.wsRegistered = false;
      viewer.state.websocket = 'closed';
      if (session.hungUp) {
        log('WS closed');
        return;
      }
      reportError('WebSocket closed (code ' + ev.code + (ev.reason ? ', ' + ev.reason : '') + ')');
      flushWsOutbox(); // anything still waiting goes by the HTTP relay
    };
  }

  function onWsFrame(data) {
    if (typeof data !== 'string') {
      log('WS ignoring a binary frame');
      return;
    }
    const frame = parseJsonish(data.trim(), null);
    if (!frame || typeof frame !== 'object') {
      reportError('WS frame is not JSON: ' + data.slice(0, 200));
      return;
    }
    if (typeof frame.error === 'string' && frame.error !== '') {
      reportError('Collider error: ' + frame.error);
      return;
    }
    if (frame.msg !== undefined && frame.msg !== '') {
      log('WS recv ' + summarize(frame.msg));
      serial('incoming message', () => handleMessage(frame.msg));
    } else if (frame.type !== undefined || frame.candidate !== undefined) {
      log('WS recv (bare) ' + summarize(frame));
      serial('incoming message', () => handleMessage(frame));
    } else if (frame.cmd !== undefined) {
      log('WS ignoring ' + safeStringify(frame)); // acknowledgements of non-stock servers
    }
  }

  function flushWsOutbox() {
    const pending = session.wsOutbox;
    session.wsOutbox = [];
    for (const text of pending) sendOverWebSocket(text);
  }

  // ---- sending (§3.2) --------------------------------------------------------------------

  function sendSignal(message) {
    if (session.hungUp) return;
    const text = JSON.stringify(message);
    if (viewer.isInitiator) {
      postToRoomServer(text);
    } else {
      sendOverWebSocket(text);
    }
  }

  // The initiator's path: the room server stores while we are alone, else forwards (§1.3).
  function postToRoomServer(text) {
    const url = '/message/' + encodeURIComponent(viewer.roomId) + '/' + encodeURIComponent(viewer.clientId);
    log('POST ' + url + ' ' + summarize(text));
    session.postChain = session.postChain
      .then(() => httpRequest('POST', url, text))
      .then((reply) => {
        const result = parseJsonish(reply, {});
        if (result.result !== 'SUCCESS') reportError('POST ' + url + ': result ' + (result.result || reply));
      })
      .catch((e) => reportError(describeError(e)));
  }

  // The non-initiator's path: WebSocket send, or the Collider HTTP relay if the socket is gone.
  function sendOverWebSocket(text) {
    const ws = session.ws;
    if (ws && ws.readyState === WebSocket.OPEN && session.wsRegistered) {
      log('WS send ' + summarize(text));
      ws.send(JSON.stringify({ cmd: 'send', msg: text }));
      return;
    }
    if (ws && ws.readyState === WebSocket.CONNECTING) {
      session.wsOutbox.push(text);
      return;
    }
    const url = relayUrl();
    if (!url) {
      reportError('cannot send: WebSocket closed and no wss_post_url');
      return;
    }
    log('POST ' + url + ' (relay) ' + summarize(text));
    session.postChain = session.postChain
      .then(() => httpRequest('POST', url, text))
      .catch((e) => reportError(describeError(e)));
  }

  // <wss_post_url>/<room>/<client>: the Collider HTTP relay (§2.6), '' without wss_post_url.
  function relayUrl() {
    const base = session.params ? absoluteUrl(session.params.wss_post_url) : '';
    if (!base) return '';
    return base.replace(/\/$/, '') + '/' + encodeURIComponent(viewer.roomId) + '/' +
      encodeURIComponent(viewer.clientId);
  }

  function summarize(message) {
    const obj = typeof message === 'string' ? parseJsonish(message, null) : message;
    if (!obj || typeof obj !== 'object') return String(message).slice(0, 80);
    if (obj.type === 'offer' || obj.type === 'answer') return obj.type + ' (' + String(obj.sdp || '').length + ' bytes SDP)';
    if (obj.candidate !== undefined) return (obj.type || 'candidate') + ' ' + String(obj.candidate).slice(0, 90);
    return safeStringify(obj).slice(0, 120);
  }

  // ---- the call ------------------------------------------------------------------------

  // How long a page that joined second waits for an offer before making one itself.
  const AUTO_OFFER_MS = 1500;

  function startCall(initialMessages) {
    session.weOffer = options.offer === '1' ? true : options.offer === '0' ? false : viewer.isInitiator;
    viewer.phase = 'waiting';
    createPeerConnection();
    log('call: this page ' + (session.weOffer ? 'makes the offer' : 'waits for an offer') +
        (options.sendCanvas ? ', sends canvas video and a tone' : ', receives only'));
    if (session.weOffer) serial('offer', makeOffer);
    for (const message of initialMessages) {
      log('stored message ' + summarize(message));
      serial('stored message', () => handleMessage(message));
    }
    // A camera (MASTER) that joined first never offers: when we joined second and found no
    // offer waiting, make it ourselves unless one arrives within AUTO_OFFER_MS.
    const offerWaiting = initialMessages.some((m) => {
      const msg = typeof m === 'string' ? parseJsonish(m, null) : m;
      return msg && msg.type === 'offer';
    });
    if (!session.weOffer && options.offer === null && !offerWaiting) {
      const pc = session.pc;
      session.autoOfferTimer = setTimeout(() => {
        if (pc !== session.pc || session.hungUp || pc.signalingState !== 'stable' ||
            pc.remoteDescription) return;
        log('no offer came within ' + AUTO_OFFER_MS + ' ms: this page makes the offer');
        session.weOffer = true;
        serial('offer', makeOffer);
      }, AUTO_OFFER_MS);
    }
    startStats();
  }

  function createPeerConnection() {
    const config = peerConnectionConfig();
    log('RTCPeerConnection ' + safeStringify(config));
    const pc = new RTCPeerConnection(config);
    session.pc = pc;
    session.dc = null;
    session.pendingCandidates = [];
    session.lastStats = null;
    session.remoteStream = new MediaStream();
    $('remote-video').srcObject = session.remoteStream;
    updateStates();

    pc.onicecandidate = (ev) => {
      if (pc !== session.pc || !ev.candidate || !ev.candidate.candidate) return;
      const c = ev.candidate;
      if (/ tcp /i.test(c.candidate)) return; // as the reference client: UDP only
      sendSignal({ type: 'candidate', label: c.sdpMLineIndex, id: c.sdpMid, candidate: c.candidate });
    };
    pc.onicegatheringstatechange = () => log('ICE gathering ' + pc.iceGatheringState);
    pc.onsignalingstatechange = () => pc === session.pc && updateStates();
    pc.oniceconnectionstatechange = () => pc === session.pc && updateStates();
    pc.onconnectionstatechange = () => {
      if (pc !== session.pc) return;
      updateStates();
      if (pc.connectionState === 'connected') viewer.phase = 'connected';
      if (pc.connectionState === 'disconnected' || pc.connectionState === 'failed') viewer.phase = pc.connectionState;
      updateStatusPanel();
      if (pc.connectionState === 'failed') reportError('peer connection failed (ICE or DTLS)');
    };
    pc.ontrack = (ev) => {
      if (pc !== session.pc) return;
      log('remote track ' + ev.track.kind + ' (mid ' + ev.transceiver.mid + ')');
      session.remoteStream.addTrack(ev.track);
      $('remote-video').play().catch(() => {});
    };
    pc.ondatachannel = (ev) => {
      if (pc !== session.pc) return;
      log('data channel "' + ev.channel.label + '" from the peer');
      attachDataChannel(ev.channel);
    };
  }

  async function makeOffer() {
    const pc = session.pc;
    if (options.sendCanvas) {
      const local = ensureLocalMedia();
      for (const track of local.getTracks()) pc.addTrack(track, local); // sendrecv
    } else {
      pc.addTransceiver('video', { direction: 'recvonly' });
      pc.addTransceiver('audio', { direction: 'recvonly' });
    }
    attachDataChannel(pc.createDataChannel('data'));
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    log('local offer set');
    sendSignal({ type: 'offer', sdp: offer.sdp });
  }

  async function answerOffer(sdp) {
    const pc = session.pc;
    await pc.setRemoteDescription({ type: 'offer', sdp: sdp });
    log('remote offer set');
    const local = options.sendCanvas ? ensureLocalMedia() : null;
    for (const t of pc.getTransceivers()) {
      if (t.stopped || t.currentDirection === 'stopped') continue;
      const kind = t.receiver.track.kind;
      const track = local && local.getTracks().find((tr) => tr.kind === kind);
      if (track && !t.sender.track) {
        await t.sender.replaceTrack(track);
        if (t.sender.setStreams) t.sender.setStreams(local);
        t.direction = 'sendrecv';
      } else if (!t.sender.track) {
        t.direction = 'recvonly';
      }
    }
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    log('local answer set');
    sendSignal({ type: 'answer', sdp: answer.sdp });
    await flushPendingCandidates();
  }

  async function applyAnswer(sdp) {
    const pc = session.pc;
    if (pc.signalingState !== 'have-local-offer') {
      log('ignoring answer in signaling state ' + pc.signalingState);
      return;
    }
    await pc.setRemoteDescription({ type: 'answer', sdp: sdp });
    log('remote answer set');
    await flushPendingCandidates();
  }

  // One signaling message (a JSON string or an object) from /join, the WebSocket or a relay.
  async function handleMessage(raw) {
    const msg = typeof raw === 'string' ? parseJsonish(raw, null) : raw;
    if (!msg || typeof msg !== 'object') {
      log('ignoring a message that is not JSON: ' + String(raw).slice(0, 80));
      return;
    }
    if (session.hungUp || !session.pc) return;
    switch (msg.type) {
      case 'offer':
        clearTimeout(session.autoOfferTimer);
        if (session.weOffer) {
          log('ignoring offer: this page makes the offer' + (options.offer === null ? '' : ' (?offer=1)'));
          return;
        }
        await answerOffer(msg.sdp);
        return;
      case 'answer':
        if (!session.weOffer) {
          log('ignoring answer: this page did not offer');
          return;
        }
        await applyAnswer(msg.sdp);
        return;
      case 'candidate':
      case 'iceCandidate':
        await addRemoteCandidate(msg);
        return;
      case 'bye':
        onBye();
        return;
      case 'customized':
        log('customized message: ' + safeStringify(msg.data));
        return;
      case undefined:
        if (typeof msg.candidate === 'string') await addRemoteCandidate(msg); // typeless (KVS style)
        // else: {"error":""} heartbeat or other typeless message, ignored by design
        return;
      default:
        log('ignoring message type ' + msg.type);
    }
  }

  // Accepts AppRTC {label,id,candidate} and W3C {sdpMLineIndex,sdpMid,candidate} shapes.
  async function addRemoteCandidate(msg) {
    if (typeof msg.candidate !== 'string' || msg.candidate === '') return;
    let index = msg.label !== undefined ? msg.label : msg.sdpMLineIndex;
    let mid = msg.id !== undefined ? msg.id : msg.sdpMid;
    if (typeof index === 'string' && index !== '') index = Number(index);
    if (typeof index !== 'number' || !Number.isFinite(index)) index = null;
    if (typeof mid !== 'string' && mid !== null) mid = mid === undefined ? null : String(mid);
    if (index === null && mid === null) index = 0; // candidate without either: first (bundled) m-line
    const init = { candidate: msg.candidate, sdpMLineIndex: index, sdpMid: mid };
    const pc = session.pc;
    if (!pc.remoteDescription) {
      session.pendingCandidates.push(init);
      return;
    }
    await addCandidateNow(pc, init);
  }

  async function addCandidateNow(pc, init) {
    try {
      await pc.addIceCandidate(init);
    } catch (e) {
      reportError('addIceCandidate(' + init.candidate + '): ' + describeError(e));
    }
  }

  async function flushPendingCandidates() {
    const pc = session.pc;
    const pending = session.pendingCandidates;
    session.pendingCandidates = [];
    if (pending.length) log('adding ' + pending.length + ' queued remote candidate(s)');
    for (const init of pending) await addCandidateNow(pc, init);
  }

  // The peer hung up: as the reference client, become initiator and start again, so that our
  // new offer is stored by the room server for the next joiner (§3.2, §3.3).
  function onBye() {
    viewer.byeCount += 1;
    log('peer said bye: closing the peer connection, this page is initiator now');
    closePeerConnection();
    viewer.isInitiator = true;
    updateStatusPanel();
    startCall([]);
  }

  function closePeerConnection() {
    if (session.dc) session.dc.close();
    if (session.pc) session.pc.close();
    session.dc = null;
    session.pendingCandidates = [];
    viewer.state.signaling = 'closed';
    viewer.state.ice = 'closed';
    viewer.state.connection = 'closed';
    viewer.state.dataChannel = 'closed';
    setDataControlsEnabled(false);
    updateStatusPanel();
  }

  // ---- hang-up (§3.2: leave, bye, close, DELETE) -----------------------------------------

  // opts.keepalive is for a closing tab: the requests are fired without waiting, since the
  // page may not run again, and fetch's keepalive lets them outlive it.
  // How long hang-up waits for the server to close the WebSocket before sending DELETE.
  const WS_CLOSE_WAIT_MS = 1000;

  async function hangup(opts) {
    if (session.hungUp) return;
    session.hungUp = true;
    viewer.phase = 'closed';
    const keepalive = !!(opts && opts.keepalive);
    const params = session.params;
    log('hang-up');
    clearInterval(session.statsTimer);
    if (params) {
      const leave = '/leave/' + encodeURIComponent(viewer.roomId) + '/' + encodeURIComponent(viewer.clientId);
      log('POST ' + leave);
      const left = httpRequest('POST', leave, undefined, { keepalive: keepalive })
        .catch((e) => log('leave: ' + describeError(e)));
      if (!keepalive) await left;
    }
    const ws = session.ws;
    if (ws && ws.readyState === WebSocket.OPEN) {
      log('WS send bye, close');
      ws.send(JSON.stringify({ cmd: 'send', msg: JSON.stringify({ type: 'bye' }) }));
      // The DELETE below goes over another connection and closes our socket on the server:
      // wait until the server has closed the WebSocket, i.e. has read the bye before it.
      const closed = new Promise((resolve) => {
        ws.addEventListener('close', resolve, { once: true });
        setTimeout(resolve, WS_CLOSE_WAIT_MS);
      });
      ws.close();
      if (!keepalive) await closed;
    } else if (ws) {
      ws.close();
    }
    const relay = relayUrl();
    if (relay) {
      log('DELETE ' + relay);
      const deleted = httpRequest('DELETE', relay, undefined, { keepalive: keepalive })
        .catch((e) => log('DELETE: ' + describeError(e)));
      if (!keepalive) await deleted;
    }
    closePeerConnection();
    if (session.localStream) session.localStream.getTracks().forEach((t) => t.stop());
    if (session.localTimer) clearInterval(session.localTimer);
    if (session.audioContext) session.audioContext.close().catch(() => {});
  }

  // ---- data channel --------------------------------------------------------------------

  function attachDataChannel(dc) {
    session.dc = dc;
    viewer.state.dataChannel = dc.readyState;
    updateStatusPanel();
    dc.onopen = () => {
      if (dc !== session.dc) return;
      log('data channel open');
      viewer.state.dataChannel = 'open';
      setDataControlsEnabled(true);
      updateStatusPanel();
    };
    dc.onclose = () => {
      if (dc !== session.dc) return;
      log('data channel closed');
      viewer.state.dataChannel = 'closed';
      setDataControlsEnabled(false);
      updateStatusPanel();
    };
    dc.onmessage = async (ev) => {
      let text = ev.data;
      if (text instanceof ArrayBuffer) text = new TextDecoder().decode(text);
      else if (typeof Blob !== 'undefined' && text instanceof Blob) text = await text.text();
      text = String(text);
      viewer.dataMessages.push(text);
      log('data received: ' + text.slice(0, 120));
      addDataLine(text, 'received');
    };
  }

  function sendData(text) {
    const dc = session.dc;
    if (!dc || dc.readyState !== 'open') throw new Error('data channel is not open');
    const s = String(text);
    dc.send(s);
    log('data sent: ' + s.slice(0, 120));
    addDataLine(s, 'sent');
    return true;
  }

  function addDataLine(text, cls) {
    const li = document.createElement('li');
    li.className = cls;
    li.textContent = text;
    const list = $('data-messages');
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
  }

  function setDataControlsEnabled(on) {
    $('data-text').disabled = !on;
    $('data-send').disabled = !on;
  }

  // ---- synthetic local media (?send=canvas) ----------------------------------------------

  // A moving test pattern (canvas.captureStream) and a 440 Hz tone (WebAudio). Neither needs
  // getUserMedia, so it works in a non-secure context and in headless Chromium.
  function ensureLocalMedia() {
    if (session.localStream) return session.localStream;
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 360;
    canvas.id = 'local-canvas';
    const ctx = canvas.getContext('2d');
    let frame = 0;
    const draw = () => {
      const w = canvas.width;
      const h = canvas.height;
      const bars = ['#c0c0c0', '#c0c000', '#00c0c0', '#00c000', '#c000c0', '#c00000', '#0000c0'];
      bars.forEach((color, i) => {
        ctx.fillStyle = color;
        ctx.fillRect((i * w) / bars.length, 0, w / bars.length + 1, h);
      });
      ctx.fillStyle = '#000';
      ctx.fillRect(0, h - 60, w, 60);
      ctx.fillStyle = '#fff';
      ctx.font = '28px monospace';
      ctx.fillText('edgertc viewer ' + viewer.clientId + '  frame ' + frame, 12, h - 20);
      ctx.fillRect((frame * 4) % w, h / 2 - 10, 20, 20);
      frame += 1;
    };
    draw();
    session.localTimer = setInterval(draw, 33);
    const video = canvas.captureStream(30).getVideoTracks()[0];

    const AudioCtx = window.AudioContext || window.webkitAudioContext;
    const audioContext = new AudioCtx();
    session.audioContext = audioContext;
    const osc = audioContext.createOscillator();
    const gain = audioContext.createGain();
    osc.frequency.value = 440;
    gain.gain.value = 0.1;
    const dest = audioContext.createMediaStreamDestination();
    osc.connect(gain).connect(dest);
    osc.start();
    audioContext.resume().catch(() => {}); // may stay suspended until a click (autoplay policy)

    session.localStream = new MediaStream([video, dest.stream.getAudioTracks()[0]]);
    canvas.title = 'sent to the peer';
    canvas.className = 'local-preview';
    canvas.style.width = '160px';
    $('media-controls').appendChild(canvas);
    log('local media: canvas video 640x360@30 and a 440 Hz tone');
    return session.localStream;
  }

  // ---- state and stats -----------------------------------------------------------------

  function updateStates() {
    const pc = session.pc;
    if (!pc) return;
    const before = viewer.state.signaling + '/' + viewer.state.ice + '/' + viewer.state.connection;
    viewer.state.signaling = pc.signalingState;
    viewer.state.ice = pc.iceConnectionState;
    viewer.state.connection = pc.connectionState;
    const after = viewer.state.signaling + '/' + viewer.state.ice + '/' + viewer.state.connection;
    if (before !== after) log('state signaling/ice/connection: ' + after);
    updateStatusPanel();
  }

  function setCell(id, text, cls) {
    const cell = $(id);
    if (!cell) return;
    cell.textContent = text;
    cell.className = cls || '';
  }

  function stateClass(value) {
    if (value === 'connected' || value === 'completed' || value === 'open' || value === 'stable') return 'good';
    if (value === 'failed' || value === 'closed' || value === 'disconnected') return 'bad';
    return '';
  }

  function updateStatusPanel() {
    const role = (viewer.isInitiator ? 'initiator' : 'joiner') +
      (session.pc ? (session.weOffer ? ', offers' : ', answers') : '');
    setCell('st-phase', PHASE_TEXT[viewer.phase] || viewer.phase);
    setCell('st-role', role);
    setCell('st-client', viewer.clientId || '-');
    setCell('st-signaling', viewer.state.signaling, stateClass(viewer.state.signaling));
    setCell('st-ice', viewer.state.ice, stateClass(viewer.state.ice));
    setCell('st-connection', viewer.state.connection, stateClass(viewer.state.connection));
    setCell('st-data', viewer.state.dataChannel, stateClass(viewer.state.dataChannel));
    const s = viewer.stats;
    const codecs = [s.codec, s.audioCodec].filter(Boolean).join(' + ');
    setCell('st-codec', codecs || '-');
    setCell('st-bitrate', s.bitrateKbps.toFixed(0) + ' kbit/s in' +
      (s.sendBitrateKbps ? ', ' + s.sendBitrateKbps.toFixed(0) + ' out' : ''));
    setCell('st-fps', s.fps.toFixed(1) + ' (' + s.framesDecoded + ' decoded)');
    setCell('st-rtt', s.rttMs === null ? '-' : s.rttMs.toFixed(1) + ' ms');
    setCell('st-pair', s.localCandidate ? s.localCandidate + ' \u2194 ' + s.remoteCandidate : '-');
  }

  function startStats() {
    clearInterval(session.statsTimer);
    session.statsTimer = setInterval(() => {
      collectStats().catch((e) => log('getStats: ' + describeError(e)));
    }, STATS_INTERVAL_MS);
  }

  async function collectStats() {
    const pc = session.pc;
    if (!pc || pc.signalingState === 'closed') return;
    const report = await pc.getStats();
    if (pc !== session.pc) return;
    const now = performance.now();
    let bytesIn = 0;
    let bytesOut = 0;
    let video = null;
    let audio = null;
    let selectedPairId = null;
    let nominatedPair = null;
    report.forEach((r) => {
      if (r.type === 'inbound-rtp') {
        bytesIn += r.bytesReceived || 0;
        if (r.kind === 'video' && (!video || (r.framesDecoded || 0) > (video.framesDecoded || 0))) video = r;
        if (r.kind === 'audio' && !audio) audio = r;
      } else if (r.type === 'outbound-rtp') {
        bytesOut += r.bytesSent || 0;
      } else if (r.type === 'transport' && r.selectedCandidatePairId) {
        selectedPairId = r.selectedCandidatePairId;
      } else if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') {
        nominatedPair = r;
      }
    });
    const codecName = (rtp) => {
      const codec = rtp && rtp.codecId ? report.get(rtp.codecId) : null;
      return codec && codec.mimeType ? codec.mimeType : '';
    };
    const s = viewer.stats;
    const last = session.lastStats;
    const seconds = last ? (now - last.time) / 1000 : 0;
    s.codec = codecName(video) || codecName(audio);
    s.audioCodec = video ? codecName(audio) : '';
    s.framesDecoded = video ? video.framesDecoded || 0 : 0;
    s.totalSamplesReceived = audio ? audio.totalSamplesReceived || 0 : 0;
    if (seconds > 0) {
      s.bitrateKbps = Math.max(0, ((bytesIn - last.bytesIn) * 8) / seconds / 1000);
      s.sendBitrateKbps = Math.max(0, ((bytesOut - last.bytesOut) * 8) / seconds / 1000);
      if (video && typeof video.framesPerSecond === 'number') s.fps = video.framesPerSecond;
      else s.fps = Math.max(0, (s.framesDecoded - last.framesDecoded) / seconds);
    }
    const pair = (selectedPairId && report.get(selectedPairId)) || nominatedPair;
    s.rttMs = pair && typeof pair.currentRoundTripTime === 'number' ? pair.currentRoundTripTime * 1000 : null;
    const describeCandidate = (id) => {
      const c = id ? report.get(id) : null;
      return c ? (c.address || c.ip || '?') + ':' + c.port + ' ' + c.protocol + ' ' + c.candidateType : '';
    };
    s.localCandidate = pair ? describeCandidate(pair.localCandidateId) : '';
    s.remoteCandidate = pair ? describeCandidate(pair.remoteCandidateId) : '';
    session.lastStats = { time: now, bytesIn: bytesIn, bytesOut: bytesOut, framesDecoded: s.framesDecoded };
    updateStatusPanel();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
