#!/usr/bin/python3
"""Self-test of the Kamailio test bed with an independent client (TAP).

Proves, with the standard-library client in wsclient.py rather than
libsipws, that the bed does what the end-to-end tests will rely on: TLS
with the bed's CA, the `sip` subprotocol, digest REGISTER (MD5 and
SHA-256), Outbound/GRUU answers, MESSAGE and dialog routing back over
WebSocket flows, 404/480, cookie (RFC 7118 A.3) and URL-token (A.2)
listeners with identity checks, the untrusted-certificate listener,
restart on the same ports, and clean shutdown.

Skips (TAP "1..0 # SKIP") only when not root or Kamailio is missing.
"""

import json
import os
import re
import secrets
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from testbed import (TestBed, TestBedError,  # noqa: E402
                     install_signal_cleanup, skip_reason)
from wsclient import (Dialog, HandshakeError, SipEndpoint,  # noqa: E402
                      WebSocket, digest_authorization)

SIP_TIMEOUT = 5.0


class Check(AssertionError):
    pass


def check(cond, what):
    if not cond:
        raise Check(what)


class Fixture:
    """The shared bed plus every WebSocket a test opened (closed after it)."""

    def __init__(self, bed):
        self.bed = bed
        self.sockets = []

    def ws(self, listener, user=None, **kw):
        bed = self.bed
        url = bed.url(listener, user)
        if url.startswith("wss:") and "ca_file" not in kw:
            kw["ca_file"] = bed.ca_file
        ws = WebSocket.connect(url, **kw)
        self.sockets.append(ws)
        return ws

    def endpoint(self, listener, user, password=None, **kw):
        ws = self.ws(listener, user if listener == "token" else None, **kw)
        return SipEndpoint(ws, user, self.bed.domain, password,
                           secure=listener != "ws")

    def digest_user(self, listener, user):
        return self.endpoint(listener, user,
                             self.bed.users[user]["password"])

    def close_all(self):
        for ws in self.sockets:
            ws.close()
        self.sockets = []


def answer_in_thread(ep, method, status=200, reason="OK"):
    """Answer the next `method` request on ep from a thread; returns
    (thread, box) where box["request"] is what arrived."""
    box = {}

    def run():
        try:
            req = ep.wait_request(method, SIP_TIMEOUT)
            box["request"] = req
            ep.respond(req, status, reason, to_tag=secrets.token_hex(4))
        except Exception as e:  # reported by the caller through box
            box["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, box


def send_message(ep, target_uri, body):
    return ep.request("MESSAGE", target_uri, body=body,
                      headers=["Content-Type: text/plain"])


def contact_param(resp, name):
    m = re.search(r';%s=(?:"([^"]*)"|([^;,\s]+))' % re.escape(name),
                  resp.get("contact", ""))
    return (m.group(1) if m.group(1) is not None else m.group(2)) if m \
        else None


def expect_refused(connect, status, what):
    """connect() must fail the WebSocket upgrade with HTTP status."""
    try:
        ws = connect()
    except HandshakeError as e:
        check(e.status == status, "%s: %d instead of %d"
              % (what, e.status, status))
    else:
        ws.close()
        raise Check("%s: upgrade accepted" % what)


def wait_until(predicate, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


# ------------------------------------------------------------- tests -----

def t_trusted_tls(fx):
    bed = fx.bed
    for name in ("127.0.0.1", "localhost"):
        with socket.create_connection(("127.0.0.1", bed.ports["wss"]),
                                      timeout=3) as raw:
            with bed.ssl_context().wrap_socket(
                    raw, server_hostname=name) as tls:
                cert = tls.getpeercert()
        issuer = dict(x[0] for x in cert["issuer"])
        check(issuer.get("commonName") == "libsipws test CA",
              "issuer is %r" % issuer)


def t_untrusted_listener(fx):
    try:
        fx.ws("untrusted")
    except ssl.SSLCertVerificationError as e:
        check("certificate verify failed" in str(e), str(e))
    else:
        raise Check("untrusted listener was accepted with the bed CA")
    ws = fx.ws("untrusted", ca_file=fx.bed.untrusted_ca_file)
    check(ws.protocol == "sip", "protocol %r" % ws.protocol)


def t_subprotocol_required(fx):
    for protocols in ((), ("foo",)):
        expect_refused(lambda: fx.ws("wss", protocols=protocols), 400,
                       "protocols %r" % (protocols,))
    ws = fx.ws("wss", protocols=("foo", "sip"))
    check(ws.protocol == "sip", "server picked %r" % ws.protocol)


def t_keepalives(fx):
    for listener in ("ws", "wss"):
        ws = fx.ws(listener)
        # RFC 5626 3.5.1 over WebSocket: CRLFCRLF ping, CRLF pong.
        ws.send_text("\r\n\r\n")
        opcode, data = ws.recv(3.0)
        check(data == b"\r\n", "%s: CRLF ping answered with %r"
              % (listener, data))
        took = ws.ping(b"tb-ping", 3.0)
        check(took < 3.0, "%s: WS Pong after %.1fs" % (listener, took))


def t_ws_register_md5(fx):
    bed = fx.bed
    alice = fx.digest_user("ws", "alice")
    r = alice.register(auth=False)
    check(r.status == 401, "unauthenticated REGISTER got %d" % r.status)
    chal = r.get("www-authenticate", "")
    check(chal.startswith("Digest ") and 'realm="%s"' % bed.domain in chal
          and "algorithm=MD5" in chal and 'qop="auth"' in chal,
          "challenge %r" % chal)
    r = alice.register()
    check(r.status == 200, "REGISTER got %d %s" % (r.status, r.reason))
    check(contact_param(r, "expires") == "300", r.get("contact"))
    contacts = bed.contacts("alice")
    check(len(contacts) == 1, "contacts %r" % contacts)
    check(contacts[0]["Received"].endswith(";transport=ws"),
          "received %r" % contacts[0]["Received"])


def t_wss_outbound_gruu(fx):
    bob = fx.digest_user("wss", "bob")
    r = bob.register()
    check(r.status == 200, "REGISTER got %d" % r.status)
    check("outbound" in r.get("require", ""), "Require %r" % r.get("require"))
    check(r.get("flow-timer") == str(fx.bed.flow_timer),
          "Flow-Timer %r" % r.get("flow-timer"))
    pub = contact_param(r, "pub-gruu")
    tmp = contact_param(r, "temp-gruu")
    check(pub and pub.startswith("sip:bob@") and ";gr=urn:uuid:" in pub,
          "pub-gruu %r" % pub)
    check(tmp and tmp.endswith(";gr"), "temp-gruu %r" % tmp)


def t_wrong_password(fx):
    carol = fx.endpoint("wss", "carol", "not-the-password")
    r = carol.register()
    check(r.status == 401, "wrong password got %d" % r.status)
    check(fx.bed.contacts("carol") == [], "carol got registered")


def t_options(fx):
    alice = fx.digest_user("wss", "alice")
    r = alice.request("OPTIONS", "sip:" + fx.bed.domain, auth=False)
    check(r.status == 200, "OPTIONS got %d" % r.status)


def t_max_forwards(fx):
    alice = fx.digest_user("wss", "alice")
    call_id = secrets.token_hex(8)
    text = alice.build_request("OPTIONS", "sip:bob@" + fx.bed.domain,
                               "sip:bob@" + fx.bed.domain, call_id, 1,
                               secrets.token_hex(4))
    alice.send_raw(text.replace("Max-Forwards: 70", "Max-Forwards: 0"))
    r = alice.wait_response(call_id, 1, SIP_TIMEOUT)
    check(r.status == 483, "Max-Forwards 0 got %d" % r.status)


def _register_pair(fx):
    alice = fx.digest_user("ws", "alice")
    bob = fx.digest_user("wss", "bob")
    ra, rb = alice.register(), bob.register()
    check(ra.status == 200 and rb.status == 200,
          "REGISTER %d/%d" % (ra.status, rb.status))
    return alice, bob, rb


def t_message_routed(fx):
    alice, bob, _ = _register_pair(fx)
    t, box = answer_in_thread(bob, "MESSAGE")
    r = send_message(alice, "sip:bob@" + fx.bed.domain, "hello bob")
    t.join(SIP_TIMEOUT)
    check("error" not in box, "bob: %s" % box.get("error"))
    check(r.status == 200, "MESSAGE got %d" % r.status)
    req = box["request"]
    check(req.body == "hello bob", "body %r" % req.body)
    check(req.uri == bob.contact_uri, "R-URI %r" % req.uri)
    check("Authorization" not in req.body and
          not req.get("proxy-authorization"), "credentials forwarded")


def t_message_to_gruu(fx):
    alice, bob, rb = _register_pair(fx)
    pub = contact_param(rb, "pub-gruu")
    t, box = answer_in_thread(bob, "MESSAGE")
    r = send_message(alice, pub, "via gruu")
    t.join(SIP_TIMEOUT)
    check(r.status == 200 and box.get("request") is not None,
          "MESSAGE to %s got %d (%s)" % (pub, r.status, box.get("error")))


def t_unregistered_and_unknown(fx):
    alice = fx.digest_user("wss", "alice")
    r = send_message(alice, "sip:carol@" + fx.bed.domain, "x")
    check(r.status == 480, "unregistered carol got %d" % r.status)
    r = send_message(alice, "sip:nobody@" + fx.bed.domain, "x")
    check(r.status == 404, "unknown user got %d" % r.status)


def t_invite_dialog(fx):
    alice, bob, _ = _register_pair(fx)
    box = {}
    sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"

    def callee():
        try:
            inv = bob.wait_request("INVITE", SIP_TIMEOUT)
            box["invite"] = inv
            contact = ["Contact: <%s;ob>" % bob.contact_uri]
            bob.respond(inv, 180, "Ringing", to_tag="b1", headers=contact)
            bob.respond(inv, 200, "OK", to_tag="b1",
                        headers=contact + ["Content-Type: application/sdp"],
                        body=sdp)
            box["ack"] = bob.wait_request("ACK", SIP_TIMEOUT)
            dialog = Dialog.as_uas(inv, "b1")
            call_id, cseq = bob.send_in_dialog(dialog, "BYE")
            box["bye_response"] = bob.wait_response(call_id, cseq,
                                                    SIP_TIMEOUT)
        except Exception as e:
            box["error"] = e

    t = threading.Thread(target=callee, daemon=True)
    t.start()
    to = "sip:bob@" + fx.bed.domain
    call_id, tag = secrets.token_hex(8), secrets.token_hex(4)
    r = alice.request("INVITE", to, call_id=call_id, from_tag=tag, body=sdp,
                      headers=["Contact: <%s;ob>" % alice.contact_uri,
                               "Content-Type: application/sdp"])
    check(r.status == 200, "INVITE got %d" % r.status)
    check(r.all("record-route"), "no Record-Route in 200")
    dialog = Dialog.as_uac(to, call_id, tag, alice.cseq, r)
    alice.send_in_dialog(dialog, "ACK", cseq=alice.cseq)
    bye = alice.wait_request("BYE", SIP_TIMEOUT)
    alice.respond(bye, 200, "OK")
    t.join(SIP_TIMEOUT)
    check("error" not in box, "callee: %r" % box.get("error"))
    check(box["invite"].all("record-route"), "INVITE lacks Record-Route")
    check(box["ack"].uri.startswith(bob.contact_uri.split(";")[0]),
          "ACK R-URI %r" % box["ack"].uri)
    check(bye.uri.startswith(alice.contact_uri.split(";")[0]),
          "BYE R-URI %r" % bye.uri)
    check(box["bye_response"].status == 200,
          "BYE got %d" % box["bye_response"].status)


def _in_dialog_message(fx, sender, receiver, target, listener):
    """sender sends an in-dialog MESSAGE to remote target `target` with the
    proxy (on `listener`) as route set; receiver must get it and answer."""
    route = ["<sip:127.0.0.1:%d;transport=ws;lr>" % fx.bed.ports[listener]]
    dialog = Dialog(secrets.token_hex(8), "b-tag", "a-tag",
                    "sip:%s@%s" % (receiver.user, fx.bed.domain), target,
                    route, 1)
    t, box = answer_in_thread(receiver, "MESSAGE")
    call_id, cseq = sender.send_in_dialog(
        dialog, "MESSAGE", headers=["Content-Type: text/plain"],
        body="in dialog")
    r = sender.wait_response(call_id, cseq, SIP_TIMEOUT)
    t.join(SIP_TIMEOUT)
    check(r.status == 200 and box.get("request") is not None,
          "in-dialog MESSAGE to %s: %d (%s)" % (target, r.status,
                                               box.get("error")))


def t_in_dialog_to_gruu(fx):
    alice, bob, _ = _register_pair(fx)
    pub = contact_param(alice.register(), "pub-gruu")
    # A dialog whose remote target is alice's GRUU (no ;alias= on it) and
    # whose route set is the proxy: the proxy must find the flow itself.
    _in_dialog_message(fx, bob, alice, pub, "wss")


def t_in_dialog_stale_alias(fx):
    """A remote target whose ;alias= names a flow that is gone (the client
    reconnected) reaches the GRUU's current flow."""
    alice = fx.digest_user("wss", "alice")
    pub = contact_param(alice.register(), "pub-gruu")
    old_port = alice.ws.sock.getsockname()[1]
    alice.close()
    again = fx.digest_user("wss", "alice")
    again.instance = alice.instance      # same device, new flow
    check(again.register().status == 200, "re-REGISTER on a new flow")
    bob = fx.digest_user("ws", "bob")
    check(bob.register().status == 200, "bob REGISTER")
    # WSS is proto 6 in Kamailio's alias encoding.
    _in_dialog_message(fx, bob, again,
                       "%s;alias=127.0.0.1~%d~6" % (pub, old_port), "ws")


def t_flow_replacement(fx):
    bed = fx.bed
    first = fx.digest_user("ws", "dave")
    check(first.register().status == 200, "first REGISTER")
    second = fx.digest_user("wss", "dave")
    second.instance = first.instance  # same device, new flow (RFC 5626 4.5)
    check(second.register().status == 200, "second REGISTER")
    contacts = bed.contacts("dave")
    check(len(contacts) == 1, "%d contacts after re-register on a new flow"
          % len(contacts))
    check(";transport=ws" in contacts[0]["Received"]
          and contacts[0]["Socket"].endswith(":%d" % bed.ports["wss"]),
          "flow not replaced: %r" % contacts[0])
    check(second.register(expires=0).status == 200, "un-REGISTER")
    check(bed.contacts("dave") == [], "contact left after expires=0")


def t_cookie_login(fx):
    bed = fx.bed
    try:
        bed.login("carol", "wrong-password")
    except TestBedError as e:
        check("403" in str(e), str(e))
    else:
        raise Check("login with a wrong password succeeded")
    cookie = bed.login("carol")
    check(re.fullmatch(r"sid=[0-9a-f]{64}", cookie) is not None,
          "cookie %r" % cookie)
    check(cookie != bed.login("carol"), "two logins gave the same session")


def t_cookie_handshake(fx):
    cookie = fx.bed.login("carol")
    for bad in (None, "sid=" + "0" * 64, "other=1"):
        expect_refused(lambda: fx.ws("cookie", cookie=bad), 403,
                       "cookie %r" % bad)
    ws = fx.ws("cookie", cookie="theme=dark; " + cookie + "; lang=en")
    check(ws.protocol == "sip", "protocol %r" % ws.protocol)


def t_cookie_register(fx):
    carol = SipEndpoint(fx.ws("cookie", cookie=fx.bed.login("carol")),
                        "carol", fx.bed.domain)
    r = carol.register(auth=False)
    check(r.status == 200, "cookie REGISTER got %d (no digest expected)"
          % r.status)
    r = carol.register(auth=False, to_user="dave", from_user="dave")
    check(r.status == 403, "REGISTER as dave on carol's connection: %d"
          % r.status)
    r = carol.register(auth=False, to_user="dave")
    check(r.status == 403, "REGISTER To dave on carol's connection: %d"
          % r.status)
    for method in ("MESSAGE", "INVITE"):
        r = carol.request(method, "sip:bob@" + fx.bed.domain, auth=False,
                          from_uri="sip:dave@" + fx.bed.domain)
        check(r.status == 403, "%s From dave on carol's connection: %d"
              % (method, r.status))
    check(len(fx.bed.contacts("carol")) == 1, "carol contacts")


def t_cookie_message_both_ways(fx):
    bed = fx.bed
    carol = SipEndpoint(fx.ws("cookie", cookie=bed.login("carol")),
                        "carol", bed.domain)
    check(carol.register(auth=False).status == 200, "carol REGISTER")
    alice, bob, _ = _register_pair(fx)
    t, box = answer_in_thread(carol, "MESSAGE")
    r = send_message(alice, "sip:carol@" + bed.domain, "to carol")
    t.join(SIP_TIMEOUT)
    check(r.status == 200 and box.get("request") is not None,
          "alice->carol %d (%s)" % (r.status, box.get("error")))
    t, box = answer_in_thread(bob, "MESSAGE")
    r = send_message(carol, "sip:bob@" + bed.domain, "from carol")
    t.join(SIP_TIMEOUT)
    check(r.status == 200 and box.get("request") is not None,
          "carol->bob %d (%s)" % (r.status, box.get("error")))
    check(box["request"].get("from").startswith("<sip:carol@"),
          "From %r" % box["request"].get("from"))


def t_cookie_logout(fx):
    import http.client
    bed = fx.bed
    cookie = bed.login("carol")
    conn = http.client.HTTPSConnection("127.0.0.1", bed.ports["cookie"],
                                       timeout=5, context=bed.ssl_context())
    try:
        conn.request("POST", "/logout", "", {"Cookie": cookie})
        resp = conn.getresponse()
        resp.read()
    finally:
        conn.close()
    check(resp.status == 200, "logout %d" % resp.status)
    expect_refused(lambda: fx.ws("cookie", cookie=cookie), 403,
                   "cookie after logout")


def t_token_listener(fx):
    bed = fx.bed
    base = bed.url("token")
    for url in (base, base + "?token=", base + "?token=not-a-token"):
        expect_refused(lambda: WebSocket.connect(url, ca_file=bed.ca_file),
                       403, url)
    dave = fx.endpoint("token", "dave")
    r = dave.register(auth=False)
    check(r.status == 200, "token REGISTER got %d" % r.status)
    r = dave.register(auth=False, from_user="carol", to_user="carol")
    check(r.status == 403, "REGISTER as carol on dave's token: %d"
          % r.status)
    extra = bed.add_token("dave")
    WebSocket.connect(base + "?token=" + extra, ca_file=bed.ca_file).close()
    bed.revoke_token(extra)
    expect_refused(lambda: WebSocket.connect(base + "?token=" + extra,
                                             ca_file=bed.ca_file),
                   403, "revoked token")


def t_web_identity_forgotten(fx):
    bed = fx.bed
    fx.close_all()
    ws_cookie = fx.ws("cookie", cookie=bed.login("carol"))
    ws_token = fx.ws("token", "dave")
    check(len(bed.rpc("htable.dump", "wsconn")) == 2,
          "handshake identities not recorded")
    ws_cookie.close()
    ws_token.abort()
    empty = wait_until(lambda: bed.rpc("htable.dump", "wsconn") == [], 3.0)
    check(empty, "identities left: %r" % bed.rpc("htable.dump", "wsconn"))


def t_stale_flow(fx):
    bed = fx.bed
    echo = fx.digest_user("wss", "echo")
    check(echo.register().status == 200, "echo REGISTER")
    echo.ws.abort()  # the flow dies without un-REGISTER
    alice = fx.digest_user("wss", "alice")
    start = time.monotonic()
    r = send_message(alice, "sip:echo@" + bed.domain, "anyone?")
    check(r.status == 480, "MESSAGE to a dead flow got %d" % r.status)
    check(time.monotonic() - start < 3.0, "dead flow took %.1fs"
          % (time.monotonic() - start))
    gone = wait_until(lambda: bed.contacts("echo") == [], 10.0, 0.2)
    check(gone, "stale contact kept: %r" % bed.contacts("echo"))


def t_restart_same_ports(fx):
    bed = fx.bed
    alice = fx.digest_user("wss", "alice")
    check(alice.register().status == 200, "REGISTER before restart")
    ports = dict(bed.ports)
    old_pid = bed.info["pid"]
    fx.close_all()
    bed.restart()
    check(bed.ports == ports, "ports changed")
    check(bed.info["pid"] != old_pid, "same pid after restart")
    check(bed.contacts("alice") == [], "registration survived a restart")
    alice = fx.digest_user("wss", "alice")
    check(alice.register().status == 200, "REGISTER after restart")
    dave = fx.endpoint("token", "dave")
    check(dave.register(auth=False).status == 200, "token after restart")


def t_sha256_bed(fx):
    with TestBed(digest_algorithm="SHA-256", ws_keepalive=1) as bed:
        ws = WebSocket.connect(bed.url("wss"), ca_file=bed.ca_file)
        try:
            # Kamailio pings a WebSocket idle for ws_keepalive seconds.
            deadline = time.monotonic() + 4.0
            while not ws.pings_answered and time.monotonic() < deadline:
                try:
                    ws.recv(0.2)
                except socket.timeout:
                    pass
            check(ws.pings_answered >= 1, "no WS Ping from Kamailio in 4s")
            ep = SipEndpoint(ws, "alice", bed.domain,
                             bed.users["alice"]["password"])
            r = ep.register(auth=False)
            chal = r.get("www-authenticate", "")
            check(r.status == 401 and "algorithm=SHA-256" in chal,
                  "challenge %d %r" % (r.status, chal))
            # Prove the server really checks SHA-256: an MD5 answer fails.
            md5 = digest_authorization(chal.replace("SHA-256", "MD5"),
                                       "REGISTER", "sip:" + bed.domain,
                                       "alice", "alice-secret")
            call_id = secrets.token_hex(8)
            ep.cseq += 1
            ep.send_raw(ep.build_request(
                "REGISTER", "sip:" + bed.domain, ep.aor, call_id, ep.cseq,
                ep.from_tag, headers=[
                    "Contact: <%s>" % ep.contact_uri,
                    "Authorization: " + md5.replace(
                        "algorithm=MD5", "algorithm=SHA-256")]))
            bad = ep.wait_response(call_id, ep.cseq, SIP_TIMEOUT)
            check(bad.status == 401, "MD5 response accepted: %d"
                  % bad.status)
            r = ep.register()
            check(r.status == 200, "SHA-256 REGISTER got %d" % r.status)
        finally:
            ws.close()
    check(not bed.processes(), "SHA-256 bed left processes %r"
          % bed.processes())
    check(not os.path.exists(bed.run_dir), "temporary run dir kept")


def t_cli_start_stop(fx):
    tool = os.path.join(HERE, "testbed.py")
    with tempfile.TemporaryDirectory(prefix="sipws-tb-cli-") as tmp:
        run_dir = os.path.join(tmp, "bed")

        def cli(*args):
            return subprocess.run([sys.executable, tool] + list(args)
                                  + ["--dir", run_dir],
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=60,
                                  check=False)
        try:
            p = cli("start")
            check(p.returncode == 0, "start: %s" % p.stdout.decode())
            with open(os.path.join(run_dir, "testbed.json")) as f:
                info = json.load(f)
            p = cli("status")
            check(p.stdout.strip() == b"running", "status %r" % p.stdout)
            ws = WebSocket.connect(info["urls"]["wss"],
                                   ca_file=info["ca_file"])
            ws.close()
            with open(os.path.join(run_dir, "testbed.env")) as f:
                env = f.read()
            check("SIPWS_TB_WSS_URL=" in env and "SIPWS_TB_CA_FILE=" in env,
                  "testbed.env incomplete")
        finally:
            p = cli("stop")
        check(p.returncode == 0, "stop: %s" % p.stdout.decode())
        p = cli("status")
        check(p.stdout.strip() == b"stopped", "after stop %r" % p.stdout)
        check(_proc_gone(info["pid"]), "CLI bed pid %d still alive"
              % info["pid"])


def _proc_gone(pid):
    def gone():
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] == "Z"
        except OSError:
            return True
    return wait_until(gone, 5.0, 0.05)


SHARED_BED_TESTS = [
    ("WSS certificate verifies against the bed CA for 127.0.0.1 and "
     "localhost", t_trusted_tls),
    ("untrusted listener fails verification with the bed CA only",
     t_untrusted_listener),
    ("upgrade requires the sip subprotocol", t_subprotocol_required),
    ("keepalives: CRLF ping gets a CRLF pong, WS Ping gets a Pong",
     t_keepalives),
    ("WS REGISTER: 401 MD5 qop=auth challenge, digest answer, 200",
     t_ws_register_md5),
    ("WSS REGISTER answers Outbound (Require, Flow-Timer) and GRUUs",
     t_wss_outbound_gruu),
    ("wrong password is re-challenged and not registered", t_wrong_password),
    ("OPTIONS to the server is answered", t_options),
    ("Max-Forwards 0 gives 483", t_max_forwards),
    ("MESSAGE alice->bob is routed over bob's WebSocket", t_message_routed),
    ("MESSAGE to a pub-gruu reaches the instance", t_message_to_gruu),
    ("unregistered user 480, unknown user 404", t_unregistered_and_unknown),
    ("INVITE/180/200/ACK/BYE route through Record-Route and aliases",
     t_invite_dialog),
    ("in-dialog request to a GRUU remote target finds the flow",
     t_in_dialog_to_gruu),
    ("in-dialog request whose alias flow is gone reaches the GRUU's new flow",
     t_in_dialog_stale_alias),
    ("re-REGISTER with same instance/reg-id on a new flow replaces it",
     t_flow_replacement),
    ("cookie login: wrong password 403, session cookie on success",
     t_cookie_login),
    ("cookie listener refuses upgrades without a valid session",
     t_cookie_handshake),
    ("cookie connection registers without digest; REGISTER/MESSAGE/INVITE "
     "as another user 403",
     t_cookie_register),
    ("MESSAGE to and from a cookie-authenticated user", t_cookie_message_both_ways),
    ("logout invalidates the session cookie", t_cookie_logout),
    ("token listener: bad/missing token 403, token user registers, "
     "identity enforced, tokens added/revoked at run time", t_token_listener),
    ("closed connections forget their handshake identity",
     t_web_identity_forgotten),
    ("dead flow: MESSAGE gets 480 at once, stale contact removed",
     t_stale_flow),
    ("restart keeps ports and tokens, drops registrations",
     t_restart_same_ports),
]

OTHER_TESTS = [
    ("SHA-256 bed: challenge, MD5 answer refused, SHA-256 answer 200; "
     "Kamailio pings idle WebSockets; clean stop", t_sha256_bed),
    ("CLI start/status/stop with testbed.json and testbed.env",
     t_cli_start_stop),
]


def main():
    install_signal_cleanup()
    reason = skip_reason()
    if reason:
        print("1..0 # SKIP " + reason)
        return 0
    total = len(SHARED_BED_TESTS) + len(OTHER_TESTS) + 1
    print("1..%d" % total)
    sys.stdout.flush()
    number = 0
    failures = 0

    def report(desc, func, fx):
        nonlocal number, failures
        number += 1
        try:
            func(fx)
            print("ok %d - %s" % (number, desc))
        except Exception as e:
            failures += 1
            print("not ok %d - %s" % (number, desc))
            for line in ("%s: %s" % (type(e).__name__, e)).splitlines():
                print("# " + line)
            if not isinstance(e, Check):
                for line in traceback.format_exc().splitlines()[-16:]:
                    print("# " + line)
            if fx is not None:
                fx.bed.mark_failed()
        finally:
            if fx is not None:
                fx.close_all()
        sys.stdout.flush()

    bed = TestBed()
    try:
        bed.start()
    except Exception as e:
        print("Bail out! test bed did not start: %s: %s"
              % (type(e).__name__, e))
        return 1
    fx = Fixture(bed)
    try:
        for desc, func in SHARED_BED_TESTS:
            report(desc, func, fx)
    finally:
        fx.close_all()
        pid = bed.info["pid"]
        bed.stop()
    number += 1
    left = bed.processes()
    if not left and _proc_gone(pid):
        print("ok %d - stop() leaves no Kamailio process" % number)
    else:
        failures += 1
        print("not ok %d - stop() leaves no Kamailio process" % number)
        print("# still running: %r" % left)
    for desc, func in OTHER_TESTS:
        report(desc, func, None)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
