#!/usr/bin/python3
"""End-to-end calls between two libsipws user agents through Kamailio (TAP).

Two SipwsAccounts in this process (GObject introspection) register on the
Kamailio 5.6 test bed, one calls the other, and the test follows the whole
call: 180 then 200/ACK, a sine tone each way through webrtcbin (Opus,
DTLS-SRTP, ICE on 127.0.0.1) detected by frequency and level on the
receiving side, packet counters both ways, RFC 4733 DTMF from caller to
callee, hold (sendonly) that stops the held direction only and resume that
brings it back, and the caller's hang-up with the right end reason on both
sides.  Once per way of authenticating the WebSocket flow: SIP digest over
WSS and over plain WS, a session cookie from the bed's web login (RFC 7118
A.3) and a URL token (A.2).

Runs in a private network namespace (loopback only).  Skips only when not
root or when Kamailio or the Sipws typelib is missing.
"""

import sys

import e2e
from e2e import check, note

TONE_A = 440.0     # the caller sends this
TONE_B = 880.0     # the callee sends this
DIGITS = "159#*0D"


def established_call(fx, listener, caller, callee):
    """Register both, call, wait until each side hears the other; returns
    (caller UA, callee UA, caller's CallWatch, callee's CallWatch)."""
    Sipws = e2e.Sipws
    a = fx.registered(caller, listener=listener, tone=TONE_A)
    b = fx.registered(callee, listener=listener, tone=TONE_B)
    port = fx.bed.ports[listener]
    for ua in (a, b):
        contacts = fx.bed.contacts(ua.user)
        check(len(contacts) == 1, "%s: %d contacts registered"
              % (ua.user, len(contacts)))
        check(contacts[0].get("Socket", "").endswith(":%d" % port),
              "%s registered over %s, not the %s listener"
              % (ua.user, contacts[0].get("Socket"), listener))
        check(ua.account.get_gruu(), "%s got no GRUU" % ua.user)

    ca = a.call(callee)
    cb = b.wait_incoming()
    check(caller in (cb.call.get_remote_uri() or ""),
          "callee sees the call from %r" % cb.call.get_remote_uri())
    ca.wait_state(Sipws.CallState.ACTIVE)
    cb.wait_state(Sipws.CallState.ACTIVE)
    check("ringing" in ca.state_names(),
          "the caller saw no 180: %s" % ca.state_names())
    note("%s: active after %.2f s" % (listener, ca.states[-1][0]))

    level, freq = ca.wait_tone(TONE_B)
    note("caller hears %.1f Hz at %.1f dBFS" % (freq, level))
    level, freq = cb.wait_tone(TONE_A)
    note("callee hears %.1f Hz at %.1f dBFS" % (freq, level))
    for w in (ca, cb):
        received, sent = w.packets_during(2.0)
        note("%s: %d packets received, %d sent in 2 s"
             % (w.ua.user, received, sent))
        # 20 ms Opus frames: 100 in 2 s; 40 % of that leaves room for a
        # busy machine, and none of it for a stalled stream.
        check(received >= 40 and sent >= 40,
              "%s: %d packets received, %d sent in 2 s"
              % (w.ua.user, received, sent))
        stats = w.stats()
        check((stats.get_string("codec") or "").startswith("opus"),
              "codec is %r" % stats.get_string("codec"))
        for field in ("local-candidate", "remote-candidate"):
            value = stats.get_string(field) or ""
            check("127.0.0.1" in value, "%s %s is %r"
                  % (w.ua.user, field, value))
    return a, b, ca, cb


def send_dtmf(ca, cb):
    check(ca.call.send_dtmf(DIGITS), "send_dtmf returned FALSE")
    e2e.spin_until(lambda: len(cb.dtmf) >= len(DIGITS), e2e.SIP_TIMEOUT,
                   lambda: "the callee to receive %s (got %r)"
                   % (DIGITS, "".join(cb.dtmf)))
    check("".join(cb.dtmf) == DIGITS, "callee received %r instead of %r"
          % ("".join(cb.dtmf), DIGITS))
    note("DTMF %s received, durations %s ms" % ("".join(cb.dtmf),
                                                cb.dtmf_durations))


def hold_and_resume(ca, cb):
    Sipws = e2e.Sipws
    ca.hold()
    check(ca.state == Sipws.CallState.HELD, "caller state after hold: %s"
          % e2e.nick(ca.state))
    e2e.spin_until(lambda: cb.call.get_remote_held(), e2e.SIP_TIMEOUT,
                   "the callee to see the call held")
    check(cb.state == Sipws.CallState.ACTIVE, "callee state while held: %s"
          % e2e.nick(cb.state))
    check(ca.media().get_direction() == Sipws.MediaDirection.SENDONLY,
          "caller's media direction on hold: %s"
          % e2e.nick(ca.media().get_direction()))
    e2e.spin(0.5)   # packets already on their way when the answer came
    a_received, a_sent = ca.packets_during(1.5)
    b_received, b_sent = cb.packets_during(1.5)
    note("on hold, in 1.5 s: caller received %d, sent %d; callee received "
         "%d, sent %d" % (a_received, a_sent, b_received, b_sent))
    # The held direction (callee -> caller) stops; the caller keeps
    # sending (RFC 3264 sendonly: music on hold).
    check(a_received <= 3, "caller still received %d packets on hold"
          % a_received)
    check(b_sent <= 3, "callee still sent %d packets on hold" % b_sent)
    check(b_received >= 30, "callee received only %d packets on hold"
          % b_received)
    check(cb.hears(TONE_A), "callee no longer hears the caller on hold")
    check(not ca.hears(TONE_B), "caller still hears the callee on hold")

    ca.resume()
    check(ca.state == Sipws.CallState.ACTIVE, "caller state after resume: %s"
          % e2e.nick(ca.state))
    e2e.spin_until(lambda: not cb.call.get_remote_held(), e2e.SIP_TIMEOUT,
                   "the callee to see the call resumed")
    ca.wait_tone(TONE_B, 5.0)
    a_received, _ = ca.packets_during(2.0)
    b_received, _ = cb.packets_during(2.0)
    note("resumed, in 2 s: caller received %d, callee %d"
         % (a_received, b_received))
    check(a_received >= 40 and b_received >= 40,
          "after resume: caller received %d, callee %d packets in 2 s"
          % (a_received, b_received))


def caller_hangs_up(ca, cb):
    Sipws = e2e.Sipws
    ca.call.hangup()
    ca.wait_ended()
    cb.wait_ended()
    check(ca.end_reason() == Sipws.EndReason.LOCAL_HANGUP,
          "caller: %s" % ca.describe())
    check(cb.end_reason() == Sipws.EndReason.REMOTE_HANGUP,
          "callee: %s" % cb.describe())
    for w in (ca, cb):
        check(w.media().get_media_state() == Sipws.MediaState.CLOSED,
              "%s's media is %s after the call"
              % (w.ua.user, e2e.nick(w.media().get_media_state())))


def challenges(fx):
    """401 and 407 replies Kamailio has sent so far."""
    return fx.stat("401_replies") + fx.stat("407_replies")


def test_digest_wss(fx):
    """Digest over WSS; DTMF, then hold at once, then resume."""
    before = challenges(fx)
    a, b, ca, cb = established_call(fx, "wss", "alice", "bob")
    # Both REGISTERs and the INVITE were challenged and answered.
    check(challenges(fx) - before >= 3, "only %d digest challenges"
          % (challenges(fx) - before))
    send_dtmf(ca, cb)
    hold_and_resume(ca, cb)
    caller_hangs_up(ca, cb)


def test_digest_ws(fx):
    """Digest over plain WS (RFC 7118 allows it; the bed offers it)."""
    a, b, ca, cb = established_call(fx, "ws", "carol", "dave")
    hold_and_resume(ca, cb)
    send_dtmf(ca, cb)
    caller_hangs_up(ca, cb)


def web_authenticated_call(fx, listener, caller, callee):
    """A full call on a web-authenticated listener: no digest at all."""
    before = challenges(fx)
    a, b, ca, cb = established_call(fx, listener, caller, callee)
    hold_and_resume(ca, cb)
    send_dtmf(ca, cb)
    caller_hangs_up(ca, cb)
    check(challenges(fx) == before,
          "digest challenges were sent on the %s listener" % listener)


def test_cookie(fx):
    """Web login (RFC 7118 A.3)."""
    web_authenticated_call(fx, "cookie", "carol", "dave")


def test_url_token(fx):
    """URL token (RFC 7118 A.2)."""
    web_authenticated_call(fx, "token", "alice", "bob")


TESTS = [test_digest_wss, test_digest_ws, test_cookie, test_url_token]

if __name__ == "__main__":
    sys.exit(e2e.run(TESTS))
