// SPDX-License-Identifier: LGPL-2.1-or-later
//
// One browser SIP phone (JsSIP) driven by browser-peer.mjs.  The driver
// calls `sipwsPeer.handle(command)` through Playwright and receives events
// through the `sipwsEmit` binding it exposes; see README.md for the
// protocol.  One UA and at most one call per page keep the tests simple.

/* global JsSIP, RTCRtpScriptTransform */

'use strict';

// Non-trickle toward SIP: JsSIP waits for ICE gathering to complete before
// it sends an offer or answer.  No STUN/TURN: everything is on loopback.
const PC_CONFIG = {
  iceServers: [],
  iceTransportPolicy: 'all',
  bundlePolicy: 'max-bundle',
  rtcpMuxPolicy: 'require',
};
const MEDIA = { audio: true, video: false };

// RFC 4733 event codes 0-15.
const DTMF_DIGITS = '0123456789*#ABCD';

const state = {
  ua: null,
  session: null,           // the call in progress
  lastSession: null,       // the most recent call, for sdp after it
  callSeq: 0,
  autoAnswer: false,
  allowCandidates: null,   // RegExp on the connection address, or null
  dtmfSeen: new Set(),
};

function emit(event, fields = {}) {
  window.sipwsEmit(Object.assign({ event }, fields));
}

function fail(message) {
  throw new Error(message);
}

function requireString(cmd, key) {
  const v = cmd[key];
  if (typeof v !== 'string' || v === '')
    fail(`"${key}" must be a non-empty string`);
  return v;
}

// Status code of the SIP response an event carries (JsSIP names it
// `response` or `message`), or null when it carries none or a request.
function sipStatus(data) {
  const msg = data && (data.response || data.message);
  return msg && typeof msg.status_code === 'number' ? msg.status_code : null;
}

// ---------------------------------------------------------------- SDP ---

// Drop a=candidate lines whose address is not allowed (the driver's
// candidate filter): remote peers then never aim ICE checks at the
// machine's real interfaces.
function filterCandidates(sdp) {
  if (!state.allowCandidates)
    return sdp;
  const re = state.allowCandidates;
  return sdp.split('\r\n').filter((line) => {
    if (!line.startsWith('a=candidate:'))
      return true;
    const address = line.split(' ')[4];
    return re.test(address);
  }).join('\r\n');
}

function telephoneEventPts(sdp) {
  const pts = {};
  for (const m of (sdp || '').matchAll(/^a=rtpmap:(\d+) telephone-event\/(\d+)/gim))
    pts[m[1]] = Number(m[2]);
  return pts;
}

// ------------------------------------------------- DTMF receive (RTP) ---

// There is no DOM event for RFC 4733 events a browser receives.  A
// receiver-side RTCRtpScriptTransform sees every RTP payload before the
// audio decoder, telephone-event packets included, so a worker decodes
// them (dtmf-worker.js).
//
// Chromium 156 passes no frames through a transform set on the receiver of
// a transceiver that addTrack() created once negotiation has begun (JsSIP
// adds its tracks before every offer and answer): the transform has to be
// in place when addTrack() returns.  Receivers of transceivers created by
// a remote offer get theirs from the 'track' event.
const dtmfWorker = typeof RTCRtpScriptTransform === 'undefined'
  ? null : new Worker('/dtmf-worker.js');

function watchReceiver(receiver) {
  if (dtmfWorker && !receiver.transform && receiver.track.kind === 'audio')
    receiver.transform = new RTCRtpScriptTransform(dtmfWorker, {});
}

if (dtmfWorker) {
  const addTrack = RTCPeerConnection.prototype.addTrack;
  RTCPeerConnection.prototype.addTrack = function (...args) {
    const sender = addTrack.apply(this, args);
    const transceiver = this.getTransceivers().find((t) => t.sender === sender);
    if (transceiver)
      watchReceiver(transceiver.receiver);
    return sender;
  };

  dtmfWorker.onmessage = (e) => {
    const m = e.data;
    const key = `${m.ssrc}/${m.timestamp}`;
    if (state.dtmfSeen.has(key))
      return;              // end packets are sent three times (RFC 4733 2.5.1.4)
    state.dtmfSeen.add(key);
    const session = state.session;
    const pc = session && session.connection;
    const rate = telephoneEventPts(pc && pc.remoteDescription
      ? pc.remoteDescription.sdp : '')[m.pt];
    emit('dtmf_received', {
      call: session ? session.sipwsCall : null,
      digit: DTMF_DIGITS[m.code] || null,
      code: m.code,
      duration_ms: rate ? Math.round(m.duration * 1000 / rate) : null,
      pt: m.pt,
    });
  };
}

// -------------------------------------------------------------- calls ---

// Without a sink nothing pulls decoded audio, and totalSamplesReceived
// stays 0.  The page's audio element plays into Chromium's muted output.
function playOut(track) {
  if (track.kind !== 'audio')
    return;
  const audio = document.getElementById('remote');
  const stream = new MediaStream([track]);
  audio.srcObject = stream;
  audio.play().catch((e) => emit('page_error', { message: `audio playout: ${e.message}` }));
  meter.attach(stream);
}

// Level of the decoded remote audio (RTCInboundRtpStats.audioLevel is
// always 0 here: Playwright runs Chromium with --mute-audio).
const meter = {
  ctx: null, source: null, analyser: null, timer: null,
  peak: 0, peakHz: null, lastRms: 0,
  attach(stream) {
    this.detach();
    this.ctx = this.ctx || new AudioContext();
    this.ctx.resume();
    this.source = this.ctx.createMediaStreamSource(stream);
    this.analyser = this.ctx.createAnalyser();
    this.analyser.fftSize = 2048;
    this.source.connect(this.analyser);
    const samples = new Float32Array(this.analyser.fftSize);
    const bins = new Float32Array(this.analyser.frequencyBinCount);
    this.timer = setInterval(() => {
      this.analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const v of samples)
        sum += v * v;
      this.lastRms = Math.sqrt(sum / samples.length);
      if (this.lastRms > this.peak) {
        this.peak = this.lastRms;
        this.analyser.getFloatFrequencyData(bins);
        let best = 0;
        for (let i = 1; i < bins.length; i++)
          if (bins[i] > bins[best])
            best = i;
        this.peakHz = Math.round(best * this.ctx.sampleRate / this.analyser.fftSize);
      }
    }, 20);
  },
  detach() {
    if (this.timer)
      clearInterval(this.timer);
    if (this.source)
      this.source.disconnect();
    this.timer = this.source = this.analyser = null;
  },
  reset() {
    this.detach();
    this.peak = this.lastRms = 0;
    this.peakHz = null;
  },
};

function watchPeerConnection(session, pc) {
  if (session.sipwsPcWatched)
    return;
  session.sipwsPcWatched = true;
  const call = session.sipwsCall;
  pc.addEventListener('iceconnectionstatechange', () =>
    emit('ice', { state: pc.iceConnectionState, call }));
  pc.addEventListener('connectionstatechange', () =>
    emit('connection', { state: pc.connectionState, call }));
  pc.addEventListener('track', (e) => {
    watchReceiver(e.receiver);
    playOut(e.track);
  });
}

function watchDtmfSender(session) {
  const pc = session.connection;
  if (!pc || session.sipwsDtmfWatched)
    return;
  const sender = pc.getSenders().find((s) => s.track && s.track.kind === 'audio');
  if (!sender || !sender.dtmf)
    return;
  session.sipwsDtmfWatched = true;
  sender.dtmf.addEventListener('tonechange', (e) => {
    // The empty tone marks the end of the queue.
    emit('dtmf_sent', { digit: e.tone === '' ? null : e.tone, call: session.sipwsCall });
  });
}

function adoptSession(session, originator, request) {
  const call = ++state.callSeq;
  session.sipwsCall = call;

  session.on('sdp', (e) => {
    if (e.originator === 'local')
      e.sdp = filterCandidates(e.sdp);
  });
  session.on('peerconnection', (e) => watchPeerConnection(session, e.peerconnection));
  if (session.connection)
    watchPeerConnection(session, session.connection);

  session.on('progress', (e) => emit('progress', {
    call, originator: e.originator, status: sipStatus(e) }));
  session.on('accepted', (e) => emit('accepted', {
    call, originator: e.originator, status: sipStatus(e) }));
  session.on('confirmed', (e) => {
    watchDtmfSender(session);
    emit('confirmed', { call, originator: e.originator });
  });
  session.on('hold', (e) => emit('hold', { call, originator: e.originator }));
  session.on('unhold', (e) => emit('unhold', { call, originator: e.originator }));
  session.on('newDTMF', (e) => {
    // JsSIP surfaces only SIP INFO DTMF here (both directions).
    if (e.originator === 'remote')
      emit('dtmf_info', { call, digit: e.dtmf.tone, duration_ms: e.dtmf.duration });
  });
  const finish = (kind) => (e) => {
    if (state.session === session)
      state.session = null;
    emit(kind, { call, originator: e.originator, cause: e.cause, status: sipStatus(e) });
  };
  session.on('ended', finish('ended'));
  session.on('failed', finish('failed'));

  if (originator === 'remote') {
    if (state.session) {
      session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
      emit('incoming_rejected', { call, from: request.from.uri.toString(), status: 486 });
      return;
    }
    begin(session);
    emit('incoming', {
      call,
      from: request.from.uri.toString(),
      to: request.to.uri.toString(),
      display_name: request.from.display_name || null,
    });
    if (state.autoAnswer)
      answer();
  } else {
    begin(session);
  }
}

function begin(session) {
  state.session = state.lastSession = session;
  meter.reset();
}

function answer() {
  const session = state.session;
  if (!session || session.direction !== 'incoming' || !session.isInProgress())
    fail('no incoming call to answer');
  session.answer({ mediaConstraints: MEDIA, pcConfig: PC_CONFIG });
  return { call: session.sipwsCall };
}

function currentSession() {
  if (!state.session)
    fail('no call');
  return state.session;
}

// --------------------------------------------------------- registration ---

async function cookieLogin(loginUrl, user, password) {
  // The bed's login endpoint sends no CORS headers: a no-cors POST is a
  // "simple" request whose Set-Cookie is still stored (same site as the
  // page, which the driver serves over HTTPS for this), but its status is
  // opaque.  A refused login shows up as a failed WebSocket upgrade.
  await fetch(loginUrl, {
    method: 'POST',
    mode: 'no-cors',
    credentials: 'include',
    body: new URLSearchParams({ user, password }),
  });
}

async function register(cmd) {
  if (state.ua)
    fail('already registered (unregister first)');
  const user = requireString(cmd, 'user');
  const ws = requireString(cmd, 'ws');
  const auth = cmd.auth || 'digest';
  const domain = cmd.domain || new URL(ws.replace(/^ws/, 'http')).hostname;
  state.autoAnswer = !!cmd.auto_answer;

  const config = {
    sockets: [new JsSIP.WebSocketInterface(ws)],
    uri: `sip:${user}@${domain}`,
    register: cmd.register !== false,
    register_expires: cmd.expires || 600,
    session_timers: false,
    user_agent: 'JsSIP/' + JsSIP.version + ' (libsipws browser peer)',
    // A broken server should not be hammered: slow, bounded retries.
    connection_recovery_min_interval: 2,
    connection_recovery_max_interval: 10,
  };
  if (cmd.display_name)
    config.display_name = cmd.display_name;
  if (auth === 'digest') {
    config.password = requireString(cmd, 'password');
    config.authorization_user = user;
  } else if (auth === 'cookie') {
    await cookieLogin(requireString(cmd, 'login'), user, requireString(cmd, 'password'));
  } else if (auth !== 'none') {
    fail(`unknown auth "${auth}" (digest, cookie, none)`);
  }

  const ua = new JsSIP.UA(config);
  state.ua = ua;
  ua.on('connected', () => emit('ws_connected'));
  ua.on('disconnected', (e) => emit('ws_disconnected', {
    error: !!e.error, code: e.code === undefined ? null : e.code,
    reason: e.reason || null }));
  ua.on('registered', (e) => emit('registered', { status: sipStatus(e) }));
  ua.on('unregistered', (e) => emit('unregistered', { status: sipStatus(e), cause: e.cause || null }));
  ua.on('registrationFailed', (e) => emit('registration_failed', {
    cause: e.cause, status: sipStatus(e) }));
  ua.on('newRTCSession', (e) => adoptSession(e.session, e.originator, e.request));
  ua.on('newMessage', (e) => {
    if (e.originator === 'remote')
      emit('message', { from: e.request.from.uri.toString(), body: e.request.body,
                        content_type: e.request.getHeader('Content-Type') || null });
  });
  ua.start();
  return { uri: config.uri };
}

// ------------------------------------------------------------- stats ---

async function stats() {
  const session = state.session || state.lastSession;
  if (!session)
    fail('no call');
  const pc = session.connection;
  if (!pc)
    fail('call has no peer connection yet');
  if (pc.connectionState === 'closed')
    fail('call has ended (a closed RTCPeerConnection reports no stats)');
  const report = await pc.getStats();
  const out = {
    call: session.sipwsCall,
    bytesReceived: 0, packetsReceived: 0, packetsLost: 0, totalSamplesReceived: 0,
    bytesSent: 0, packetsSent: 0,
    codec: null, iceState: pc.iceConnectionState,
    connectionState: pc.connectionState,
    localCandidate: null, remoteCandidate: null, candidatePairs: [],
    level: meter.lastRms, levelPeak: meter.peak, levelPeakHz: meter.peakHz,
    audioContext: meter.ctx ? meter.ctx.state : null,
  };
  const byId = new Map();
  report.forEach((s) => byId.set(s.id, s));
  const cand = (id) => {
    const c = byId.get(id);
    return c ? { address: c.address, port: c.port, protocol: c.protocol,
                 type: c.candidateType } : null;
  };
  report.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'audio') {
      out.bytesReceived += s.bytesReceived || 0;
      out.packetsReceived += s.packetsReceived || 0;
      out.packetsLost += s.packetsLost || 0;
      out.totalSamplesReceived += s.totalSamplesReceived || 0;
      const codec = byId.get(s.codecId);
      if (codec)
        out.codec = codec.mimeType + '/' + codec.payloadType;
    } else if (s.type === 'outbound-rtp' && s.kind === 'audio') {
      out.bytesSent += s.bytesSent || 0;
      out.packetsSent += s.packetsSent || 0;
    } else if (s.type === 'transport' && s.selectedCandidatePairId) {
      const pair = byId.get(s.selectedCandidatePairId);
      if (pair) {
        out.localCandidate = cand(pair.localCandidateId);
        out.remoteCandidate = cand(pair.remoteCandidateId);
      }
    } else if (s.type === 'candidate-pair') {
      out.candidatePairs.push({
        local: cand(s.localCandidateId), remote: cand(s.remoteCandidateId),
        state: s.state, requestsSent: s.requestsSent || 0,
        responsesReceived: s.responsesReceived || 0 });
    }
  });
  return out;
}

// ----------------------------------------------------------- commands ---

const COMMANDS = {
  async register(cmd) {
    return register(cmd);
  },
  async unregister() {
    const ua = state.ua;
    if (!ua)
      fail('not registered');
    state.ua = null;
    ua.stop();     // un-REGISTERs, ends calls, closes the WebSocket
    return {};
  },
  async call(cmd) {
    if (!state.ua)
      fail('register first');
    if (state.session)
      fail('a call is already in progress');
    const session = state.ua.call(requireString(cmd, 'target'), {
      mediaConstraints: MEDIA,
      pcConfig: PC_CONFIG,
    });
    return { call: session.sipwsCall };
  },
  async answer() {
    return answer();
  },
  async reject(cmd) {
    const session = currentSession();
    if (session.direction !== 'incoming' || !session.isInProgress())
      fail('no incoming call to reject');
    const status = cmd.status || 486;
    session.terminate({ status_code: status });
    return { call: session.sipwsCall, status };
  },
  async hangup() {
    const session = currentSession();
    session.terminate();    // CANCEL, BYE or a final response as fits
    return { call: session.sipwsCall };
  },
  async dtmf(cmd) {
    const session = currentSession();
    const digits = requireString(cmd, 'digits');
    if (!/^[0-9A-D#*,]+$/i.test(digits))
      fail('digits must be 0-9, A-D, *, # or ","');
    if (!session.isEstablished())
      fail('call is not established');
    watchDtmfSender(session);
    session.sendDTMF(digits, {
      transportType: cmd.info ? JsSIP.C.DTMF_TRANSPORT.INFO : JsSIP.C.DTMF_TRANSPORT.RFC2833,
      duration: cmd.duration_ms || 100,
      interToneGap: cmd.gap_ms || 70,
    });
    return { call: session.sipwsCall };
  },
  async hold() {
    const session = currentSession();
    if (!session.hold())
      fail('cannot hold now');
    return { call: session.sipwsCall };
  },
  async unhold() {
    const session = currentSession();
    if (!session.unhold())
      fail('cannot resume now');
    return { call: session.sipwsCall };
  },
  async message(cmd) {
    if (!state.ua)
      fail('register first');
    const target = requireString(cmd, 'target');
    state.ua.sendMessage(target, requireString(cmd, 'body'), {
      contentType: cmd.content_type || 'text/plain',
      eventHandlers: {
        succeeded: (e) => emit('message_sent', { target, status: sipStatus(e) }),
        failed: (e) => emit('message_failed', { target, cause: e.cause, status: sipStatus(e) }),
      },
    });
    return {};
  },
  async stats() {
    return stats();
  },
  async sdp() {
    const session = state.session || state.lastSession;
    if (!session)
      fail('no call');
    const pc = session.connection;
    return {
      local: pc && pc.localDescription ? pc.localDescription.sdp : null,
      remote: pc && pc.remoteDescription ? pc.remoteDescription.sdp : null,
    };
  },
};

window.sipwsPeer = {
  configure(options) {
    state.allowCandidates = options.allowCandidates
      ? new RegExp(options.allowCandidates) : null;
  },
  async handle(cmd) {
    const fn = Object.prototype.hasOwnProperty.call(COMMANDS, cmd.cmd)
      ? COMMANDS[cmd.cmd] : null;
    if (!fn)
      fail(`unknown command "${cmd.cmd}"`);
    return fn(cmd);
  },
};
