"""Shared code of the libsipws end-to-end tests against the Kamailio bed.

libsipws runs in this process through GObject introspection: every user
agent is a SipwsAccount on the default main context, with one
SipwsMediaSession (webrtcbin) per call sending a sine tone, its ICE pinned
to 127.0.0.1.  Tests read call states, DTMF, media statistics and the
detected level and frequency of the received audio directly.

The runner prints TAP, bounds every test in time, stops every user agent
after each test and the bed at the end (also on failure, timeout or
SIGTERM), and skips ("1..0 # SKIP reason") only when not root or when
Kamailio, the Sipws typelib or (for browser tests) Chromium/node are
missing.

Environment: SIPWS_BUILD_DIR (meson sets it) is the build directory with
libsipws/Sipws-1.0.typelib and app/cli/sipws; default <top>/build.
"""

import gc
import importlib.util
import os
import signal
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "browser"))

from testbed import TestBed, install_signal_cleanup  # noqa: E402
from testbed import skip_reason as bed_skip_reason  # noqa: E402

TEST_TIMEOUT = 120.0      # hard bound of one test, cleanup excluded
CLEANUP_TIMEOUT = 20.0
SIP_TIMEOUT = 10.0        # a SIP exchange on loopback: generous for 2 cores
MEDIA_TIMEOUT = 10.0      # from ACTIVE to audio heard
LOOPBACK = ["127.0.0.1"]

# Filled by load_libsipws().
GLib = None
Sipws = None


class Check(AssertionError):
    pass


class TestTimeout(Check):
    pass


def check(cond, what):
    if not cond:
        raise Check(what)


def note(text):
    for line in str(text).splitlines() or [""]:
        print("# " + line, flush=True)


def build_dir():
    return os.path.abspath(os.environ.get("SIPWS_BUILD_DIR")
                           or os.path.join(TOP, "build"))


def sipws_cli():
    return os.path.join(build_dir(), "app", "cli", "sipws")


# ---------------------------------------------------------------- loading

def gi_skip_reason():
    """Why libsipws cannot be used through GI here, or None."""
    lib_dir = os.path.join(build_dir(), "libsipws")
    if not os.path.exists(os.path.join(lib_dir, "Sipws-1.0.typelib")):
        return ("no Sipws-1.0.typelib in %s (libsipws built without "
                "gobject-introspection)" % lib_dir)
    if importlib.util.find_spec("gi") is None:
        return "python3-gi is not installed"
    return None


def load_libsipws():
    """Import Sipws from the build directory (typelib and shared library)."""
    global GLib, Sipws
    if Sipws is not None:
        return
    import gi
    gi.require_version("GIRepository", "2.0")
    from gi.repository import GIRepository
    lib_dir = os.path.join(build_dir(), "libsipws")
    GIRepository.Repository.prepend_search_path(lib_dir)
    GIRepository.Repository.prepend_library_path(lib_dir)
    gi.require_version("Sipws", "1.0")
    gi.require_version("Gst", "1.0")
    from gi.repository import GLib as glib, Sipws as sipws
    GLib, Sipws = glib, sipws


def nick(value):
    """'active' for Sipws.CallState.ACTIVE and the like."""
    return value.value_nick if hasattr(value, "value_nick") else str(value)


# ---------------------------------------------------------------- time

def _alarm(signum, frame):
    raise TestTimeout("test exceeded its %.0f s bound" % TEST_TIMEOUT)


def spin(seconds):
    """Run the default main context for about `seconds`."""
    spin_until(lambda: False, seconds, None)


def spin_until(cond, timeout, what):
    """Iterate the main context until cond() is true; Check on timeout
    (unless what is None: then just return False).  `what` may be a
    function, called at the timeout to describe the state then."""
    # Without libsipws (CLI-only tests) there is no main context to run.
    ctx = GLib.MainContext.default() if GLib is not None else None
    end = time.monotonic() + timeout
    while True:
        while ctx is not None and ctx.pending():
            ctx.iteration(False)
        value = cond()
        if value:
            return value
        if time.monotonic() >= end:
            if what is None:
                return False
            raise Check("timed out after %.1f s waiting for %s"
                        % (timeout, what() if callable(what) else what))
        time.sleep(0.005)


def run_async(begin, finish, timeout, what):
    """begin(callback) starts a GIO async operation; returns what
    finish(source, result) returns, or raises its GLib.Error."""
    box = {}

    def done(source, result, *unused):
        try:
            box["value"] = finish(source, result)
        except Exception as e:  # re-raised in the test below
            box["error"] = e
        box["done"] = True

    begin(done)
    spin_until(lambda: "done" in box, timeout, what)
    if "error" in box:
        raise box["error"]
    return box["value"]


# ---------------------------------------------------------------- calls

class CallWatch:
    """One SipwsCall and everything it reported."""

    def __init__(self, ua, call):
        self.ua = ua
        self.call = call
        self.t0 = time.monotonic()
        self.states = []          # (seconds since start, nick)
        self.dtmf = []            # digits received, in order
        self.dtmf_durations = []
        ua.track(call, call.connect("notify::state", self._on_state))
        ua.track(call, call.connect("dtmf-received", self._on_dtmf))

    def _on_state(self, call, pspec):
        self.states.append((time.monotonic() - self.t0, nick(call.get_state())))

    def _on_dtmf(self, call, digit, duration_ms):
        self.dtmf.append(chr(digit) if isinstance(digit, int) else digit)
        self.dtmf_durations.append(duration_ms)

    @property
    def state(self):
        return self.call.get_state()

    def state_names(self):
        return [s for _, s in self.states]

    def wait_state(self, state, timeout=SIP_TIMEOUT):
        spin_until(lambda: self.call.get_state() == state, timeout,
                   lambda: "%s call of %s to be %s (states so far: %s)"
                   % (nick(self.call.get_direction()), self.ua.user,
                      nick(state), self.state_names()))

    def wait_ended(self, timeout=SIP_TIMEOUT):
        self.wait_state(Sipws.CallState.ENDED, timeout)

    def end_reason(self):
        return self.call.get_end_reason()

    def media(self):
        media = self.call.get_media_session()
        check(media is not None, "%s's call has no media session"
              % self.ua.user)
        return media

    def stats(self):
        return self.media().get_stats()

    def counter(self, name):
        ok, value = self.stats().get_uint64(name)
        return value if ok else 0

    def packets_received(self):
        return self.counter("packets-received")

    def packets_sent(self):
        return self.counter("packets-sent")

    def hears(self, freq, tolerance=0.04, min_level=-40.0):
        m = self.media()
        f, level = m.get_frequency(), m.get_level()
        return level > min_level and abs(f - freq) <= freq * tolerance

    def wait_tone(self, freq, timeout=MEDIA_TIMEOUT):
        """Wait until the received audio is a tone of freq Hz; returns the
        (level dBFS, frequency Hz) measured."""
        spin_until(lambda: self.hears(freq), timeout,
                   lambda: "%s to hear %g Hz (level %.1f dBFS at %.1f Hz, %d "
                   "packets received)"
                   % (self.ua.user, freq, self.media().get_level(),
                      self.media().get_frequency(), self.packets_received()))
        return self.media().get_level(), self.media().get_frequency()

    def packets_during(self, seconds):
        """(received, sent) packet counts over the next `seconds`."""
        r0, s0 = self.packets_received(), self.packets_sent()
        spin(seconds)
        return self.packets_received() - r0, self.packets_sent() - s0

    def accept(self, timeout=SIP_TIMEOUT):
        return run_async(lambda cb: self.call.accept_async(None, cb),
                         Sipws.Call.accept_finish, timeout,
                         "%s to accept the call" % self.ua.user)

    def hold(self, timeout=SIP_TIMEOUT):
        return run_async(lambda cb: self.call.hold_async(None, cb),
                         Sipws.Call.hold_finish, timeout,
                         "%s's hold to complete" % self.ua.user)

    def resume(self, timeout=SIP_TIMEOUT):
        return run_async(lambda cb: self.call.resume_async(None, cb),
                         Sipws.Call.resume_finish, timeout,
                         "%s's resume to complete" % self.ua.user)

    def describe(self):
        c = self.call
        return ("%s call of %s: states %s, end %s/%d %r"
                % (nick(c.get_direction()), self.ua.user, self.state_names(),
                   nick(c.get_end_reason()), c.get_end_status(),
                   c.get_end_message()))


# ---------------------------------------------------------------- agents

class UA:
    """A libsipws account of one bed user on one listener.

    listener "ws"/"wss"/"untrusted": SIP digest with the user's password
    (or `password`); "cookie": web login (RFC 7118 A.3) before every
    connection; "token": the user's URL token (A.2).  `tone` is the sine
    each call sends; `incoming` is what to do with incoming calls:
    "accept", "ring" (leave them ringing) or a SIP status to reject with.
    """

    def __init__(self, fx, user, listener="wss", tone=440.0, password=None,
                 ca_file=None, incoming="accept", backoff_ms=None):
        bed = fx.bed
        self.fx = fx
        self.user = user
        self.listener = listener
        self.tone = tone
        self.incoming_policy = incoming
        self.t0 = time.monotonic()
        self.reg_log = []         # (t, state nick, error message or None)
        self.transport_log = []   # (t, state nick)
        self.calls = []           # CallWatch, outgoing and incoming
        self.incoming = []        # CallWatch of incoming calls only
        self.closed = False

        info = bed.users[user]
        self.aor = info["aor"]
        acc = Sipws.Account.new(self.aor)
        self.account = acc
        acc.set_server_uris([bed.url(listener)])
        acc.set_tls_ca_file(ca_file or bed.ca_file)
        transport = acc.get_transport()
        if backoff_ms is not None:
            transport.set_property("backoff-base", backoff_ms[0])
            transport.set_property("backoff-max", backoff_ms[1])
        secret = password if password is not None else info["password"]
        if listener == "cookie":
            transport.set_web_login(bed.info["login_url"],
                                    ["user=" + user, "password=" + secret])
        elif listener == "token":
            transport.set_url_token(info["token"])
        else:
            acc.set_password(secret)

        self.handlers = []        # (object, handler id), dropped at close
        self.track(acc, acc.connect("notify::registration-state",
                                    self._on_reg_state))
        self.track(transport, transport.connect("notify::state",
                                                self._on_transport_state))
        self.track(acc, acc.connect("incoming-call", self._on_incoming))
        self.track(acc, acc.connect("create-media-handler",
                                    self._on_create_media))
        fx.uas.append(self)

    def track(self, obj, handler_id):
        self.handlers.append((obj, handler_id))

    # -- signal handlers

    def _now(self):
        return time.monotonic() - self.t0

    def _on_reg_state(self, acc, pspec):
        err = acc.get_registration_error()
        self.reg_log.append((self._now(), nick(acc.get_registration_state()),
                             err.message if err is not None else None))

    def _on_transport_state(self, transport, pspec):
        self.transport_log.append((self._now(), nick(transport.get_state())))

    def _on_create_media(self, acc, call):
        session = Sipws.MediaSession.new()
        session.set_local_addresses(LOOPBACK)
        session.set_send_tone(self.tone)
        # Nothing is played: the session still measures what it receives.
        session.set_audio_sink("fakesink sync=false")
        return session

    def _on_incoming(self, acc, call):
        watch = CallWatch(self, call)
        self.calls.append(watch)
        self.incoming.append(watch)
        policy = self.incoming_policy
        if policy == "accept":
            call.accept_async(None, self._accepted)
        elif isinstance(policy, int):
            call.reject(policy)

    def _accepted(self, call, result):
        try:
            call.accept_finish(result)
        except Exception as e:  # the call's state tells the test
            note("%s could not accept: %s" % (self.user, e))

    # -- actions

    @property
    def transport(self):
        return self.account.get_transport()

    def reg_state(self):
        return self.account.get_registration_state()

    def register(self, timeout=SIP_TIMEOUT):
        run_async(lambda cb: self.account.register_async(None, cb),
                  Sipws.Account.register_finish, timeout,
                  "%s to register over %s" % (self.user, self.listener))
        check(self.reg_state() == Sipws.RegistrationState.REGISTERED,
              "%s: register finished but state is %s"
              % (self.user, nick(self.reg_state())))

    def register_error(self, timeout=SIP_TIMEOUT):
        """Register expecting failure; returns the GLib.Error."""
        try:
            run_async(lambda cb: self.account.register_async(None, cb),
                      Sipws.Account.register_finish, timeout,
                      "%s's registration to fail" % self.user)
        except Check:
            raise
        except Exception as e:
            return e
        raise Check("%s registered although it should have failed"
                    % self.user)

    def wait_registered(self, timeout=SIP_TIMEOUT):
        spin_until(lambda: self.reg_state() == Sipws.RegistrationState.REGISTERED,
                   timeout, lambda: "%s to be registered (log: %s)"
                   % (self.user, self.reg_log[-6:]))

    def call(self, target):
        if "@" not in target and not target.startswith("sip"):
            target = self.fx.bed.users[target]["aor"]
        watch = CallWatch(self, self.account.call(target, None))
        self.calls.append(watch)
        return watch

    def wait_incoming(self, count=1, timeout=SIP_TIMEOUT):
        spin_until(lambda: len(self.incoming) >= count, timeout,
                   "an incoming call at %s" % self.user)
        return self.incoming[count - 1]

    def close(self):
        """Hang up, unregister (bounded) and stop the flow."""
        if self.closed:
            return
        self.closed = True
        for w in self.calls:
            if w.state != Sipws.CallState.ENDED:
                w.call.hangup()
        spin_until(lambda: all(w.state == Sipws.CallState.ENDED
                               for w in self.calls), 5.0, None)
        if self.reg_state() in (Sipws.RegistrationState.REGISTERED,
                                Sipws.RegistrationState.REGISTERING):
            try:
                run_async(lambda cb: self.account.unregister_async(
                    Sipws.UnregisterFlags.NONE, None, cb),
                    Sipws.Account.unregister_finish, 5.0,
                    "%s to unregister" % self.user)
            except Exception as e:
                note("%s: unregister: %s" % (self.user, e))
        self.transport.stop()
        # Nothing calls back into a finished test.
        for obj, handler_id in self.handlers:
            obj.disconnect(handler_id)
        self.handlers = []


# ---------------------------------------------------------------- runner

class Fixture:
    """What one test uses: the bed and the user agents it made."""

    def __init__(self, bed, extra=None):
        self.bed = bed
        self.extra = extra
        self.uas = []
        self.cleanups = []

    def ua(self, user, **kw):
        return UA(self, user, **kw)

    def registered(self, user, **kw):
        ua = UA(self, user, **kw)
        ua.register()
        return ua

    def stat(self, name):
        """A Kamailio core statistic, e.g. rcv_requests_register."""
        result = self.bed.rpc("stats.get_statistics", name)
        return int(result[0].rsplit("=", 1)[1])

    def cleanup(self):
        errors = []
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception as e:
                errors.append("cleanup: %s" % e)
        for ua in self.uas:
            try:
                ua.close()
            except Exception as e:
                errors.append("closing %s: %s" % (ua.user, e))
        users = {ua.user for ua in self.uas}
        self.uas = []
        gc.collect()
        spin(0.2)
        # Each test starts with no contacts left by the previous one.
        if self.bed.running():
            for user in sorted(users):
                if not spin_until(lambda: not self.bed.contacts(user), 5.0,
                                  None):
                    errors.append("contacts of %s still registered: %s"
                                  % (user, self.bed.contacts(user)))
        return errors


def skip_reason(need_browser=False, need_gi=True):
    if os.geteuid() != 0:
        return "needs root (Kamailio runs as root, tests use a network namespace)"
    reason = bed_skip_reason() or (gi_skip_reason() if need_gi else None)
    if reason is None and not need_gi and not os.access(sipws_cli(), os.X_OK):
        reason = "no sipws command-line tool at %s" % sipws_cli()
    if reason is None and need_browser:
        from browserpeer import skip_reason as browser_skip_reason
        reason = browser_skip_reason()
    return reason


def _run_one(test, fx):
    """Run one test, then its cleanup (also when SIGTERM ends the run);
    returns the failure text or None."""
    error = None
    try:
        signal.setitimer(signal.ITIMER_REAL, TEST_TIMEOUT)
        test(fx)
    except Exception:
        error = traceback.format_exc()
    finally:
        signal.setitimer(signal.ITIMER_REAL, CLEANUP_TIMEOUT)
        try:
            cleanup_errors = fx.cleanup()
        except TestTimeout:
            cleanup_errors = ["cleanup exceeded %.0f s" % CLEANUP_TIMEOUT]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    if error is None and cleanup_errors:
        error = "\n".join(cleanup_errors)
    return error


def run(tests, bed_options=None, need_browser=False, need_gi=True,
        setup=None, argv=None):
    """Run tests (functions taking a Fixture) as TAP against one bed.

    argv may name tests to run (a subset, for debugging).  setup(bed) may
    return an object stored as fixture.extra (e.g. browsers) and closed
    with .close() at the end.  need_gi=False: tests that only run the
    sipws command-line tool."""
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        tests = [t for t in tests if t.__name__ in argv
                 or t.__name__.replace("test_", "") in argv]
    reason = skip_reason(need_browser, need_gi)
    if reason is not None:
        print("1..0 # SKIP " + reason, flush=True)
        return 0
    install_signal_cleanup()
    if need_gi:
        load_libsipws()
    # Loopback only, for sure: a network namespace with nothing but lo.
    from browserpeer import enter_private_netns
    enter_private_netns()

    print("1..%d" % len(tests), flush=True)
    failed = 0
    signal.signal(signal.SIGALRM, _alarm)
    with TestBed(**(bed_options or {})) as bed:
        extra = setup(bed) if setup is not None else None
        try:
            for number, test in enumerate(tests, 1):
                name = test.__name__.replace("test_", "", 1)
                t0 = time.monotonic()
                error = _run_one(test, Fixture(bed, extra))
                elapsed = time.monotonic() - t0
                if error is None:
                    print("ok %d - %s (%.1f s)" % (number, name, elapsed),
                          flush=True)
                else:
                    failed += 1
                    bed.mark_failed()
                    print("not ok %d - %s (%.1f s)" % (number, name, elapsed),
                          flush=True)
                    note(error)
        finally:
            if extra is not None:
                extra.close()
    return 1 if failed else 0
