#!/usr/bin/python3
"""Self-test of the browser interop harness (TAP).

Two headless Chromium peers running JsSIP (browser/browser-peer.mjs,
driven through browser/browserpeer.py) register on the Kamailio test bed
over WSS (digest) and over the cookie listener (RFC 7118 A.3 login in the
page), call each other, and prove with getStats and a Web Audio level
meter that audio flows both ways on loopback ICE; RFC 4733 DTMF both ways
(the receiving page decodes telephone-event packets), hold/resume, hang-up
from either side, CANCEL, 486, 480/404 targets, a wrong password, the
protocol's error replies, and that the driver leaves no Chromium behind
(also when its watchdog fires).

The whole test runs in a private network namespace with only the loopback
interface, so ICE cannot use the machine's real interfaces.

Skips (TAP "1..0 # SKIP") only when not root, or Kamailio, Chromium, node
or the npm packages are missing.
"""

import os
import re
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "browser"))

from testbed import TestBed, install_signal_cleanup  # noqa: E402
from testbed import skip_reason as bed_skip_reason  # noqa: E402
from browserpeer import (BrowserPeers, BrowserPeerError,  # noqa: E402
                         enter_private_netns)
from browserpeer import skip_reason as browser_skip_reason  # noqa: E402

MEDIA_TIMEOUT = 10.0     # audio must flow within this after "confirmed"
SIP_TIMEOUT = 8.0
LOOPBACK = re.compile(r"^(127\.|::1$)")


class Check(AssertionError):
    pass


def check(cond, what):
    if not cond:
        raise Check(what)


def note(text):
    print("# " + text)


class Fixture:
    def __init__(self, bed, browsers):
        self.bed = bed
        self.b = browsers
        self.users = {}      # peer -> SIP user it registered as
        self.calls = {}      # peer -> page call number of its current call

    def aor(self, user):
        return "sip:%s@%s" % (user, self.bed.domain)


# ------------------------------------------------------------ helpers --

def register(fx, peer, user, auth="digest", password=None, **kw):
    bed = fx.bed
    password = password or bed.users[user]["password"]
    if auth == "cookie":
        kw.update(auth="cookie", login=bed.info["login_url"],
                  ws=bed.url("cookie"))
    else:
        kw.update(ws=bed.url("wss"))
    return fx.b.command("register", peer=peer, user=user, password=password,
                        **kw)


def start_call(fx, caller, callee):
    """caller calls callee's AOR; returns the callee's "incoming" event
    after checking its From."""
    b = fx.b
    fx.calls[caller] = b.command("call", peer=caller,
                                 target=fx.aor(fx.users[callee]))["call"]
    inc = b.wait_event("incoming", peer=callee, timeout=SIP_TIMEOUT)
    fx.calls[callee] = inc["call"]
    check(inc["from"] == fx.aor(fx.users[caller]),
          "incoming from %r, expected %r" % (inc["from"],
                                             fx.aor(fx.users[caller])))
    return inc


def wait_call_event(fx, event, peer, **match):
    return fx.b.wait_event(event, peer=peer, call=fx.calls[peer],
                           timeout=SIP_TIMEOUT, **match)


def establish(fx, caller, callee, answer=True):
    """caller calls callee; callee answers (unless it auto-answers);
    returns seconds from the call command to the caller's "confirmed"."""
    t0 = time.monotonic()
    start_call(fx, caller, callee)
    if answer:
        fx.b.command("answer", peer=callee)
    wait_call_event(fx, "confirmed", caller)
    took = time.monotonic() - t0
    wait_call_event(fx, "confirmed", callee)
    return took


def wait_stats(fx, peer, predicate, timeout=MEDIA_TIMEOUT, what="stats"):
    deadline = time.monotonic() + timeout
    while True:
        st = fx.b.command("stats", peer=peer)
        if predicate(st):
            return st
        if time.monotonic() >= deadline:
            raise Check("%s: %s not reached within %.0f s; last: %s" % (
                peer, what, timeout,
                {k: st.get(k) for k in ("bytesReceived", "packetsReceived",
                                        "totalSamplesReceived", "levelPeak",
                                        "bytesSent", "iceState")}))
        time.sleep(0.2)


def assert_audio_both_ways(fx, a, b):
    t0 = time.monotonic()
    for peer in (a, b):
        st = wait_stats(
            fx, peer,
            lambda s: s["bytesReceived"] > 0 and s["packetsReceived"] >= 25
            and s["totalSamplesReceived"] > 0 and s["levelPeak"] > 0.01,
            what="received audio (25 packets, decoded samples, level)")
        check(st["codec"] and st["codec"].startswith("audio/opus/"),
              "%s: codec %r" % (peer, st["codec"]))
        note("%s: %d bytes / %d packets received, %d samples decoded, "
             "peak level %.3f at ~%s Hz, %.1f s after confirmed" % (
                 peer, st["bytesReceived"], st["packetsReceived"],
                 st["totalSamplesReceived"], st["levelPeak"],
                 st["levelPeakHz"], time.monotonic() - t0))


def collect(fx, event, peer, count, timeout):
    deadline = time.monotonic() + timeout
    out = []
    for _ in range(count):
        out.append(fx.b.wait_event(event, peer=peer, timeout=max(
            0.1, deadline - time.monotonic())))
    return out


def hang_up(fx, who, other):
    fx.b.command("hangup", peer=who)
    mine = wait_call_event(fx, "ended", who)
    theirs = wait_call_event(fx, "ended", other)
    check(mine["originator"] == "local" and mine["cause"] == "Terminated",
          "%s ended %r" % (who, mine))
    check(theirs["originator"] == "remote"
          and theirs["cause"] == "Terminated", "%s ended %r" % (other, theirs))


def dtmf_both(fx, sender, receiver, digits):
    fx.b.command("dtmf", peer=sender, digits=digits)
    got = collect(fx, "dtmf_received", receiver, len(digits), 5.0)
    check("".join(e["digit"] for e in got) == digits,
          "%s received %r, sent %r" % (
              receiver, [e["digit"] for e in got], digits))
    sent = collect(fx, "dtmf_sent", sender, len(digits) + 1, 5.0)
    check([e["digit"] for e in sent] == list(digits) + [None],
          "%s tonechange %r" % (sender, [e["digit"] for e in sent]))
    check(all(e["duration_ms"] and 80 <= e["duration_ms"] <= 200 for e in got),
          "durations %r" % [e["duration_ms"] for e in got])
    check(not fx.b.events("dtmf_info", peer=receiver),
          "DTMF came as SIP INFO, not RFC 4733")
    note("%s -> %s: %s as RFC 4733 telephone-event pt %s" % (
        sender, receiver, digits, got[0]["pt"]))


# --------------------------------------------------------------- tests --

def t_open(fx):
    for peer in ("carol", "dave"):
        t0 = time.monotonic()
        r = fx.b.open(peer)
        check("HeadlessChrome/" in r["user_agent"], r["user_agent"])
        check(isinstance(r["pid"], int) and os.path.isdir(r["profile"]),
              "open reply %r" % r)
        note("%s: Chromium %s started in %.1f s" % (
            peer, re.search(r"HeadlessChrome/(\S+)", r["user_agent"]).group(1),
            time.monotonic() - t0))


def t_protocol_errors(fx):
    b = fx.b
    for cmd, fields, msg in (
            ("answer", {"peer": "dave"}, "no incoming call to answer"),
            ("hangup", {"peer": "dave"}, "no call"),
            ("frobnicate", {"peer": "dave"}, 'unknown command "frobnicate"'),
            ("stats", {"peer": "nobody"}, 'no peer "nobody"'),
            ("call", {"peer": "dave", "target": "sip:x@y"}, "register first")):
        try:
            b.command(cmd, **fields)
        except BrowserPeerError as e:
            check(msg in str(e), "%s: %s" % (cmd, e))
        else:
            raise Check("%s was accepted" % cmd)
    b.send_raw("{not json")
    deadline = time.monotonic() + 5
    while not [o for o in b.lines() if o.get("event") == "error"
               and o.get("cmd", "") is None]:
        check(time.monotonic() < deadline, "no reply to a bad line")
        time.sleep(0.05)
    e = [o for o in b.lines() if o.get("cmd", "") is None][0]
    check(e["message"].startswith("bad command line:"), repr(e))


def t_register_wss(fx):
    for peer in ("carol", "dave"):
        register(fx, peer, peer)
        fx.users[peer] = peer
    for peer in ("carol", "dave"):
        fx.b.wait_event("ws_connected", peer=peer, timeout=SIP_TIMEOUT)
        r = fx.b.wait_event("registered", peer=peer, timeout=SIP_TIMEOUT)
        check(r["status"] == 200, repr(r))
        contacts = fx.bed.contacts(peer)
        check(len(contacts) == 1 and contacts[0]["Socket"].endswith(
            ":%d" % fx.bed.ports["wss"]) and "JsSIP" in contacts[0][
                "User-Agent"], "%s contacts %r" % (peer, contacts))


def t_message(fx):
    b = fx.b
    b.command("message", peer="carol", target=fx.aor("dave"),
              body="hello from carol")
    m = b.wait_event("message", peer="dave", timeout=SIP_TIMEOUT)
    check(m["from"] == fx.aor("carol") and m["body"] == "hello from carol"
          and m["content_type"] == "text/plain", repr(m))
    r = b.wait_event("message_sent", peer="carol", timeout=SIP_TIMEOUT)
    check(r["status"] == 200, repr(r))
    b.command("message", peer="carol", target=fx.aor("nobody"), body="x")
    r = b.wait_event("message_failed", peer="carol", timeout=SIP_TIMEOUT)
    check(r["status"] == 404, repr(r))


def t_call_and_audio(fx):
    took = establish(fx, "carol", "dave")
    note("carol -> dave: INVITE to confirmed in %.2f s" % took)
    check(any(e["status"] == 180 and e["call"] == fx.calls["carol"]
              for e in fx.b.events("progress", peer="carol")),
          "no 180 Ringing at the caller")
    assert_audio_both_ways(fx, "carol", "dave")


def t_loopback_ice(fx):
    for peer in ("carol", "dave"):
        st = fx.b.command("stats", peer=peer)
        loc, rem = st["localCandidate"], st["remoteCandidate"]
        check(loc and LOOPBACK.match(loc["address"]),
              "%s local candidate %r" % (peer, loc))
        check(rem and (LOOPBACK.match(rem["address"]) or rem["address"] == ""),
              "%s remote candidate %r" % (peer, rem))
        used = [p for p in st["candidatePairs"] if p["requestsSent"] > 0]
        bad = [p for p in used if not LOOPBACK.match(p["local"]["address"])]
        check(used and not bad, "%s pairs off loopback: %r" % (peer, bad))
        sdp = fx.b.command("sdp", peer=peer)
        for side in ("local", "remote"):
            text = sdp[side]
            cands = re.findall(r"^a=candidate:\S+ \d+ \w+ \d+ (\S+) ",
                               text, re.M)
            check(cands and all(LOOPBACK.match(c) for c in cands),
                  "%s %s SDP candidates %r" % (peer, side, cands))
    # The offer as dave received it: non-trickle (every candidate in the
    # INVITE, m= port and c= are real), BUNDLE and rtcp-mux.
    offer = fx.b.command("sdp", peer="dave")["remote"]
    m = re.search(r"^m=audio (\d+) UDP/TLS/RTP/SAVPF ", offer, re.M)
    check(m and m.group(1) != "9", "offer m-line: %r" % (m and m.group(0)))
    check(re.search(r"^c=IN IP4 127\.0\.0\.1", offer, re.M), "offer c= line")
    for attr in ("a=group:BUNDLE", "a=rtcp-mux", "a=setup:actpass",
                 "telephone-event/"):
        check(attr in offer, "offer lacks %s" % attr)


def t_dtmf_both_ways(fx):
    dtmf_both(fx, "carol", "dave", "123#")
    dtmf_both(fx, "dave", "carol", "*0D9")


def t_hold_resume(fx):
    b = fx.b
    b.command("hold", peer="carol")
    wait_call_event(fx, "hold", "carol", originator="local")
    wait_call_event(fx, "hold", "dave", originator="remote")
    # dave is now recvonly: it stops sending, carol keeps sending.
    time.sleep(0.3)
    held = b.command("stats", peer="dave")
    time.sleep(0.6)
    later = b.command("stats", peer="dave")
    check(later["packetsSent"] - held["packetsSent"] <= 2,
          "dave kept sending on hold: %d packets in 0.6 s"
          % (later["packetsSent"] - held["packetsSent"]))
    check(later["packetsReceived"] - held["packetsReceived"] >= 15,
          "dave received %d packets in 0.6 s on hold"
          % (later["packetsReceived"] - held["packetsReceived"]))
    b.command("unhold", peer="carol")
    wait_call_event(fx, "unhold", "carol", originator="local")
    wait_call_event(fx, "unhold", "dave", originator="remote")
    wait_stats(fx, "dave",
               lambda s: s["packetsSent"] - later["packetsSent"] >= 15,
               timeout=5, what="sending again after resume")


def t_caller_hangs_up(fx):
    hang_up(fx, "carol", "dave")


def t_callee_hangs_up(fx):
    took = establish(fx, "dave", "carol")
    note("dave -> carol: INVITE to confirmed in %.2f s" % took)
    assert_audio_both_ways(fx, "dave", "carol")
    hang_up(fx, "carol", "dave")


def t_reject_busy(fx):
    start_call(fx, "carol", "dave")
    fx.b.command("reject", peer="dave", status=486)
    f = wait_call_event(fx, "failed", "carol")
    check(f["status"] == 486 and f["cause"] == "Busy"
          and f["originator"] == "remote", repr(f))
    f = wait_call_event(fx, "failed", "dave")
    check(f["originator"] == "local", repr(f))


def t_cancel(fx):
    start_call(fx, "carol", "dave")
    wait_call_event(fx, "progress", "carol", status=180)
    fx.b.command("hangup", peer="carol")
    f = wait_call_event(fx, "failed", "carol")
    check(f["cause"] == "Canceled" and f["originator"] == "local", repr(f))
    f = wait_call_event(fx, "failed", "dave")
    check(f["cause"] == "Canceled" and f["originator"] == "remote", repr(f))


def t_unreachable_targets(fx):
    b = fx.b
    for target, status, cause in (("alice", 480, "Unavailable"),
                                  ("nobody", 404, "Not Found")):
        fx.calls["carol"] = b.command("call", peer="carol",
                                      target=fx.aor(target))["call"]
        f = wait_call_event(fx, "failed", "carol")
        check(f["status"] == status and f["cause"] == cause,
              "%s: %r" % (target, f))


def t_wrong_password(fx):
    b = fx.b
    register(fx, "mallory", "bob", password="not-bobs")
    f = b.wait_event("registration_failed", peer="mallory",
                     timeout=SIP_TIMEOUT)
    check(f["cause"] == "Authentication Error", repr(f))
    # JsSIP gives up after one failed challenge: no retry storm.
    time.sleep(1.5)
    check(len(b.events("registration_failed", peer="mallory")) == 1
          and not b.events("registered", peer="mallory"),
          repr(b.events(peer="mallory")))
    check(fx.bed.contacts("bob") == [], "bob has contacts")
    r = b.command("close", peer="mallory")
    check(r["left"] == [], repr(r))


def t_unregister_and_close(fx):
    b = fx.b
    for peer in ("carol", "dave"):
        b.command("unregister", peer=peer)
        b.wait_event("unregistered", peer=peer, timeout=SIP_TIMEOUT)
        check(fx.bed.contacts(peer) == [], "%s still registered" % peer)
        r = b.command("close", peer=peer)
        check(r["left"] == [], repr(r))


def t_cookie_register(fx):
    b = fx.b
    for peer, user in (("carol-cookie", "carol"), ("dave-cookie", "dave")):
        register(fx, peer, user, auth="cookie",
                 auto_answer=(peer == "dave-cookie"))
        fx.users[peer] = user
    for peer, user in (("carol-cookie", "carol"), ("dave-cookie", "dave")):
        r = b.wait_event("registered", peer=peer, timeout=SIP_TIMEOUT)
        check(r["status"] == 200, repr(r))
        contacts = fx.bed.contacts(user)
        check(len(contacts) == 1 and contacts[0]["Socket"].endswith(
            ":%d" % fx.bed.ports["cookie"]),
            "%s contacts %r" % (user, contacts))


def t_cookie_call(fx):
    took = establish(fx, "carol-cookie", "dave-cookie", answer=False)
    note("cookie: carol -> dave (auto-answer) confirmed in %.2f s" % took)
    assert_audio_both_ways(fx, "carol-cookie", "dave-cookie")
    dtmf_both(fx, "carol-cookie", "dave-cookie", "5")
    dtmf_both(fx, "dave-cookie", "carol-cookie", "#")
    hang_up(fx, "dave-cookie", "carol-cookie")


def t_cookie_login_refused(fx):
    b = fx.b
    register(fx, "eve", "alice", auth="cookie", password="not-alices")
    d = b.wait_event("ws_disconnected", peer="eve", timeout=SIP_TIMEOUT)
    check(d["error"], repr(d))
    check(not b.events("ws_connected", peer="eve")
          and not b.events("registered", peer="eve"),
          repr(b.events(peer="eve")))
    r = b.command("close", peer="eve")
    check(r["left"] == [], repr(r))


def t_quit_clean(fx):
    b = fx.b
    profiles = list(b.profiles)
    check(profiles, "no profiles recorded")
    t0 = time.monotonic()
    ev = b.close()
    check(ev and ev["code"] == 0 and ev["clean"], "exit event %r" % ev)
    check(b.exit_code == 0, "driver exit status %r" % b.exit_code)
    check(not any(os.path.exists(p) for p in profiles),
          "profile directories left")
    note("quit with 2 open peers took %.1f s" % (time.monotonic() - t0))


def t_watchdog(fx):
    b = BrowserPeers(bed_json=fx.bed.path("testbed.json"), watchdog=4)
    b.start()
    try:
        b.open("w")
        w = b.wait_event("watchdog", timeout=10)
        check(w["seconds"] == 4, repr(w))
        ex = b.wait_event("exit", timeout=15)
        check(ex["code"] == 3 and ex["clean"], repr(ex))
    finally:
        b.close()
    check(b.exit_code == 3, "driver exit status %r" % b.exit_code)


TESTS = [
    ("driver starts two Chromium peers", t_open),
    ("protocol errors are replies, not crashes", t_protocol_errors),
    ("carol and dave register over WSS with digest", t_register_wss),
    ("MESSAGE between the pages, 404 for an unknown user", t_message),
    ("carol calls dave, dave answers, audio both ways", t_call_and_audio),
    ("ICE and SDP candidates stay on loopback; offer is non-trickle "
     "with BUNDLE and rtcp-mux", t_loopback_ice),
    ("RFC 4733 DTMF both ways, decoded by the receiving page",
     t_dtmf_both_ways),
    ("hold and resume change the media direction", t_hold_resume),
    ("caller hangs up: both sides end", t_caller_hangs_up),
    ("dave calls carol, audio both ways, callee hangs up", t_callee_hangs_up),
    ("486 from the callee: caller fails with Busy", t_reject_busy),
    ("CANCEL while ringing: both sides Canceled", t_cancel),
    ("unregistered target 480, unknown target 404", t_unreachable_targets),
    ("wrong password: one Authentication Error, no retries",
     t_wrong_password),
    ("unregister removes the contacts; close leaves no process",
     t_unregister_and_close),
    ("cookie auth: login in the page, REGISTER over the cookie listener",
     t_cookie_register),
    ("cookie auth: call with auto-answer, audio and DTMF both ways, "
     "callee hangs up", t_cookie_call),
    ("cookie auth: refused login means a refused WebSocket upgrade",
     t_cookie_login_refused),
    ("quit closes every browser, nothing left running", t_quit_clean),
    ("watchdog ends the driver and its browsers", t_watchdog),
]


def main():
    install_signal_cleanup()
    reason = bed_skip_reason() or browser_skip_reason()
    if reason:
        print("1..0 # SKIP " + reason)
        return 0
    print("1..%d" % len(TESTS))
    sys.stdout.flush()
    try:
        enter_private_netns()
    except Exception as e:
        print("Bail out! no private network namespace: %s" % e)
        return 1

    bed = TestBed()
    try:
        bed.start()
    except Exception as e:
        print("Bail out! test bed did not start: %s: %s"
              % (type(e).__name__, e))
        return 1
    failures = 0
    browsers = BrowserPeers(bed_json=bed.path("testbed.json"), watchdog=240)
    try:
        browsers.start()
        fx = Fixture(bed, browsers)
        for number, (desc, func) in enumerate(TESTS, 1):
            try:
                func(fx)
                print("ok %d - %s" % (number, desc))
            except Exception as e:
                failures += 1
                bed.mark_failed()
                print("not ok %d - %s" % (number, desc))
                for line in ("%s: %s" % (type(e).__name__, e)).splitlines():
                    print("# " + line)
                if not isinstance(e, Check):
                    for line in traceback.format_exc().splitlines()[-12:]:
                        print("# " + line)
            sys.stdout.flush()
    except BrowserPeerError as e:
        print("Bail out! browser driver: %s" % e)
        failures += 1
    finally:
        if failures:
            tail = browsers.stderr_tail()
            if tail:
                print("# driver stderr:")
                for line in tail.splitlines():
                    print("#   " + line)
        try:
            browsers.close()
        except BrowserPeerError as e:
            print("# %s" % e)
            failures += 1
        bed.stop()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
