#!/usr/bin/python3
"""Kamailio 5.6 SIP-over-WebSocket test bed for libsipws (loopback only).

Starts a real Kamailio with WS/WSS listeners (RFC 7118), digest users, a
cookie-authenticated listener (RFC 7118 A.3) with a login endpoint, a
URL-token listener (A.2) and a WSS listener whose certificate comes from a
CA the clients are not given.  Certificates, ports and credentials are made
at start and described in ``<run dir>/testbed.json`` (and ``testbed.env``
for shells).

From Python (standard library only)::

    from testbed import TestBed
    with TestBed() as bed:
        bed.info["urls"]["wss"], bed.ca_file, bed.users["alice"]["password"]

From a shell::

    testbed.py start --dir DIR     # returns once the WSS port answers TLS
    testbed.py stop --dir DIR      # stops only the Kamailio it started

Everything listens on 127.0.0.1; the harness kills only the process group
it created, found through its own pid file.
"""

import argparse
import atexit
import base64
import hashlib
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import string
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "kamailio.cfg.in")

KAMAILIO_MODULES = (
    "jsonrpcs", "kex", "corex", "tm", "tmx", "sl", "rr", "pv", "maxfwd",
    "usrloc", "registrar", "textops", "siputils", "xlog", "sanity", "htable",
    "auth", "tls", "xhttp", "websocket", "nathelper", "tcpops",
)
# Debian packages that provide the modules above (kamailio ships the rest).
DEBIAN_PACKAGES = (
    "kamailio", "kamailio-tls-modules", "kamailio-websocket-modules",
    "kamailio-outbound-modules",
)

# Known demo passwords: the bed only listens on loopback and the README
# demo needs credentials a person can type.
DEFAULT_USERS = {
    "alice": "alice-secret",
    "bob": "bob-secret",
    "carol": "carol-secret",
    "dave": "dave-secret",
    "echo": "echo-secret",
}

LISTENERS = ("ws", "wss", "cookie", "token", "untrusted")

START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
PORT_ATTEMPTS = 3
LOG_TAIL_LINES = 80

_USER_CHARS = set(string.ascii_lowercase + string.digits + "-_.")
_SECRET_CHARS = set(string.ascii_letters + string.digits + "-_.")


class TestBedError(RuntimeError):
    """The bed could not be started, stopped or queried."""


def kamailio_binary():
    """Path of the kamailio binary, or None."""
    found = shutil.which("kamailio")
    if found:
        return found
    for candidate in ("/usr/sbin/kamailio", "/usr/local/sbin/kamailio"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def kamailio_module_dir():
    """Module directory of the installed Kamailio, or None."""
    for candidate in ("/usr/lib/x86_64-linux-gnu/kamailio/modules",
                      "/usr/lib/aarch64-linux-gnu/kamailio/modules",
                      "/usr/lib/kamailio/modules",
                      "/usr/lib64/kamailio/modules",
                      "/usr/local/lib64/kamailio/modules"):
        if os.path.isfile(os.path.join(candidate, "tm.so")):
            return candidate
    return None


def skip_reason():
    """Why the bed cannot run here (a sentence), or None when it can.

    The integration suite skips only for these reasons: not root (Kamailio
    and the network-namespace tests need it in CI) or packages missing.
    """
    if os.geteuid() != 0:
        return "not running as root"
    if kamailio_binary() is None:
        return ("kamailio is not installed (apt-get install "
                + " ".join(DEBIAN_PACKAGES) + ")")
    moddir = kamailio_module_dir()
    if moddir is None:
        return "kamailio module directory not found"
    missing = [m for m in KAMAILIO_MODULES
               if not os.path.isfile(os.path.join(moddir, m + ".so"))]
    if missing:
        return ("kamailio modules missing: " + ", ".join(missing)
                + " (apt-get install " + " ".join(DEBIAN_PACKAGES) + ")")
    if shutil.which("openssl") is None:
        return "openssl is not installed"
    return None


def _free_ports(count):
    """Distinct free TCP ports on 127.0.0.1 (held together while chosen)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _run(argv, cwd):
    proc = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=60, check=False)
    if proc.returncode != 0:
        raise TestBedError("%s failed (exit %d): %s" % (
            " ".join(argv[:3]), proc.returncode,
            proc.stdout.decode(errors="replace").strip()))
    return proc.stdout


def _write(path, text, mode=0o644):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def _make_ca(run_dir, name, common_name):
    _run(["openssl", "req", "-x509", "-new", "-newkey", "ec",
          "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-keyout", name + ".key", "-out", name + ".crt", "-days", "3",
          "-subj", "/O=libsipws test bed/CN=" + common_name,
          "-addext", "basicConstraints=critical,CA:TRUE",
          "-addext", "keyUsage=critical,keyCertSign,cRLSign",
          "-addext", "subjectKeyIdentifier=hash"], run_dir)
    os.chmod(os.path.join(run_dir, name + ".key"), 0o600)


def _make_server_cert(run_dir, ca, name, sans):
    ext = os.path.join(run_dir, name + ".ext")
    _write(ext, "basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyAgreement\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\n"
                "authorityKeyIdentifier=keyid\n"
                "subjectAltName=" + ",".join(sans) + "\n")
    _run(["openssl", "req", "-new", "-newkey", "ec",
          "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-keyout", name + ".key", "-out", name + ".csr",
          "-subj", "/O=libsipws test bed/CN=localhost"], run_dir)
    os.chmod(os.path.join(run_dir, name + ".key"), 0o600)
    _run(["openssl", "x509", "-req", "-in", name + ".csr",
          "-CA", ca + ".crt", "-CAkey", ca + ".key",
          "-set_serial", "0x" + secrets.token_hex(8), "-days", "3",
          "-extfile", name + ".ext", "-out", name + ".crt"], run_dir)
    os.unlink(os.path.join(run_dir, name + ".csr"))
    os.unlink(ext)


def _spki_sha256(run_dir, cert):
    """Base64 SHA-256 of the certificate's SubjectPublicKeyInfo (the form
    Chromium's --ignore-certificate-errors-spki-list takes)."""
    pub = _run(["openssl", "x509", "-in", cert, "-noout", "-pubkey"], run_dir)
    proc = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"],
                          input=pub, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=30, check=False)
    if proc.returncode != 0:
        raise TestBedError("openssl pkey failed: "
                           + proc.stderr.decode(errors="replace"))
    der = proc.stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def _proc_start_time(pid):
    """Start time of a process in clock ticks (field 22 of /proc/PID/stat),
    or None when it does not exist; guards against recycled PIDs."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    if fields[0] == "Z":
        return None
    return int(fields[19])


def _group_members(pgid):
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def _processes_with_arg(arg):
    """PIDs of live processes with arg among their command-line words."""
    found = []
    needle = arg.encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if needle in argv and _proc_start_time(int(entry)) is not None:
            found.append(int(entry))
    return found


class TestBed:
    """A Kamailio test bed on loopback.

    Parameters:
      run_dir: directory for config, certificates, logs and testbed.json;
        a fresh temporary one when None (removed by stop() unless the
        bed failed or keep=True).
      domain: SIP domain of the users (also the digest realm).
      digest_algorithm: "MD5" or "SHA-256".
      flow_timer: Flow-Timer value sent on REGISTER 2xx for outbound UAs.
      ws_keepalive: seconds of idle time before Kamailio sends a WS Ping.
      session_lifetime: seconds a login session (cookie) stays valid.
      users: {name: password}; DEFAULT_USERS when None.
      debug: Kamailio debug level (2 = info, 3 = debug).
      sip_trace: write every SIP message to sipdump-*.data in run_dir.
      detach: leave Kamailio running when this Python process exits (the
        CLI "start"); otherwise an atexit hook stops it.
      keep: never delete run_dir.
    """

    def __init__(self, run_dir=None, domain="127.0.0.1",
                 digest_algorithm="MD5", flow_timer=25, ws_keepalive=30,
                 session_lifetime=3600, users=None, debug=2, sip_trace=False,
                 detach=False, keep=False):
        if digest_algorithm not in ("MD5", "SHA-256"):
            raise ValueError("digest_algorithm must be MD5 or SHA-256")
        users = dict(DEFAULT_USERS if users is None else users)
        for name, password in users.items():
            if not name or set(name) - _USER_CHARS:
                raise ValueError("bad user name %r" % name)
            if not password or set(password) - _SECRET_CHARS:
                raise ValueError("password of %r must be [A-Za-z0-9-_.]+"
                                 % name)
        if set(domain) - set(string.ascii_letters + string.digits + "-."):
            raise ValueError("bad domain %r" % domain)
        self._own_dir = run_dir is None
        self.run_dir = os.path.abspath(run_dir) if run_dir else None
        self.domain = domain
        self.digest_algorithm = digest_algorithm
        self.flow_timer = int(flow_timer)
        self.ws_keepalive = int(ws_keepalive)
        self.session_lifetime = int(session_lifetime)
        self.debug = int(debug)
        self.sip_trace = bool(sip_trace)
        self.detach = detach
        self.keep = keep
        self._passwords = users
        # URL token -> user (RFC 7118 A.2), fresh for every bed.
        self.tokens = {secrets.token_urlsafe(24): name for name in users}
        self._ports = None
        self._spki = None
        self.info = None
        self._proc = None
        self._failed = False
        self._stopped = False
        self._atexit = False

    # ----- paths -----

    def path(self, name):
        return os.path.join(self.run_dir, name)

    @property
    def ca_file(self):
        return self.path("ca.crt")

    @property
    def untrusted_ca_file(self):
        return self.path("untrusted-ca.crt")

    @property
    def log_file(self):
        return self.path("kamailio.log")

    @property
    def users(self):
        return self.info["users"]

    @property
    def ports(self):
        return self.info["ports"]

    def url(self, listener, user=None):
        """WebSocket URL of a listener; for "token" with user, the URL that
        carries that user's token."""
        if listener == "token" and user is not None:
            return self.info["users"][user]["token_url"]
        return self.info["urls"][listener]

    def ssl_context(self, ca_file=None):
        """Client TLS context trusting only the bed's CA (or ca_file)."""
        ctx = ssl.create_default_context(cafile=ca_file or self.ca_file)
        ctx.check_hostname = True
        return ctx

    # ----- lifecycle -----

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self._failed = True
        self.stop()
        return False

    def start(self):
        """Make PKI and config, start Kamailio, wait until it serves TLS.

        Raises TestBedError (after printing the Kamailio log) on failure;
        nothing is left running then.
        """
        reason = skip_reason()
        if reason:
            raise TestBedError("test bed cannot run: " + reason)
        self._stopped = False
        if self.run_dir is None:
            self.run_dir = tempfile.mkdtemp(prefix="sipws-testbed-")
        else:
            os.makedirs(self.run_dir, exist_ok=True)
            if self._read_pidfile() is not None:
                raise TestBedError("a test bed is already running in "
                                   + self.run_dir)
        if not self.detach and not self._atexit:
            atexit.register(self._atexit_stop)
            self._atexit = True
        try:
            self._make_pki()
            for attempt in range(PORT_ATTEMPTS):
                ports = dict(zip(LISTENERS, _free_ports(len(LISTENERS))))
                self._write_config(ports)
                if self._start_kamailio(last_try=attempt == PORT_ATTEMPTS - 1):
                    break
            self._write_info_files()
        except BaseException:
            self._failed = True
            self.stop()
            raise
        return self

    def stop(self):
        """Stop the Kamailio this bed started and clean up: a temporary run
        directory is removed, unless the bed failed (a test called
        mark_failed(), the with-block raised, or Kamailio did not stop), in
        which case its path and the log tail are printed.  Safe to call
        more than once."""
        if self.run_dir is None or self._stopped:
            return
        self._stopped = True
        if not self._kill_kamailio():
            self._failed = True
            sys.stderr.write("# test bed: Kamailio did not stop cleanly\n")
        if self._failed:
            self._report_failure()
            sys.stderr.write("# test bed files kept in %s\n" % self.run_dir)
        elif self._own_dir and not self.keep and os.path.isdir(self.run_dir):
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def stop_server(self):
        """Stop Kamailio but keep config, certificates and ports (to start it
        again with start_server(): flow-recovery tests)."""
        if not self._kill_kamailio():
            self._failed = True
            raise TestBedError("Kamailio did not stop")

    def start_server(self):
        """Start Kamailio again on the same ports, config and credentials.
        Registrations and login sessions are gone (memory only); the URL
        tokens of testbed.json are valid again, tokens added at run time
        are not."""
        if self._read_pidfile() is not None:
            raise TestBedError("Kamailio is already running")
        try:
            self._start_kamailio(last_try=True, retry_bind=True)
            self.info["pid"] = self._proc.pid
            _write(self.path("testbed.json"),
                   json.dumps(self.info, indent=2, sort_keys=True) + "\n",
                   0o600)
        except BaseException:
            self._failed = True
            self.stop()
            raise

    def restart(self):
        self.stop_server()
        self.start_server()

    def running(self):
        """True while the Kamailio this bed started is alive."""
        return self._read_pidfile() is not None

    def mark_failed(self):
        """Keep the run directory and print the log tail at stop()."""
        self._failed = True

    @classmethod
    def attach(cls, run_dir):
        """A TestBed for a bed started elsewhere (CLI start) in run_dir."""
        run_dir = os.path.abspath(run_dir)
        with open(os.path.join(run_dir, "testbed.json")) as f:
            info = json.load(f)
        bed = cls(run_dir=run_dir, domain=info["domain"],
                  digest_algorithm=info["digest_algorithm"],
                  flow_timer=info["flow_timer"],
                  users={n: u["password"] for n, u in info["users"].items()},
                  detach=True, keep=True)
        bed.info = info
        bed._ports = info["ports"]
        bed.tokens = {u["token"]: n for n, u in info["users"].items()}
        bed._spki = info["server_spki_sha256"]
        return bed

    # ----- runtime helpers -----

    def rpc(self, method, *params):
        """Call a Kamailio JSON-RPC command over the bed's control socket
        and return its "result" (TestBedError on an RPC error)."""
        request = json.dumps({"jsonrpc": "2.0", "method": method,
                              "params": list(params), "id": 1}).encode()
        client_path = self.path("rpc-client-%d-%s.sock"
                                % (os.getpid(), secrets.token_hex(4)))
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            s.bind(client_path)
            s.settimeout(5.0)
            s.sendto(request, self.path("kamailio-rpc.sock"))
            data = s.recv(1 << 20)
        except OSError as e:
            raise TestBedError("RPC %s failed: %s" % (method, e)) from e
        finally:
            s.close()
            try:
                os.unlink(client_path)
            except OSError:
                pass
        reply = json.loads(data.decode())
        if "error" in reply:
            raise TestBedError("RPC %s: %s" % (method, reply["error"]))
        return reply.get("result")

    def contacts(self, user):
        """Registered contacts of user as a list of dicts (Kamailio's
        ul.lookup "Contacts" entries: Address, Expires, Received, ...)."""
        aor = "%s@%s" % (user, self.domain)
        try:
            result = self.rpc("ul.lookup", "location", aor)
        except TestBedError as e:
            # Kamailio 5.6: 404 "AOR not found", 500 "AOR has no contacts".
            if "AOR not found" in str(e) or "has no contacts" in str(e):
                return []
            raise
        contacts = []
        for entry in (result or {}).get("Contacts", []):
            contacts.append(entry.get("Contact", entry))
        return contacts

    def add_token(self, user):
        """Make an extra URL token for user (e.g. a refreshed one) and return
        it; valid until revoked or Kamailio restarts."""
        token = secrets.token_urlsafe(24)
        self.rpc("htable.sets", "tokens", token, user)
        return token

    def revoke_token(self, token):
        self.rpc("htable.delete", "tokens", token)

    def revoke_sessions(self):
        """Invalidate every login session (cookie) at once."""
        self.rpc("htable.flush", "sessions")

    def login(self, user, password=None, timeout=5.0):
        """POST /login on the cookie listener; return the session cookie as
        "sid=VALUE" (TestBedError with the HTTP status when refused)."""
        if password is None:
            password = self.users[user]["password"]
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.ports["cookie"], timeout=timeout,
            context=self.ssl_context())
        try:
            body = urllib.parse.urlencode({"user": user, "password": password})
            conn.request("POST", "/login", body, {
                "Content-Type": "application/x-www-form-urlencoded"})
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                raise TestBedError("login refused: %d %s"
                                   % (resp.status, resp.reason))
            cookie = resp.getheader("Set-Cookie") or ""
        finally:
            conn.close()
        first = cookie.split(";", 1)[0].strip()
        if not first.startswith("sid=") or len(first) <= 4:
            raise TestBedError("login reply has no session cookie")
        return first

    def log_tail(self, lines=LOG_TAIL_LINES):
        try:
            with open(self.log_file, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    # ----- internals -----

    def _atexit_stop(self):
        try:
            self.stop()
        except Exception as e:  # atexit must not mask the real exit status
            sys.stderr.write("# test bed cleanup failed: %s\n" % e)

    def _report_failure(self):
        sys.stderr.write("# test bed failed; tail of %s:\n" % self.log_file)
        for line in self.log_tail().splitlines():
            sys.stderr.write("#   " + line + "\n")

    def _make_pki(self):
        sans = ["IP:127.0.0.1", "IP:::1", "DNS:localhost"]
        if not self.domain.replace(".", "").isdigit() and \
                self.domain != "localhost":
            sans.append("DNS:" + self.domain)
        _make_ca(self.run_dir, "ca", "libsipws test CA")
        _make_server_cert(self.run_dir, "ca", "server", sans)
        _make_ca(self.run_dir, "untrusted-ca", "libsipws UNTRUSTED test CA")
        _make_server_cert(self.run_dir, "untrusted-ca", "untrusted-server",
                          sans)
        self._spki = _spki_sha256(self.run_dir, "server.crt")

    def _write_config(self, ports):
        self._ports = ports
        init = []
        for name, password in sorted(self._passwords.items()):
            init.append('\t$sht(users=>%s) = "%s";' % (name, password))
        for token, name in sorted(self.tokens.items(), key=lambda t: t[1]):
            init.append('\t$sht(tokens=>%s) = "%s";' % (token, name))
        with open(TEMPLATE) as f:
            cfg = f.read()
        values = {
            "RUN_DIR": self.run_dir,
            "DOMAIN": self.domain,
            "DEBUG": str(self.debug),
            "WS_PORT": str(ports["ws"]),
            "WSS_PORT": str(ports["wss"]),
            "COOKIE_PORT": str(ports["cookie"]),
            "TOKEN_PORT": str(ports["token"]),
            "UNTRUSTED_PORT": str(ports["untrusted"]),
            "DIGEST_ALGORITHM": self.digest_algorithm,
            "FLOW_TIMER": str(self.flow_timer),
            "WS_KEEPALIVE": str(self.ws_keepalive),
            "SESSION_LIFETIME": str(self.session_lifetime),
            "SESSION_SECRET": secrets.token_hex(16),
            "HTABLE_INIT": "\n".join(init),
        }
        for key, value in values.items():
            cfg = cfg.replace("@%s@" % key, value)
        left = re.findall(r"@[A-Z_]+@", cfg)
        if left:
            raise TestBedError("unreplaced placeholders in %s: %s"
                               % (TEMPLATE, ", ".join(sorted(set(left)))))
        if self.sip_trace:
            cfg = cfg.replace("#!KAMAILIO\n", "#!KAMAILIO\n#!define WITH_SIPDUMP\n", 1)
        _write(self.path("kamailio.cfg"), cfg, 0o600)
        tls = []
        for section, cert in (("server:default", "server"),
                              ("server:127.0.0.1:%d" % ports["untrusted"],
                               "untrusted-server")):
            tls.append("[%s]\nmethod = TLSv1.2+\nverify_certificate = no\n"
                       "require_certificate = no\nprivate_key = %s\n"
                       "certificate = %s\n"
                       % (section, self.path(cert + ".key"),
                          self.path(cert + ".crt")))
        tls.append("[client:default]\nmethod = TLSv1.2+\n"
                   "verify_certificate = no\nrequire_certificate = no\n")
        _write(self.path("tls.cfg"), "\n".join(tls), 0o600)

    def _start_kamailio(self, last_try, retry_bind=False):
        """Start Kamailio; True once ready, False when a port was taken and
        another attempt with new ports may work (only if not last_try)."""
        binary = kamailio_binary()
        check = subprocess.run(
            [binary, "-c", "-f", self.path("kamailio.cfg"),
             "-L", kamailio_module_dir()],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, timeout=30, check=False)
        if check.returncode != 0:
            with open(self.log_file, "ab") as log:
                log.write(check.stdout)
            raise TestBedError("kamailio rejected the generated config")
        bind_tries = 10 if retry_bind else 1
        for bind_try in range(bind_tries):
            log = open(self.log_file, "ab")
            try:
                log.write(("==== start %s ====\n" % time.strftime(
                    "%Y-%m-%d %H:%M:%S")).encode())
                log.flush()
                self._proc = subprocess.Popen(
                    [binary, "-f", self.path("kamailio.cfg"), "-DD", "-E",
                     "-L", kamailio_module_dir(), "-m", "64", "-M", "8",
                     "-P", self.path("kamailio.pid")],
                    cwd=self.run_dir, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=log, start_new_session=True)
            finally:
                log.close()
            self._write_pidfile(self._proc.pid)
            state = self._wait_ready()
            if state == "ready":
                return True
            self._kill_kamailio()
            if state != "bind":
                raise TestBedError("Kamailio did not become ready")
            if retry_bind and bind_try + 1 < bind_tries:
                time.sleep(0.5)
                continue
            if not last_try and not retry_bind:
                return False
            raise TestBedError("a listener port is in use")
        return False

    def _wait_ready(self):
        """"ready", "bind" (a port was taken) or "failed"."""
        deadline = time.monotonic() + START_TIMEOUT
        ctx = self.ssl_context()
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                tail = self.log_tail(40)
                if "Address already in use" in tail:
                    return "bind"
                return "failed"
            if self._probe(ctx):
                return "ready"
            time.sleep(0.1)
        return "failed"

    def _probe(self, ctx):
        """All listeners accept TCP, the WSS one completes a TLS handshake
        with the test CA and the RPC socket answers."""
        try:
            for name in LISTENERS:
                with socket.create_connection(
                        ("127.0.0.1", self._ports[name]), timeout=1.0) as s:
                    if name == "wss":
                        with ctx.wrap_socket(s, server_hostname="127.0.0.1"):
                            pass
            self.rpc("core.version")
        except (OSError, ssl.SSLError, TestBedError):
            return False
        return True

    def _write_pidfile(self, pid):
        _write(self.path("testbed.pid"), json.dumps({
            "pid": pid, "pgid": os.getpgid(pid),
            "start_time": _proc_start_time(pid)}) + "\n")

    def _read_pidfile(self):
        """(pid, pgid) of the running Kamailio this bed started, or None."""
        try:
            with open(self.path("testbed.pid")) as f:
                data = json.load(f)
        except (OSError, ValueError):
            return None
        pid = data.get("pid")
        if not isinstance(pid, int) or pid <= 1:
            return None
        start = _proc_start_time(pid)
        if start is None or start != data.get("start_time"):
            return None
        return pid, data.get("pgid")

    def processes(self):
        """Live processes running this bed's Kamailio: the pid file's
        process group plus anything whose command line names this bed's
        private config file (the path is unique to the run directory)."""
        pids = set()
        target = self._read_pidfile()
        if target is not None:
            pids.update(_group_members(target[1]))
        if self._proc is not None and self._proc.poll() is None:
            pids.add(self._proc.pid)
        if self.run_dir is not None:
            pids.update(_processes_with_arg(self.path("kamailio.cfg")))
        return sorted(pids)

    def _signal_and_wait(self, pids, sig):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + STOP_TIMEOUT
        while self.processes() and time.monotonic() < deadline:
            time.sleep(0.05)

    def _kill_kamailio(self):
        """Terminate our Kamailio: SIGTERM to its main process, then SIGKILL
        to whatever of it is left.  True when nothing of it is left."""
        main = set()
        target = self._read_pidfile()
        if target is not None:
            main.add(target[0])
        if self._proc is not None and self._proc.poll() is None:
            main.add(self._proc.pid)
        self._signal_and_wait(main, signal.SIGTERM)
        left = self.processes()
        if left:
            self._signal_and_wait(left, signal.SIGKILL)
        if self._proc is not None:
            try:
                self._proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
            self._proc = None
        left = self.processes()
        for name in ("testbed.pid", "kamailio.pid", "kamailio-rpc.sock"):
            try:
                os.unlink(self.path(name))
            except OSError:
                pass
        return not left

    def _write_info_files(self):
        ports = self._ports
        base = "127.0.0.1"
        users = {}
        token_of = {name: tok for tok, name in self.tokens.items()}
        for name, password in sorted(self._passwords.items()):
            users[name] = {
                "password": password,
                "aor": "sip:%s@%s" % (name, self.domain),
                "token": token_of[name],
                "token_url": "wss://%s:%d/sip?token=%s"
                             % (base, ports["token"], token_of[name]),
            }
        pid = self._read_pidfile()
        self.info = {
            "version": 1,
            "run_dir": self.run_dir,
            "pid": pid[0] if pid else None,
            "host": base,
            "domain": self.domain,
            "realm": self.domain,
            "digest_algorithm": self.digest_algorithm,
            "flow_timer": self.flow_timer,
            "ca_file": self.ca_file,
            "untrusted_ca_file": self.untrusted_ca_file,
            "server_spki_sha256": self._spki,
            "ports": dict(ports),
            "urls": {
                "ws": "ws://%s:%d/" % (base, ports["ws"]),
                "wss": "wss://%s:%d/" % (base, ports["wss"]),
                "cookie": "wss://%s:%d/" % (base, ports["cookie"]),
                "token": "wss://%s:%d/sip" % (base, ports["token"]),
                "untrusted": "wss://%s:%d/" % (base, ports["untrusted"]),
            },
            "login_url": "https://%s:%d/login" % (base, ports["cookie"]),
            "logout_url": "https://%s:%d/logout" % (base, ports["cookie"]),
            "users": users,
            "log_file": self.log_file,
            "config_file": self.path("kamailio.cfg"),
            "rpc_socket": self.path("kamailio-rpc.sock"),
        }
        _write(self.path("testbed.json"),
               json.dumps(self.info, indent=2, sort_keys=True) + "\n", 0o600)
        env = {
            "SIPWS_TB_DIR": self.run_dir,
            "SIPWS_TB_DOMAIN": self.domain,
            "SIPWS_TB_CA_FILE": self.ca_file,
            "SIPWS_TB_UNTRUSTED_CA_FILE": self.untrusted_ca_file,
            "SIPWS_TB_WS_URL": self.info["urls"]["ws"],
            "SIPWS_TB_WSS_URL": self.info["urls"]["wss"],
            "SIPWS_TB_COOKIE_URL": self.info["urls"]["cookie"],
            "SIPWS_TB_TOKEN_URL": self.info["urls"]["token"],
            "SIPWS_TB_UNTRUSTED_URL": self.info["urls"]["untrusted"],
            "SIPWS_TB_LOGIN_URL": self.info["login_url"],
            "SIPWS_TB_LOG_FILE": self.log_file,
        }
        for name, user in users.items():
            key = name.upper().replace("-", "_").replace(".", "_")
            env["SIPWS_TB_%s_PASSWORD" % key] = user["password"]
            env["SIPWS_TB_%s_AOR" % key] = user["aor"]
            env["SIPWS_TB_%s_TOKEN_URL" % key] = user["token_url"]
        _write(self.path("testbed.env"), "".join(
            "%s=%s\n" % (k, shlex.quote(v)) for k, v in env.items()), 0o600)


def install_signal_cleanup():
    """Turn SIGTERM/SIGHUP (e.g. a meson test timeout) into SystemExit so
    context managers and atexit hooks stop the bed."""
    def handler(signum, frame):
        raise SystemExit(128 + signum)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)


def _cli(argv=None):
    parser = argparse.ArgumentParser(
        description="Start/stop the libsipws Kamailio test bed (loopback).")
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start", help="start a bed in DIR and return")
    p_start.add_argument("--dir", required=True)
    p_start.add_argument("--domain", default="127.0.0.1")
    p_start.add_argument("--digest-algorithm", default="MD5",
                         choices=("MD5", "SHA-256"))
    p_start.add_argument("--flow-timer", type=int, default=25)
    p_start.add_argument("--debug", type=int, default=2)
    p_start.add_argument("--sip-trace", action="store_true")
    for name in ("stop", "restart", "status", "env"):
        p = sub.add_parser(name)
        p.add_argument("--dir", required=True)
    p_stop = sub.choices["stop"]
    p_stop.add_argument("--print-log", action="store_true",
                        help="print the Kamailio log tail after stopping")
    sub.add_parser("check", help="exit 0 if the bed can run here, else 77")
    args = parser.parse_args(argv)

    if args.command == "check":
        reason = skip_reason()
        print(reason or "ok")
        return 77 if reason else 0
    if args.command == "start":
        bed = TestBed(run_dir=args.dir, domain=args.domain,
                      digest_algorithm=args.digest_algorithm,
                      flow_timer=args.flow_timer, debug=args.debug,
                      sip_trace=args.sip_trace, detach=True, keep=True)
        try:
            bed.start()
        except TestBedError as e:
            print("testbed: %s" % e, file=sys.stderr)
            return 1
        print(bed.path("testbed.json"))
        return 0

    if not os.path.isfile(os.path.join(args.dir, "testbed.json")):
        print("testbed: no test bed in %s" % args.dir, file=sys.stderr)
        return 1 if args.command != "stop" else 0
    bed = TestBed.attach(args.dir)
    if args.command == "stop":
        ok = bed._kill_kamailio()
        if args.print_log or not ok:
            sys.stdout.write(bed.log_tail())
        return 0 if ok else 1
    if args.command == "restart":
        try:
            bed.restart()
        except TestBedError as e:
            print("testbed: %s" % e, file=sys.stderr)
            return 1
        return 0
    if args.command == "status":
        running = bed.running()
        print("running" if running else "stopped")
        return 0 if running else 3
    if args.command == "env":
        with open(bed.path("testbed.env")) as f:
            sys.stdout.write(f.read())
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(_cli())
