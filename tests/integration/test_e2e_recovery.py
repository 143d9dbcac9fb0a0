#!/usr/bin/python3
"""Flow recovery of libsipws when Kamailio goes away and comes back (TAP).

Kamailio is stopped (all its processes gone, its WebSocket connections
closed) and started again on the same ports with an empty location table:

- while registered: the flow failure is noticed at once, reconnection
  attempts follow the RFC 5626 backoff (growing gaps up to the cap, no
  storm), the account re-registers on its own once the server is back, and
  is reachable again (a call to it is delivered);
- while the server is down when registration starts: the first round
  fails with a clear error and the account registers by itself later;
- with a cookie login (RFC 7118 A.3): sessions do not survive the restart,
  the account logs in again before it reconnects;
- in the middle of a call: media keeps flowing both ways (packet counters
  keep increasing, each side keeps hearing the other's tone) while
  signalling is down and after, both accounts re-register, and a BYE after
  recovery (from either side) ends the call on both sides.

The accounts use a short backoff (base 0.5 s, cap 4 s) so the test takes
seconds, not minutes; the shape of the backoff is the same.

Runs in a private network namespace (loopback only).  Skips only when not
root or when Kamailio or the Sipws typelib is missing.
"""

import sys
import time

import e2e
from e2e import check, note

BACKOFF = (500, 4000)       # ms: base and cap of the reconnect backoff
OUTAGE = 8.0                # s: long enough for four reconnect attempts
RECOVERY_TIMEOUT = BACKOFF[1] / 1000.0 + 8.0
TONE_A = 440.0
TONE_B = 880.0


def attempts_after(ua, t):
    """Times (s, on the UA's clock) of connection attempts after t."""
    return [when for when, state in ua.transport_log
            if state == "connecting" and when >= t]


def check_backoff(ua, stopped_at, restarted_at):
    """Attempts while the server was down: the first within 2 s, then gaps
    that double (with jitter in [0.5, 1)) up to the cap."""
    times = [t for t in attempts_after(ua, stopped_at) if t < restarted_at]
    gaps = [b - a for a, b in zip(times, times[1:])]
    note("%s: %d attempts while down, first after %.2f s, gaps %s"
         % (ua.user, len(times), times[0] - stopped_at if times else -1,
            ["%.2f" % g for g in gaps]))
    check(len(times) >= 3, "only %d reconnection attempts in %.0f s"
          % (len(times), restarted_at - stopped_at))
    check(times[0] - stopped_at < 2.0, "first reconnection after %.1f s"
          % (times[0] - stopped_at))
    check(fits_backoff(gaps), "gaps %s do not follow min(%g, %g * 2^n) * "
          "[0.5, 1) s for successive n"
          % (["%.2f" % g for g in gaps], BACKOFF[1] / 1000.0,
             BACKOFF[0] / 1000.0))


def fits_backoff(gaps, slack=0.15):
    """True when the gaps are the RFC 5626 delays of successive failed
    rounds n0, n0+1, ... for some n0: min(cap, base * 2^n) * r with r in
    [0.5, 1), give or take `slack` for a busy machine.  Which round the
    first gap belongs to depends on when the flow broke."""
    base, cap = BACKOFF[0] / 1000.0, BACKOFF[1] / 1000.0
    for n0 in range(1, 6):
        upper = [min(cap, base * 2 ** (n0 + i)) for i in range(len(gaps))]
        if all(u / 2 - slack <= g <= u + slack for g, u in zip(gaps, upper)):
            return True
    return False


def outage(fx, seconds, watch=None):
    """Stop Kamailio for `seconds` (packets each CallWatch of `watch`
    received, sampled meanwhile); returns (stopped, restarted, samples),
    the times on the monotonic clock."""
    stopped = time.monotonic()
    fx.bed.stop_server()
    note("Kamailio stopped")
    samples = []
    while time.monotonic() - stopped < seconds:
        if watch:
            samples.append([w.packets_during(1.0)[0] for w in watch])
        else:
            e2e.spin(0.5)
    fx.bed.start_server()
    restarted = time.monotonic()
    note("Kamailio started again after %.1f s" % (restarted - stopped))
    return stopped, restarted, samples


def on_clock(ua, t):
    return t - ua.t0


def test_registered_flow_recovers(fx):
    S = e2e.Sipws
    a = fx.registered("alice", backoff_ms=BACKOFF)
    old = fx.bed.contacts("alice")
    stopped, restarted, _ = outage(fx, OUTAGE)
    check(a.reg_state() != S.RegistrationState.REGISTERED,
          "still 'registered' with the server down")
    check_backoff(a, on_clock(a, stopped), on_clock(a, restarted))
    a.wait_registered(RECOVERY_TIMEOUT)
    note("re-registered %.1f s after the restart"
         % (time.monotonic() - restarted))
    states = [s for _, s, _ in a.reg_log]
    check(states[-3:] == ["registered", "registering", "registered"],
          "registration states %s" % states)
    new = fx.bed.contacts("alice")
    check(len(new) == 1, "%d contacts after recovery" % len(new))
    check(new[0].get("Received") != old[0].get("Received"),
          "same flow %s after a restart" % new[0].get("Received"))
    # Reachable on the new flow.
    b = fx.registered("bob")
    cb = b.call("alice")
    ca = a.wait_incoming()
    ca.wait_state(S.CallState.ACTIVE)
    cb.wait_state(S.CallState.ACTIVE)
    cb.call.hangup()
    ca.wait_ended()
    check(ca.end_reason() == S.EndReason.REMOTE_HANGUP, ca.describe())


def test_register_while_down(fx):
    S = e2e.Sipws
    fx.bed.stop_server()
    stopped = time.monotonic()
    try:
        a = fx.ua("alice", backoff_ms=BACKOFF)
        err = a.register_error()
        note("first round: %s" % err.message)
        check(err.matches(S.error_quark(), S.Error.TRANSPORT),
              "error %s %d" % (err.domain, err.code))
        check("reach" in err.message or "connect" in err.message.lower(),
              "unclear error: %s" % err.message)
        e2e.spin(3.0)
        check(len(attempts_after(a, 0)) >= 2, "no retry while down: %s"
              % a.transport_log)
    finally:
        fx.bed.start_server()
    restarted = time.monotonic()
    check_backoff(a, on_clock(a, stopped), on_clock(a, restarted))
    a.wait_registered(RECOVERY_TIMEOUT)
    note("registered %.1f s after the server came up"
         % (time.monotonic() - restarted))
    check(len(fx.bed.contacts("alice")) == 1, "alice has no contact")


def test_cookie_flow_logs_in_again(fx):
    S = e2e.Sipws
    c = fx.registered("carol", listener="cookie", backoff_ms=BACKOFF)
    stopped, restarted, _ = outage(fx, 2.0)
    c.wait_registered(RECOVERY_TIMEOUT)
    check(len(fx.bed.contacts("carol")) == 1, "carol has no contact")
    # Sessions live in memory only: any session now is a fresh login.
    sessions = fx.bed.rpc("htable.dump", "sessions")
    note("sessions after the restart: %d" % len(sessions))
    check("carol" in repr(sessions), "no new login session: %r" % sessions)
    b = fx.registered("bob")
    cb = b.call("carol")
    cc = c.wait_incoming()
    cc.wait_state(S.CallState.ACTIVE)
    cc.call.hangup()
    cb.wait_ended()
    check(cb.end_reason() == S.EndReason.REMOTE_HANGUP, cb.describe())


def call_survives_outage(fx, hangup_side):
    S = e2e.Sipws
    a = fx.registered("alice", backoff_ms=BACKOFF, tone=TONE_A)
    b = fx.registered("bob", backoff_ms=BACKOFF, tone=TONE_B)
    ca = a.call("bob")
    cb = b.wait_incoming()
    ca.wait_state(S.CallState.ACTIVE)
    cb.wait_state(S.CallState.ACTIVE)
    ca.wait_tone(TONE_B)
    cb.wait_tone(TONE_A)

    stopped, restarted, samples = outage(fx, 5.0, watch=[ca, cb])
    note("packets received per second while down (caller, callee): %s"
         % samples)
    for second, (ra, rb) in enumerate(samples):
        # 50 packets a second; 40 % of that shows the stream never stalled.
        check(ra >= 20 and rb >= 20,
              "second %d of the outage: caller received %d, callee %d"
              % (second, ra, rb))
    check(ca.hears(TONE_B) and cb.hears(TONE_A),
          "the tones were lost during the outage")
    for ua in (a, b):
        check(ua.reg_state() != S.RegistrationState.REGISTERED,
              "%s still 'registered' with the server down" % ua.user)
    a.wait_registered(RECOVERY_TIMEOUT)
    b.wait_registered(RECOVERY_TIMEOUT)
    note("both re-registered %.1f s after the restart"
         % (time.monotonic() - restarted))
    for w in (ca, cb):
        check(w.state == S.CallState.ACTIVE, w.describe())
        received, sent = w.packets_during(2.0)
        check(received >= 40 and sent >= 40,
              "%s after recovery: received %d, sent %d in 2 s"
              % (w.ua.user, received, sent))
    check(ca.hears(TONE_B) and cb.hears(TONE_A), "tones lost after recovery")

    # The BYE travels over the new flows (the dialog's Contacts named the
    # old ones).
    ender, other = (ca, cb) if hangup_side == "caller" else (cb, ca)
    ender.call.hangup()
    ender.wait_ended()
    other.wait_ended()
    note(ender.describe())
    note(other.describe())
    check(ender.end_reason() == S.EndReason.LOCAL_HANGUP, ender.describe())
    check(other.end_reason() == S.EndReason.REMOTE_HANGUP, other.describe())


def test_call_survives_outage_caller_hangs_up(fx):
    call_survives_outage(fx, "caller")


def test_call_survives_outage_callee_hangs_up(fx):
    call_survives_outage(fx, "callee")


TESTS = [test_registered_flow_recovers, test_register_while_down,
         test_cookie_flow_logs_in_again,
         test_call_survives_outage_caller_hangs_up,
         test_call_survives_outage_callee_hangs_up]

if __name__ == "__main__":
    sys.exit(e2e.run(TESTS))
