#!/usr/bin/python3
"""libsipws and a real browser call each other through Kamailio (TAP).

Headless Chromium running JsSIP (tests/integration/browser, driven over its
JSON line protocol) and a libsipws user agent (in this process through GI)
register on the Kamailio test bed.  In both directions: the call is set up
with the browser's own SDP (BUNDLE, rtcp-mux, extmap, DTLS roles, Opus and
two telephone-event rates), audio flows both ways (Chromium's getStats
inbound bytes and packets and its Web Audio level at libsipws' tone
frequency; libsipws' packet counters and the level of Chromium's fake
microphone), RFC 4733 DTMF goes both ways (the browser page decodes
telephone-event packets; libsipws reports dtmf-received), and the call is
hung up from either side with the right end on both.  Once more with the
web-authenticated listeners: the browser logged in with a session cookie
(RFC 7118 A.3), libsipws on a URL token (A.2).

Everything runs in a private network namespace with only the loopback
interface.  Skips only when not root or when Kamailio, the Sipws typelib,
Chromium, node or the npm packages of the harness are missing.
"""

import sys
import threading
import time

import e2e
from e2e import check, note

LIBSIPWS_TONE = 880.0
FFT_BIN = 48000.0 / 2048      # the page's frequency resolution
DIGITS_TO_BROWSER = "58*"
DIGITS_FROM_BROWSER = "1234#"


class Browser:
    """The browser peers, used without blocking libsipws' main loop: every
    command and wait runs the default main context meanwhile."""

    def __init__(self, peers):
        self.peers = peers

    def command(self, cmd, peer, **fields):
        box = {}

        def work():
            try:
                box["reply"] = self.peers.command(cmd, peer=peer, **fields)
            except Exception as e:  # re-raised below, in the test
                box["error"] = e

        t = threading.Thread(target=work, daemon=True)
        t.start()
        e2e.spin_until(lambda: not t.is_alive(), 60.0,
                       "the browser's reply to %s" % cmd)
        if "error" in box:
            raise box["error"]
        return box["reply"]

    def wait(self, event, peer, timeout=e2e.SIP_TIMEOUT, **match):
        from browserpeer import BrowserPeerError

        def poll():
            try:
                return self.peers.wait_event(event, peer=peer, timeout=0.001,
                                             **match)
            except BrowserPeerError as e:
                if "driver exited" in str(e):
                    raise
                return None
        return e2e.spin_until(poll, timeout, "browser %s: %s event %s"
                              % (peer, event, match or ""))

    def stats_until(self, peer, predicate, what, timeout=e2e.MEDIA_TIMEOUT):
        end = time.monotonic() + timeout
        while True:
            st = self.command("stats", peer)
            if predicate(st):
                return st
            if time.monotonic() > end:
                raise e2e.Check("browser %s: %s not seen in %.0f s; last stats %s"
                                % (peer, what, timeout, st))
            e2e.spin(0.25)

    def register(self, fx, peer, user, auth="digest"):
        bed = fx.bed
        fields = dict(user=user, password=bed.users[user]["password"])
        if auth == "cookie":
            fields.update(auth="cookie", login=bed.info["login_url"],
                          ws=bed.url("cookie"))
        else:
            fields.update(ws=bed.url("wss"))
        self.command("register", peer, **fields)
        self.wait("registered", peer)
        fx.cleanups.append(lambda: self.command("close", peer))


def browser(fx):
    return Browser(fx.extra)


def check_audio(fx, b, peer, w):
    """Audio both ways between browser `peer` and libsipws call w."""
    st = b.stats_until(
        peer, lambda s: s["packetsReceived"] >= 25 and s["bytesReceived"] > 0
        and s["totalSamplesReceived"] > 0 and s["levelPeak"] > 0.01,
        "received audio (25 packets, decoded samples, a level)")
    note("browser: %d bytes / %d packets received, peak %.3f at %s Hz, codec "
         "%s, pair %s -> %s" % (st["bytesReceived"], st["packetsReceived"],
                                st["levelPeak"], st["levelPeakHz"], st["codec"],
                                st.get("localCandidate"), st.get("remoteCandidate")))
    check(st["codec"].startswith("audio/opus/"), "browser codec %s" % st["codec"])
    check(abs(st["levelPeakHz"] - LIBSIPWS_TONE) <= 2 * FFT_BIN,
          "the browser hears %s Hz, libsipws sends %g Hz"
          % (st["levelPeakHz"], LIBSIPWS_TONE))
    for side in ("localCandidate", "remoteCandidate"):
        address = (st.get(side) or {}).get("address", "")
        check(address in ("127.0.0.1", ""), "browser %s is %r" % (side, address))
    later = b.stats_until(peer, lambda s: s["bytesReceived"] > st["bytesReceived"],
                          "more bytes")
    note("browser: %d more bytes in %s" % (later["bytesReceived"] - st["bytesReceived"],
                                           "a moment"))

    # libsipws: packets from Chromium and its fake microphone's beeps.
    levels = []
    session = w.media()
    handler = session.connect("audio-level", lambda s, level, freq: levels.append(level))
    try:
        received, sent = w.packets_during(2.0)
    finally:
        session.disconnect(handler)
    loudest = max(levels) if levels else -100.0
    note("libsipws: %d packets received, %d sent in 2 s; loudest %.1f dBFS"
         % (received, sent, loudest))
    check(received >= 50 and sent >= 50, "libsipws: %d received, %d sent in 2 s"
          % (received, sent))
    check(loudest > -50.0, "libsipws hears nothing from the browser (%.1f dBFS)"
          % loudest)
    stats = w.stats()
    check((stats.get_string("codec") or "").startswith("opus"),
          "libsipws codec %s" % stats.get_string("codec"))


def check_dtmf(fx, b, peer, w):
    # libsipws -> browser, RFC 4733
    check(w.call.send_dtmf(DIGITS_TO_BROWSER), "send_dtmf failed")
    events = [b.wait("dtmf_received", peer, timeout=5.0)
              for _ in DIGITS_TO_BROWSER]
    got = "".join(e["digit"] for e in events)
    check(got == DIGITS_TO_BROWSER, "browser received %r" % got)
    check(not fx.extra.events("dtmf_info", peer=peer), "DTMF came as SIP INFO")
    # browser -> libsipws
    b.command("dtmf", peer, digits=DIGITS_FROM_BROWSER)
    e2e.spin_until(lambda: len(w.dtmf) >= len(DIGITS_FROM_BROWSER), 8.0,
                   lambda: "libsipws to receive %s (got %r)" % (DIGITS_FROM_BROWSER, w.dtmf))
    check("".join(w.dtmf) == DIGITS_FROM_BROWSER, "libsipws received %r" % w.dtmf)
    note("DTMF %s to the browser (telephone-event pt %s, %s ms), %s from it "
         "(%s ms)" % (DIGITS_TO_BROWSER, events[0]["pt"],
                      [e["duration_ms"] for e in events], DIGITS_FROM_BROWSER,
                      w.dtmf_durations))


def test_browser_calls_libsipws(fx):
    S = e2e.Sipws
    b = browser(fx)
    b.register(fx, "carol", "carol")
    bob = fx.registered("bob", tone=LIBSIPWS_TONE)
    reply = b.command("call", "carol", target=fx.bed.users["bob"]["aor"])
    w = bob.wait_incoming()
    check("carol" in (w.call.get_remote_uri() or ""), "from %s" % w.call.get_remote_uri())
    w.wait_state(S.CallState.ACTIVE)
    b.wait("confirmed", "carol", call=reply["call"])
    check_audio(fx, b, "carol", w)
    check_dtmf(fx, b, "carol", w)
    # The browser hangs up.
    b.command("hangup", "carol")
    ended = b.wait("ended", "carol", call=reply["call"])
    w.wait_ended()
    check(ended["originator"] == "local", "browser ended %r" % ended)
    check(w.end_reason() == S.EndReason.REMOTE_HANGUP, w.describe())


def test_libsipws_calls_browser(fx):
    S = e2e.Sipws
    b = browser(fx)
    b.register(fx, "dave", "dave")
    alice = fx.registered("alice", tone=LIBSIPWS_TONE)
    w = alice.call("dave")
    inc = b.wait("incoming", "dave")
    check(inc["from"] == fx.bed.users["alice"]["aor"], "browser sees %r" % inc["from"])
    w.wait_state(S.CallState.RINGING)
    b.command("answer", "dave")
    w.wait_state(S.CallState.ACTIVE)
    b.wait("confirmed", "dave", call=inc["call"])
    check_audio(fx, b, "dave", w)
    check_dtmf(fx, b, "dave", w)
    # libsipws hangs up.
    w.call.hangup()
    w.wait_ended()
    ended = b.wait("ended", "dave", call=inc["call"])
    check(ended["originator"] == "remote", "browser ended %r" % ended)
    check(w.end_reason() == S.EndReason.LOCAL_HANGUP, w.describe())


def test_cookie_browser_and_token_libsipws(fx):
    """Web-authenticated on both sides: no digest anywhere."""
    S = e2e.Sipws
    b = browser(fx)
    b.register(fx, "carol", "carol", auth="cookie")
    dave = fx.registered("dave", listener="token", tone=LIBSIPWS_TONE)
    reply = b.command("call", "carol", target=fx.bed.users["dave"]["aor"])
    w = dave.wait_incoming()
    w.wait_state(S.CallState.ACTIVE)
    b.wait("confirmed", "carol", call=reply["call"])
    check_audio(fx, b, "carol", w)
    w.call.hangup()
    w.wait_ended()
    ended = b.wait("ended", "carol", call=reply["call"])
    check(ended["originator"] == "remote", "browser ended %r" % ended)


def start_browsers(bed):
    from browserpeer import BrowserPeers
    return BrowserPeers(bed_json=bed.path("testbed.json"), watchdog=600).start()


TESTS = [test_browser_calls_libsipws, test_libsipws_calls_browser,
         test_cookie_browser_and_token_libsipws]

if __name__ == "__main__":
    sys.exit(e2e.run(TESTS, need_browser=True, setup=start_browsers))
