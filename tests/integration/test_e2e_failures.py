#!/usr/bin/python3
"""End-to-end failure paths of libsipws against Kamailio (TAP).

Calls that do not get answered (CANCEL while ringing, 486, a known user
with no registration, an unknown user), and registrations that cannot
succeed (wrong digest password, an untrusted server certificate, a refused
web login, a revoked URL token): each must end in the right state with a
clear error, and none may turn into a retry storm, which the test counts on
the server (Kamailio's own statistics) and on the client (connection
attempts of the flow).

Runs in a private network namespace (loopback only).  Skips only when not
root or when Kamailio or the Sipws typelib is missing.
"""

import sys

import e2e
from e2e import check, note

QUIET_PERIOD = 5.0   # after a permanent failure nothing may be retried


def test_cancel_while_ringing(fx):
    S = e2e.Sipws
    a = fx.registered("alice")
    b = fx.registered("bob", incoming="ring")
    ca = a.call("bob")
    cb = b.wait_incoming()
    ca.wait_state(S.CallState.RINGING)
    check(cb.state == S.CallState.RINGING, "callee: %s" % cb.describe())
    e2e.spin(0.5)
    ca.call.hangup()
    ca.wait_ended()
    cb.wait_ended()
    note(ca.describe())
    note(cb.describe())
    check(ca.end_reason() == S.EndReason.LOCAL_HANGUP, ca.describe())
    check(cb.end_reason() == S.EndReason.CANCELLED, cb.describe())
    check("active" not in ca.state_names() + cb.state_names(),
          "a cancelled call became active")


def test_reject_busy(fx):
    S = e2e.Sipws
    a = fx.registered("alice")
    b = fx.registered("bob", incoming=486)
    ca = a.call("bob")
    cb = b.wait_incoming()
    ca.wait_ended()
    cb.wait_ended()
    note(ca.describe())
    check(ca.end_reason() == S.EndReason.BUSY and ca.call.get_end_status() == 486,
          "caller: %s" % ca.describe())
    check(cb.end_reason() == S.EndReason.DECLINED, "callee: %s" % cb.describe())


def test_unregistered_user(fx):
    """dave exists but has no contact: Kamailio answers 480."""
    S = e2e.Sipws
    check(fx.bed.contacts("dave") == [], "dave is registered")
    a = fx.registered("alice")
    ca = a.call("dave")
    ca.wait_ended()
    note(ca.describe())
    check(ca.end_reason() == S.EndReason.NO_ANSWER and ca.call.get_end_status() == 480,
          ca.describe())


def test_unknown_user(fx):
    S = e2e.Sipws
    a = fx.registered("alice")
    ca = a.call("sip:nobody@%s" % fx.bed.domain)
    ca.wait_ended()
    note(ca.describe())
    check(ca.end_reason() == S.EndReason.REJECTED and ca.call.get_end_status() == 404,
          ca.describe())
    check(ca.call.get_end_message(), "no end message for a 404")


def test_wrong_password(fx):
    S = e2e.Sipws
    before = fx.stat("rcv_requests_register")
    ua = fx.ua("alice", password="not-the-password")
    err = ua.register_error()
    note("error: %s" % err.message)
    check(err.matches(S.error_quark(), S.Error.AUTH),
          "error is %s %d, not SIPWS_ERROR_AUTH" % (err.domain, err.code))
    check("alice" in err.message and "reject" in err.message,
          "unclear error: %s" % err.message)
    check(ua.reg_state() == S.RegistrationState.FAILED,
          "registration state %s" % e2e.nick(ua.reg_state()))
    reg_err = ua.account.get_registration_error()
    check(reg_err is not None and reg_err.message == err.message,
          "registration-error is %r" % (reg_err and reg_err.message))
    sent = fx.stat("rcv_requests_register") - before
    # The first REGISTER and one answer to the challenge; a second answer
    # only if the server had called the nonce stale.
    check(1 <= sent <= 2, "%d REGISTERs for one attempt" % sent)
    e2e.spin(QUIET_PERIOD)
    later = fx.stat("rcv_requests_register") - before - sent
    note("%d REGISTERs, then %d in the next %.0f s" % (sent, later, QUIET_PERIOD))
    check(later == 0, "%d more REGISTERs after the failure" % later)


def check_permanent_failure(fx, ua, err, code, transport_code, words):
    """A failure retrying cannot fix: clear message and error code,
    transport FAILED after exactly one attempt, nothing retried, no REGISTER
    reached the server, and the account says FAILED with the reason."""
    S = e2e.Sipws
    note("error: %s" % err.message)
    check(err.matches(S.error_quark(), code), "error %s %d, expected %s"
          % (err.domain, err.code, code))
    for word in words:
        check(word in err.message, "%r not in the error: %s" % (word, err.message))
    t_err = ua.transport.get_last_error()
    check(t_err is not None and t_err.code == int(transport_code),
          "transport error %r, expected %s" % (t_err and (t_err.domain, t_err.code, t_err.message),
                                               transport_code))
    registers = fx.stat("rcv_requests_register")
    e2e.spin(QUIET_PERIOD / 2)
    attempts = [s for _, s in ua.transport_log].count("connecting")
    note("transport states: %s" % [s for _, s in ua.transport_log])
    check(ua.transport.get_state() == S.TransportState.FAILED,
          "transport is %s" % e2e.nick(ua.transport.get_state()))
    check(attempts == 1, "%d connection attempts" % attempts)
    check(fx.stat("rcv_requests_register") == registers,
          "REGISTERs reached the server")
    check(ua.reg_state() == S.RegistrationState.FAILED,
          "registration state is %s (the flow failed for good: %s)"
          % (e2e.nick(ua.reg_state()), t_err.message))
    reg_err = ua.account.get_registration_error()
    check(reg_err is not None and reg_err.message == err.message,
          "registration-error after a permanent failure: %r"
          % (reg_err and reg_err.message))


def test_untrusted_certificate(fx):
    S = e2e.Sipws
    before = fx.stat("rcv_requests_register")
    ua = fx.ua("alice", listener="untrusted")
    err = ua.register_error()
    check(fx.stat("rcv_requests_register") == before, "a REGISTER got through")
    check_permanent_failure(fx, ua, err, S.Error.TLS, S.TransportError.TLS,
                            ["certificate", "unknown authority"])


def test_login_refused(fx):
    S = e2e.Sipws
    ua = fx.ua("carol", listener="cookie", password="not-the-password")
    err = ua.register_error()
    check_permanent_failure(fx, ua, err, S.Error.TRANSPORT,
                            S.TransportError.LOGIN, ["login", "403"])


def test_token_revoked(fx):
    S = e2e.Sipws
    token = fx.bed.users["dave"]["token"]
    fx.bed.revoke_token(token)
    # testbed.json's tokens are back after a restart only; put it back now.
    fx.cleanups.append(lambda: fx.bed.rpc("htable.sets", "tokens", token, "dave"))
    ua = fx.ua("dave", listener="token")
    err = ua.register_error()
    check_permanent_failure(fx, ua, err, S.Error.TRANSPORT,
                            S.TransportError.HTTP_STATUS, ["handshake", "403"])


TESTS = [test_cancel_while_ringing, test_reject_busy, test_unregistered_user,
         test_unknown_user, test_wrong_password, test_untrusted_certificate,
         test_login_refused, test_token_revoked]

if __name__ == "__main__":
    sys.exit(e2e.run(TESTS))
