"""Python client for browser-peer.mjs (standard library only).

Starts the driver, sends JSON commands, waits for replies and events; see
README.md in this directory for the protocol.  Typical use from a test::

    sys.path.insert(0, "<repo>/tests/integration/browser")
    from browserpeer import BrowserPeers, skip_reason

    with BrowserPeers(bed_json=bed.path("testbed.json")) as browsers:
        browsers.command("register", peer="carol", user="carol",
                         password="carol-secret", ws=bed.url("wss"))
        browsers.wait_event("registered", peer="carol")
        browsers.command("call", peer="carol", target="sip:bob@127.0.0.1")
        browsers.wait_event("confirmed", peer="carol", timeout=10)
        stats = browsers.command("stats", peer="carol")

Also: skip_reason() (why a browser peer cannot run here) and
enter_private_netns() (a network namespace with only loopback, so that
Chromium has no other interface to gather ICE candidates on).
"""

import ctypes
import ctypes.util
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "browser-peer.mjs")
CHROMIUM = "/usr/lib/chromium/chromium"
NPM_PACKAGES = ("jssip", "playwright-core")
INSTALL_HINT = ("apt-get install -y --no-install-recommends chromium nodejs npm; "
                "cd tests/integration/browser && "
                "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci")


class BrowserPeerError(RuntimeError):
    """A command failed, an event did not come in time, or the driver
    died."""


def skip_reason():
    """Why browser peers cannot run here (a sentence), or None."""
    if not os.access(CHROMIUM, os.X_OK):
        return "%s is missing (%s)" % (CHROMIUM, INSTALL_HINT)
    if shutil.which("node") is None:
        return "node is not installed (%s)" % INSTALL_HINT
    for pkg in NPM_PACKAGES:
        if not os.path.isfile(os.path.join(HERE, "node_modules", pkg,
                                           "package.json")):
            return ("npm package %s is not installed in %s/node_modules (%s)"
                    % (pkg, HERE, INSTALL_HINT))
    return None


def enter_private_netns():
    """Move this process (call it while single-threaded, before starting
    anything) into a new network namespace whose only interface is the
    loopback, brought up here.  Children inherit it: Kamailio, the driver,
    Chromium and libsipws then see 127.0.0.1/::1 and nothing else, so ICE
    cannot pick the machine's real interfaces.  Needs root (CAP_SYS_ADMIN).
    Raises OSError when the namespace cannot be made."""
    clone_newnet = 0x40000000
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.unshare(clone_newnet) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "unshare(CLONE_NEWNET): " + os.strerror(err))
    ip = shutil.which("ip") or "/sbin/ip"
    subprocess.run([ip, "link", "set", "lo", "up"], check=True,
                   stdout=subprocess.DEVNULL)


def _proc_mentions(text):
    """PIDs of running (non-zombie) processes whose command line contains
    text."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                cmdline = f.read().decode("utf-8", "replace")
            with open("/proc/%s/stat" % entry) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry))
    return found


class BrowserPeers:
    """One browser-peer.mjs process and the Chromium peers it runs.

    bed_json: the test bed's testbed.json (trust and HTTPS page); watchdog:
    seconds after which the driver ends everything on its own;
    allow_candidates: regular expression for the driver's SDP candidate
    filter (None: driver default, loopback only; "": keep all)."""

    def __init__(self, bed_json=None, watchdog=300, allow_candidates=None,
                 verbose=False, node="node"):
        self.bed_json = bed_json
        self.watchdog = watchdog
        self.allow_candidates = allow_candidates
        self.verbose = verbose
        self.node = node
        self.proc = None
        self.ready = None
        self.exit_event = None
        self.exit_code = None
        self.profiles = []          # Chromium profile dirs ("opened" events)
        self._lines = []            # every parsed stdout object, in order
        self._taken = set()         # indexes consumed by waits
        self._cond = threading.Condition()
        self._next_id = 1
        self._stderr = None
        self._reader = None

    # -------------------------------------------------------- lifecycle --

    def start(self, timeout=20.0):
        argv = [self.node, DRIVER, "--watchdog", str(self.watchdog)]
        if self.bed_json:
            argv += ["--bed", self.bed_json]
        if self.allow_candidates is not None:
            argv += ["--allow-candidates", self.allow_candidates]
        if self.verbose:
            argv.append("--verbose")
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, text=True, bufsize=1, cwd=HERE)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.ready = self.wait_event("ready", timeout=timeout)
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def close(self, timeout=30.0):
        """Quit the driver (it closes every browser) and return its exit
        event (None if it had to be killed).  Raises BrowserPeerError when
        a Chromium process of ours survives."""
        if self.proc is None:
            return self.exit_event
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            try:
                proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                proc.stdin.flush()
            except OSError:
                pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        self.exit_code = proc.returncode
        self._reader.join(5)
        with self._cond:
            exits = [o for o in self._lines if o.get("event") == "exit"]
        self.exit_event = exits[-1] if exits else None
        # The driver waits for its browsers; only a killed driver leaves
        # Chromium to notice the closed pipe and exit on its own.
        deadline = time.monotonic() + 5
        while True:
            left = [pid for d in self.profiles for pid in _proc_mentions(d)]
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        for d in self.profiles:
            shutil.rmtree(d, ignore_errors=True)   # if the driver was killed
        if left:
            raise BrowserPeerError("Chromium processes left running: %r"
                                   % left)
        return self.exit_event

    def stderr_tail(self, lines=40):
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return "".join(self._stderr.readlines()[-lines:])

    # ---------------------------------------------------------- protocol --

    def _read(self):
        for line in self.proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                obj = {"event": "bad_line", "line": line}
            if obj.get("event") == "opened" and "cmd" not in obj:
                self.profiles.append(obj.get("profile"))
            with self._cond:
                self._lines.append(obj)
                self._cond.notify_all()
        with self._cond:
            self._lines.append({"event": "eof"})
            self._cond.notify_all()

    def _wait_for(self, pred, timeout, what):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i, obj in enumerate(self._lines):
                    if i in self._taken:
                        continue
                    if pred(obj):
                        self._taken.add(i)
                        return obj
                    if obj.get("event") == "eof":
                        raise BrowserPeerError(
                            "driver exited while waiting for %s" % what)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BrowserPeerError("no %s within %.1f s" % (what, timeout))
                self._cond.wait(left)

    def send_raw(self, line):
        """Write one line as is (to test the driver's input checks)."""
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def lines(self):
        """Every object the driver printed so far, replies included."""
        with self._cond:
            return list(self._lines)

    def command(self, cmd, peer=None, timeout=40.0, **fields):
        """Send one command and return its reply (an "ok", "stats", "sdp"
        or "peers" object).  Raises BrowserPeerError on an "error" reply."""
        if self.proc is None:
            raise BrowserPeerError("driver is not running")
        msg = {"cmd": cmd, "id": self._next_id}
        self._next_id += 1
        if peer is not None:
            msg["peer"] = peer
        msg.update(fields)
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        reply = self._wait_for(lambda o: o.get("id") == msg["id"]
                               and "cmd" in o, timeout,
                               "reply to %s" % cmd)
        if reply.get("event") == "error":
            raise BrowserPeerError("%s on %s: %s" % (
                cmd, peer, reply.get("message")))
        return reply

    def open(self, peer, **fields):
        return self.command("open", peer=peer, **fields)

    def wait_event(self, event, peer=None, timeout=10.0, **match):
        """The first not yet consumed event named `event` (of `peer`, with
        every field in `match` equal) that arrived or arrives within
        timeout seconds; consumed by this call."""
        def pred(obj):
            if obj.get("event") != event or "cmd" in obj:
                return False
            if peer is not None and obj.get("peer") != peer:
                return False
            return all(obj.get(k) == v for k, v in match.items())
        what = "%s event%s%s" % (event, " from " + peer if peer else "",
                                 " with %r" % match if match else "")
        return self._wait_for(pred, timeout, what)

    def events(self, event=None, peer=None):
        """Every asynchronous event seen so far (consumed or not)."""
        with self._cond:
            return [o for o in self._lines if "cmd" not in o
                    and (event is None or o.get("event") == event)
                    and (peer is None or o.get("peer") == peer)]
