#!/usr/bin/env node
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Browser SIP phones for the libsipws integration tests: headless Debian
// Chromium pages running JsSIP, driven through playwright-core, controlled
// by one JSON object per line on stdin, reporting one JSON object per line
// on stdout (README.md has the protocol).  Diagnostics go to stderr.
//
// Each peer is its own Chromium with its own temporary profile, so cookie
// sessions (RFC 7118 A.3 logins) of two peers never mix.

import { readFileSync, readdirSync, rmSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { chromium } from 'playwright-core';

import { bundle } from './cjs-bundle.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PROTOCOL_VERSION = 1;
const PAGE_COMMAND_TIMEOUT_MS = 15000;

const USAGE = `usage: browser-peer.mjs [options]
  --bed FILE           testbed.json: trust its server key (SPKI) and serve
                       the page over HTTPS with its server certificate
  --spki B64           extra SPKI SHA-256 (base64) to trust; repeatable
  --cert FILE --key FILE   serve the page over HTTPS with this pair
  --chromium PATH      browser binary (default /usr/lib/chromium/chromium)
  --watchdog SECONDS   end everything after this long (default 300)
  --allow-candidates RE   ICE candidate addresses kept in the SDP a page
                       sends (default: loopback only); "" keeps all
  --verbose            page console and protocol trace on stderr`;

const { values: opts } = parseArgs({
  options: {
    bed: { type: 'string' },
    spki: { type: 'string', multiple: true, default: [] },
    cert: { type: 'string' },
    key: { type: 'string' },
    chromium: { type: 'string', default: '/usr/lib/chromium/chromium' },
    watchdog: { type: 'string', default: '300' },
    'allow-candidates': { type: 'string', default: '^(127\\.|::1$)' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}

function log(...args) {
  process.stderr.write('browser-peer: ' + args.join(' ') + '\n');
}

function die(message) {
  log(message);
  process.exit(2);
}

const spkiList = [...opts.spki];
let certFile = opts.cert;
let keyFile = opts.key;
if (opts.bed) {
  let bed;
  try {
    bed = JSON.parse(readFileSync(opts.bed, 'utf8'));
  } catch (e) {
    die(`cannot read --bed ${opts.bed}: ${e.message}`);
  }
  spkiList.push(bed.server_spki_sha256);
  certFile = certFile || path.join(bed.run_dir, 'server.crt');
  keyFile = keyFile || path.join(bed.run_dir, 'server.key');
}
if (!!certFile !== !!keyFile)
  die('--cert and --key go together');
const watchdogSeconds = Number(opts.watchdog);
if (!(watchdogSeconds > 0))
  die('--watchdog must be a positive number of seconds');
try {
  new RegExp(opts['allow-candidates']);
} catch (e) {
  die(`--allow-candidates: ${e.message}`);
}

// --------------------------------------------------------------- output ---

function send(obj) {
  const line = JSON.stringify(obj);
  if (opts.verbose)
    log('>>', line);
  process.stdout.write(line + '\n');
}

// ---------------------------------------------------------- page server ---

const require = createRequire(import.meta.url);
const FILES = {
  '/': ['peer.html', 'text/html'],
  '/peer.html': ['peer.html', 'text/html'],
  '/peer.js': ['peer.js', 'text/javascript'],
  '/dtmf-worker.js': ['dtmf-worker.js', 'text/javascript'],
};
const jssipBundle = bundle(require.resolve('jssip'), 'JsSIP');

function serve(req, res) {
  const url = new URL(req.url, 'http://x');
  let body;
  let type;
  if (url.pathname === '/jssip.js') {
    body = jssipBundle;
    type = 'text/javascript';
  } else if (Object.prototype.hasOwnProperty.call(FILES, url.pathname)) {
    const [file, mime] = FILES[url.pathname];
    body = readFileSync(path.join(HERE, file));
    type = mime;
  } else {
    // 204 for the favicon Chromium always asks for: no console noise.
    res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404);
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': type + '; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(body);
}

let server;
try {
  server = certFile
    ? https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, serve)
    : http.createServer(serve);
} catch (e) {
  die(`page server: ${e.message}`);
}
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
const pageUrl = `${certFile ? 'https' : 'http'}://127.0.0.1:${server.address().port}/peer.html`;

// ---------------------------------------------------------------- peers ---

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

const peers = new Map();   // name -> {name, dir, context, page, mainPid}

// Running processes as {pid, args, state, pgrp}, read from /proc.
function* processes() {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry))
      continue;
    let stat;
    let cmdline;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;     // exited meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    yield { pid: Number(entry), args: cmdline.split('\0'), state: fields[0],
            pgrp: Number(fields[2]) };
  }
}

// The processes of one Chromium: its process group (Playwright starts the
// browser as a group leader) plus anything naming the private profile
// directory, which catches the crashpad handlers that leave the group
// (their database lives there through XDG_CONFIG_HOME).  Zombies count as
// gone.
function chromiumPids(peer) {
  const pids = [];
  for (const p of processes()) {
    if (p.state !== 'Z' && ((peer.mainPid && p.pgrp === peer.mainPid)
                            || p.args.some((a) => a.includes(peer.dir))))
      pids.push(p.pid);
  }
  return pids;
}

function mainChromiumPid(dir) {
  const marker = `--user-data-dir=${dir}`;
  for (const p of processes()) {
    if (p.args.includes(marker) && !p.args.some((a) => a.startsWith('--type=')))
      return p.pid;
  }
  return null;
}

async function openPeer(name, cmd) {
  if (peers.has(name))
    throw new Error(`peer "${name}" is already open`);
  const args = [...CHROMIUM_ARGS];
  if (spkiList.length > 0)
    args.push('--ignore-certificate-errors-spki-list=' + spkiList.join(','));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sipws-chromium-'));
  const peer = { name, dir, context: null, page: null, mainPid: null };
  peers.set(name, peer);
  try {
    peer.context = await chromium.launchPersistentContext(dir, {
      executablePath: opts.chromium,
      headless: true,
      args,
      // Keeps Chromium's own files (crash database, dconf) in the profile.
      env: Object.assign({}, process.env, { XDG_CONFIG_HOME: dir, XDG_CACHE_HOME: dir }),
      timeout: 30000,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    peer.mainPid = mainChromiumPid(dir);
    await peer.context.exposeBinding('sipwsEmit', (_source, ev) =>
      send(Object.assign({ peer: name }, ev)));
    peer.page = peer.context.pages()[0] || await peer.context.newPage();
    peer.page.on('pageerror', (e) => send({ event: 'page_error', peer: name, message: String(e) }));
    peer.page.on('crash', () => send({ event: 'page_error', peer: name, message: 'page crashed' }));
    peer.page.on('console', (m) => {
      if (opts.verbose)
        log(`[${name}] console.${m.type()}: ${m.text()}`);
    });
    await peer.page.goto(pageUrl);
    const allow = cmd.allow_candidates !== undefined ? cmd.allow_candidates : opts['allow-candidates'];
    await peer.page.evaluate((o) => window.sipwsPeer.configure(o), { allowCandidates: allow || null });
  } catch (e) {
    await closePeer(name);
    throw e;
  }
  const info = { user_agent: await peer.page.evaluate(() => navigator.userAgent),
                 pid: peer.mainPid, profile: dir };
  // Also an event: register opens a peer implicitly.
  send(Object.assign({ event: 'opened', peer: name }, info));
  return info;
}

async function waitGone(peer, ms) {
  const deadline = Date.now() + ms;
  let left = chromiumPids(peer);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = chromiumPids(peer);
  }
  return left;
}

async function closePeer(name) {
  const peer = peers.get(name);
  if (!peer)
    throw new Error(`no peer "${name}"`);
  peers.delete(name);
  if (peer.context) {
    try {
      await Promise.race([peer.context.close(),
        new Promise((resolve) => setTimeout(resolve, 10000))]);
    } catch (e) {
      log(`closing ${name}: ${e.message}`);
    }
  }
  // Helpers (crashpad) exit shortly after the browser; whatever is still
  // running after that is ours to end, by PID.
  let left = await waitGone(peer, 2000);
  if (left.length > 0) {
    log(`peer ${name}: SIGKILL leftover Chromium processes ${left.join(' ')}`);
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    left = await waitGone(peer, 3000);
  }
  rmSync(peer.dir, { recursive: true, force: true });
  return { left };
}

// ------------------------------------------------------------- commands ---

async function runCommand(cmd) {
  const name = cmd.peer === undefined ? 'default' : String(cmd.peer);
  switch (cmd.cmd) {
  case 'open':
    return openPeer(name, cmd);
  case 'close':
    return closePeer(name);
  case 'peers':
    return { peers: [...peers.keys()] };
  default:
    break;
  }
  if (!peers.has(name)) {
    if (cmd.cmd !== 'register')
      throw new Error(`no peer "${name}" (open or register it first)`);
    await openPeer(name, {});
  }
  // Page commands return at once (results come as events); a page that
  // does not answer must not block the commands queued behind it.
  const page = peers.get(name).page;
  let timer;
  try {
    return await Promise.race([
      page.evaluate((c) => window.sipwsPeer.handle(c), cmd),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(
          `peer "${name}" did not answer "${cmd.cmd}" within ${PAGE_COMMAND_TIMEOUT_MS} ms`)),
        PAGE_COMMAND_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// The result of a query is reported under the command's own name, every
// other command's under "ok"; both carry "cmd" (and "id" when given),
// which asynchronous events never do.
const QUERY_COMMANDS = new Set(['stats', 'sdp', 'peers']);

let shuttingDown = false;

async function shutdown(code, why) {
  if (shuttingDown)
    return;
  shuttingDown = true;
  if (why)
    log(why);
  let clean = true;
  for (const name of [...peers.keys()]) {
    const { left } = await closePeer(name);
    if (left.length > 0)
      clean = false;
  }
  server.close();
  send({ event: 'exit', code, clean });
  process.exitCode = code;
  // Playwright keeps no handles once its browsers are closed; exit anyway
  // so that a stuck page cannot keep the driver alive.
  setTimeout(() => process.exit(code), 200).unref();
}

async function handleLine(line) {
  if (line.trim() === '')
    return;
  let cmd;
  try {
    cmd = JSON.parse(line);
    if (typeof cmd !== 'object' || cmd === null || typeof cmd.cmd !== 'string')
      throw new Error('expected an object with a string "cmd"');
  } catch (e) {
    send({ event: 'error', cmd: null, message: `bad command line: ${e.message}` });
    return;
  }
  if (opts.verbose)
    log('<<', line);
  const tag = { cmd: cmd.cmd };
  if (cmd.peer !== undefined)
    tag.peer = String(cmd.peer);
  if (cmd.id !== undefined)
    tag.id = cmd.id;
  if (cmd.cmd === 'quit') {
    send(Object.assign({ event: 'ok' }, tag));
    await shutdown(0);
    return;
  }
  try {
    const result = await runCommand(cmd);
    const event = QUERY_COMMANDS.has(cmd.cmd) ? cmd.cmd : 'ok';
    send(Object.assign({ event }, result || {}, tag));
  } catch (e) {
    // Playwright prefixes errors thrown in the page with its call site.
    const message = String(e.message || e).replace(/^page\.evaluate: (Error: )?/, '').split('\n')[0];
    send(Object.assign({ event: 'error', message }, tag));
  }
}

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'])
  process.on(sig, () => shutdown(128 + os.constants.signals[sig], `got ${sig}`));

setTimeout(() => {
  send({ event: 'watchdog', seconds: watchdogSeconds });
  shutdown(3, `watchdog: ${watchdogSeconds} s elapsed`);
}, watchdogSeconds * 1000).unref();

// Commands run one at a time, in order, so replies come in command order.
let queue = Promise.resolve();
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  queue = queue.then(() => (shuttingDown ? null : handleLine(line)));
});
rl.on('close', () => {
  queue = queue.then(() => shutdown(0));
});

send({ event: 'ready', protocol: PROTOCOL_VERSION, page: pageUrl, pid: process.pid });
