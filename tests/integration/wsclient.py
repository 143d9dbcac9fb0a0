"""Minimal SIP-over-WebSocket client (standard library only).

Used to prove the Kamailio test bed with a client nobody on the project
wrote into libsipws: RFC 6455 handshake and masked frames, RFC 7118 framing
(one SIP message per WebSocket message), RFC 2617/7616 digest (MD5,
SHA-256, qop=auth).  It is a test tool, not a SIP stack: no transactions
beyond "send, then wait for the matching response", no retransmissions
(WebSocket is reliable, RFC 7118 5.1).
"""

import base64
import hashlib
import os
import queue
import re
import secrets
import select
import socket
import ssl
import struct
import threading
import time
import urllib.parse
import uuid

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_MESSAGE = 1 << 20
MAX_HANDSHAKE = 16384

OP_CONT, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA

# What a non-blocking socket or TLS call raises when it would block.
_WOULD_BLOCK = (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError)


class HandshakeError(Exception):
    """The server refused the WebSocket upgrade (status is the HTTP code,
    0 when the reply was not HTTP at all)."""

    def __init__(self, status, reason, headers=None, body=b""):
        super().__init__("WebSocket handshake refused: %d %s"
                         % (status, reason))
        self.status = status
        self.reason = reason
        self.headers = headers or {}
        self.body = body


class ConnectionClosed(Exception):
    """The WebSocket is closed (close frame or EOF)."""


class WebSocket:
    """A client WebSocket carrying SIP.

    connect() raises HandshakeError when the upgrade is refused,
    ssl.SSLCertVerificationError when the server certificate is not
    trusted, OSError for socket failures.

    One thread may read while others write.  An OpenSSL connection must
    not be used by two threads at once (a blocked SSL_read handling a TLS
    1.3 session ticket while another thread writes corrupts it), so the
    socket is non-blocking and every TLS call is made under one lock;
    waiting happens in select() outside it.
    """

    IO_STEP = 0.2

    def __init__(self, sock, protocol, response_headers, leftover=b""):
        self.sock = sock
        self.protocol = protocol
        self.response_headers = response_headers
        self._lock = threading.Lock()
        self._buf = bytearray(leftover)
        sock.setblocking(False)
        self.closed = False
        self.pings_answered = 0
        self.pongs = []
        # Thread that blocks in recv(), joined before the descriptor closes.
        self.reader_thread = None

    @classmethod
    def connect(cls, url, ca_file=None, cookie=None, protocols=("sip",),
                origin=None, timeout=5.0, extra_headers=None):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("ws", "wss"):
            raise ValueError("not a WebSocket URL: " + url)
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "wss" else 80)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        sock = socket.create_connection((host, port), timeout=timeout)
        try:
            if parts.scheme == "wss":
                ctx = ssl.create_default_context(cafile=ca_file)
                # If this fails, sock is still the plain socket: closed below.
                sock = ctx.wrap_socket(sock, server_hostname=host)
            key = base64.b64encode(os.urandom(16)).decode()
            hostport = host if ":" not in host else "[%s]" % host
            lines = ["GET %s HTTP/1.1" % path,
                     "Host: %s:%d" % (hostport, port),
                     "Upgrade: websocket",
                     "Connection: Upgrade",
                     "Sec-WebSocket-Key: " + key,
                     "Sec-WebSocket-Version: 13"]
            if protocols:
                lines.append("Sec-WebSocket-Protocol: " + ", ".join(protocols))
            if origin:
                lines.append("Origin: " + origin)
            if cookie:
                lines.append("Cookie: " + cookie)
            for name, value in (extra_headers or {}).items():
                lines.append("%s: %s" % (name, value))
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            status, reason, headers, body = cls._read_http_response(sock)
            leftover = body if status == 101 else b""
            if status != 101:
                raise HandshakeError(status, reason, headers, body)
            accept = base64.b64encode(hashlib.sha1(
                (key + WS_GUID).encode()).digest()).decode()
            if headers.get("sec-websocket-accept") != accept:
                raise HandshakeError(status, "bad Sec-WebSocket-Accept",
                                     headers)
            protocol = headers.get("sec-websocket-protocol")
            if protocols and protocol not in protocols:
                # RFC 7118 4.1: the server must select "sip".
                raise HandshakeError(status, "subprotocol not selected: %r"
                                     % protocol, headers)
            return cls(sock, protocol, headers, leftover)
        except BaseException:
            sock.close()
            raise

    @staticmethod
    def _read_http_response(sock):
        data = b""
        while b"\r\n\r\n" not in data:
            if len(data) > MAX_HANDSHAKE:
                raise HandshakeError(0, "handshake reply too long")
            chunk = sock.recv(4096)
            if not chunk:
                if not data:
                    raise HandshakeError(0, "connection closed during "
                                            "handshake")
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.[01] (\d{3}) ?(.*)$", lines[0])
        if not m:
            raise HandshakeError(0, "not an HTTP reply: %r" % lines[0][:80])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = rest
        length = int(headers.get("content-length", "0") or 0)
        if int(m.group(1)) != 101:
            sock.settimeout(1.0)
            try:
                while len(body) < min(length, MAX_HANDSHAKE):
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    body += chunk
            except OSError:
                pass
        return int(m.group(1)), m.group(2), headers, body

    def _send_frame(self, opcode, payload):
        header = bytearray([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header.append(0x80 | n)
        elif n < 65536:
            header.append(0x80 | 126)
            header += struct.pack("!H", n)
        else:
            header.append(0x80 | 127)
            header += struct.pack("!Q", n)
        mask = os.urandom(4)
        header += mask
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self._send_all(bytes(header) + masked)

    def _io(self, op, deadline, writing):
        """Run op() (one socket or TLS call) under the lock until it does
        not block; waiting happens in select() outside the lock."""
        while True:
            with self._lock:
                try:
                    return op()
                except _WOULD_BLOCK:
                    pass
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout("WebSocket %s timed out"
                                     % ("send" if writing else "receive"))
            select.select([self.sock], [self.sock] if writing else [], [],
                          min(remaining, self.IO_STEP))

    def _send_all(self, data, timeout=5.0):
        view = memoryview(data)
        deadline = time.monotonic() + timeout
        while view:
            sent = self._io(lambda: self.sock.send(view), deadline, True)
            view = view[sent:]

    def _recv_exact(self, n, deadline):
        while len(self._buf) < n:
            want = max(n - len(self._buf), 16384)
            chunk = self._io(lambda: self.sock.recv(want), deadline, False)
            if not chunk:
                raise ConnectionClosed("connection closed by peer")
            self._buf += chunk
        data = bytes(self._buf[:n])
        del self._buf[:n]
        return data

    def send_text(self, text):
        self._send_frame(OP_TEXT, text.encode("utf-8"))

    def send_binary(self, data):
        self._send_frame(OP_BINARY, data)

    def _read_frame(self, deadline):
        """One frame as (fin, opcode, payload); control frames are handled
        here (ping answered, pong counted, close raises)."""
        b0, b1 = self._recv_exact(2, deadline)
        # A started frame gets a little extra time to complete.
        frame_deadline = max(deadline, time.monotonic() + 5.0)
        if b1 & 0x80:
            raise ConnectionClosed("server sent a masked frame")
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._recv_exact(2, frame_deadline))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._recv_exact(8, frame_deadline))[0]
        if n > MAX_MESSAGE:
            raise ConnectionClosed("frame too large: %d" % n)
        payload = self._recv_exact(n, frame_deadline)
        opcode = b0 & 0x0F
        if opcode == OP_PING:
            self._send_frame(OP_PONG, payload)
            self.pings_answered += 1
        elif opcode == OP_PONG:
            self.pongs.append(payload)
        elif opcode == OP_CLOSE:
            self.closed = True
            raise ConnectionClosed("close frame received")
        return bool(b0 & 0x80), opcode, payload

    def recv(self, timeout):
        """Next data message as (opcode, bytes); answers pings on the way.
        Raises socket.timeout when nothing arrives within timeout."""
        deadline = time.monotonic() + timeout
        fragments = []
        first_opcode = None
        while True:
            if time.monotonic() >= deadline:
                raise socket.timeout("no WebSocket message within %.1fs"
                                     % timeout)
            fin, opcode, payload = self._read_frame(deadline)
            if opcode in (OP_PING, OP_PONG):
                continue
            if opcode in (OP_TEXT, OP_BINARY):
                first_opcode = opcode
                fragments = [payload]
            elif opcode == OP_CONT and first_opcode is not None:
                fragments.append(payload)
            else:
                raise ConnectionClosed("unexpected opcode %d" % opcode)
            if fin:
                return first_opcode, b"".join(fragments)

    def ping(self, payload, timeout=5.0):
        """Send a WebSocket Ping and wait for the Pong carrying payload
        (only without a reader thread; data messages meanwhile are an
        error).  Returns the seconds it took."""
        start = time.monotonic()
        deadline = start + timeout
        self._send_frame(OP_PING, payload)
        while payload not in self.pongs:
            _, opcode, _ = self._read_frame(deadline)
            if opcode not in (OP_PING, OP_PONG):
                raise ConnectionClosed("data frame while waiting for Pong")
        self.pongs.remove(payload)
        return time.monotonic() - start

    def _release(self):
        """Wake a thread blocked in recv() and close the descriptor only
        once it is gone: closing first would let the next socket reuse the
        descriptor number under that thread, which then steals its bytes."""
        try:
            # The plain-socket shutdown works on the descriptor only and
            # leaves the TLS object alone.
            socket.socket.shutdown(self.sock, socket.SHUT_RDWR)
        except OSError:
            pass
        reader = self.reader_thread
        if reader is not None and reader is not threading.current_thread():
            reader.join(5.0)
        self.sock.close()

    def close(self):
        """Send a close frame and close the connection."""
        if self.closed:
            return
        self.closed = True
        try:
            self._send_frame(OP_CLOSE, struct.pack("!H", 1000))
        except OSError:
            pass
        self._release()

    def abort(self):
        """Drop the TCP connection without a close handshake (a dead flow)."""
        if self.closed:
            return
        self.closed = True
        self._release()


# ---------------------------------------------------------------- SIP -----

_COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact",
            "l": "content-length", "c": "content-type", "k": "supported"}


class SipMessage:
    """A parsed SIP request or response."""

    def __init__(self, first_line, headers, body):
        self.first_line = first_line
        self.headers = headers  # list of (name, value), original order
        self.body = body
        parts = first_line.split(" ", 2)
        if first_line.startswith("SIP/2.0 "):
            self.is_request = False
            self.status = int(parts[1])
            self.reason = parts[2] if len(parts) > 2 else ""
            self.method = None
            self.uri = None
        else:
            self.is_request = True
            self.method, self.uri = parts[0], parts[1]
            self.status = None
            self.reason = None

    @classmethod
    def parse(cls, data):
        text = data.decode("utf-8")
        head, _, body = text.partition("\r\n\r\n")
        lines = head.split("\r\n")
        headers = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and headers:
                name, value = headers[-1]
                headers[-1] = (name, value + " " + line.strip())
                continue
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        return cls(lines[0], headers, body)

    def all(self, name):
        name = name.lower()
        out = []
        for hname, value in self.headers:
            h = hname.lower()
            if _COMPACT.get(h, h) == name:
                out.append(value)
        return out

    def get(self, name, default=None):
        values = self.all(name)
        return values[0] if values else default

    def cseq(self):
        number, method = self.get("cseq", "0 X").split()
        return int(number), method

    def __str__(self):
        return self.first_line


def _params(header_value):
    """key=value / key="value" pairs of an auth header (after the scheme)."""
    return {k.lower(): v1 if v1 else v2 for k, v1, v2 in re.findall(
        r'([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))',
        header_value)}


def digest_authorization(challenge, method, uri, user, password, nc=1):
    """Authorization header value answering a Digest challenge (RFC 7616:
    MD5 or SHA-256, qop=auth or no qop)."""
    scheme, _, rest = challenge.partition(" ")
    if scheme.lower() != "digest":
        raise ValueError("not a Digest challenge: " + challenge)
    p = _params(rest)
    algorithm = p.get("algorithm", "MD5")
    hfunc = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}.get(
        algorithm.upper())
    if hfunc is None:
        raise ValueError("unsupported digest algorithm " + algorithm)

    def h(s):
        return hfunc(s.encode()).hexdigest()

    realm, nonce = p["realm"], p["nonce"]
    ha1 = h("%s:%s:%s" % (user, realm, password))
    ha2 = h("%s:%s" % (method, uri))
    fields = ['username="%s"' % user, 'realm="%s"' % realm,
              'nonce="%s"' % nonce, 'uri="%s"' % uri]
    qops = [q.strip() for q in p.get("qop", "").split(",") if q.strip()]
    if "auth" in qops:
        cnonce = secrets.token_hex(8)
        ncs = "%08x" % nc
        response = h("%s:%s:%s:%s:auth:%s" % (ha1, nonce, ncs, cnonce, ha2))
        fields += ["qop=auth", "nc=" + ncs, 'cnonce="%s"' % cnonce]
    else:
        response = h("%s:%s:%s" % (ha1, nonce, ha2))
    fields.append('response="%s"' % response)
    fields.append("algorithm=" + algorithm)
    if "opaque" in p:
        fields.append('opaque="%s"' % p["opaque"])
    return "Digest " + ", ".join(fields)


def uri_of(name_addr):
    """The URI inside a name-addr ("<sip:x@y;p>;tag=..." -> "sip:x@y;p")."""
    m = re.search(r"<([^>]*)>", name_addr)
    if m:
        return m.group(1)
    return name_addr.split(";", 1)[0].strip()


def tag_of(name_addr):
    m = re.search(r";\s*tag=([^;\s]+)", name_addr.rsplit(">", 1)[-1])
    return m.group(1) if m else None


class Dialog:
    """Dialog state (RFC 3261 12.1) for in-dialog requests in tests."""

    def __init__(self, call_id, local_tag, remote_tag, remote_uri,
                 remote_target, route_set, local_cseq):
        self.call_id = call_id
        self.local_tag = local_tag
        self.remote_tag = remote_tag
        self.remote_uri = remote_uri
        self.remote_target = remote_target
        self.route_set = route_set
        self.local_cseq = local_cseq

    @classmethod
    def as_uac(cls, request_to_uri, call_id, from_tag, cseq, response):
        rr = []
        for value in response.all("record-route"):
            rr += [v.strip() for v in value.split(",")]
        return cls(call_id, from_tag, tag_of(response.get("to")),
                   request_to_uri, uri_of(response.get("contact")),
                   list(reversed(rr)), cseq)

    @classmethod
    def as_uas(cls, request, local_tag, local_cseq=0):
        rr = []
        for value in request.all("record-route"):
            rr += [v.strip() for v in value.split(",")]
        return cls(request.get("call-id"), local_tag,
                   tag_of(request.get("from")), uri_of(request.get("from")),
                   uri_of(request.get("contact")), rr, local_cseq)


class SipEndpoint:
    """One SIP user agent on one WebSocket, as RFC 7118 Appendix B does it:
    <token>.invalid in Via and Contact, Outbound REGISTER (+sip.instance,
    reg-id, Supported: outbound), every request and response on this flow.

    A reader thread queues incoming messages; responses are matched by
    Call-ID and CSeq, requests are handed out by wait_request().
    """

    def __init__(self, ws, user, domain, password=None, secure=True):
        self.ws = ws
        self.user = user
        self.domain = domain
        self.password = password
        self.transport = "WSS" if secure else "WS"
        self.via_host = secrets.token_hex(6) + ".invalid"
        self.contact_uri = "sip:%s@%s;transport=ws" % (
            secrets.token_hex(4), self.via_host)
        self.instance = "<urn:uuid:%s>" % uuid.uuid4()
        self.aor = "sip:%s@%s" % (user, domain)
        self.from_tag = secrets.token_hex(5)
        self.reg_call_id = secrets.token_hex(10)
        self.cseq = 0
        self._responses = queue.Queue()
        self._requests = queue.Queue()
        self._pending = []
        self.error = None
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        ws.reader_thread = self._reader
        self._reader.start()

    def _read_loop(self):
        while True:
            try:
                _, data = self.ws.recv(timeout=3600)
            except (ConnectionClosed, OSError, ValueError) as e:
                self.error = e
                self._responses.put(None)
                self._requests.put(None)
                return
            if data in (b"\r\n", b"\r\n\r\n"):
                if data == b"\r\n\r\n":
                    self.ws.send_text("\r\n")
                continue
            msg = SipMessage.parse(data)
            (self._requests if msg.is_request else self._responses).put(msg)

    def close(self):
        self.ws.close()

    # ----- building -----

    def new_branch(self):
        return "z9hG4bK" + secrets.token_hex(8)

    def build_request(self, method, ruri, to_uri, call_id, cseq, from_tag,
                      to_tag=None, headers=(), body="", route=(),
                      from_uri=None):
        lines = ["%s %s SIP/2.0" % (method, ruri),
                 "Via: SIP/2.0/%s %s;branch=%s;rport"
                 % (self.transport, self.via_host, self.new_branch()),
                 "Max-Forwards: 70"]
        lines += ["Route: " + r for r in route]
        lines += ["From: <%s>;tag=%s" % (from_uri or self.aor, from_tag),
                  "To: <%s>%s" % (to_uri, ";tag=" + to_tag if to_tag else ""),
                  "Call-ID: " + call_id,
                  "CSeq: %d %s" % (cseq, method)]
        lines += list(headers)
        if body:
            lines.append("Content-Length: %d" % len(body.encode()))
        else:
            lines.append("Content-Length: 0")
        return "\r\n".join(lines) + "\r\n\r\n" + body

    def send_raw(self, text):
        self.ws.send_text(text)

    def _next(self, q, deadline, what):
        """Next message from queue q before deadline; TimeoutError, or
        ConnectionClosed once the reader has stopped."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no %s in time" % what)
        try:
            msg = q.get(timeout=remaining)
        except queue.Empty:
            raise TimeoutError("no %s in time" % what) from None
        if msg is None:
            q.put(None)  # keep the end marker for later callers
            raise ConnectionClosed("flow closed: %s" % self.error)
        return msg

    def wait_response(self, call_id, cseq, timeout=5.0, final=True):
        """Next response for (call_id, cseq); with final, provisional ones
        are skipped.  Responses of other transactions are kept for their
        own callers.  Raises TimeoutError."""
        deadline = time.monotonic() + timeout
        what = "response to CSeq %d (%s)" % (cseq, call_id)
        while True:
            for msg in list(self._pending):
                if msg.get("call-id") != call_id or msg.cseq()[0] != cseq:
                    continue
                self._pending.remove(msg)
                if not final or msg.status >= 200:
                    return msg
            self._pending.append(self._next(self._responses, deadline, what))

    def wait_request(self, method=None, timeout=5.0):
        """Next incoming request (of method, if given).  Raises
        TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            msg = self._next(self._requests, deadline,
                             "%s request" % (method or "SIP"))
            if method is None or msg.method == method:
                return msg

    def respond(self, request, status, reason, to_tag=None, headers=(),
                body=""):
        lines = ["SIP/2.0 %d %s" % (status, reason)]
        lines += ["Via: " + v for v in request.all("via")]
        lines += ["Record-Route: " + r for r in request.all("record-route")]
        lines.append("From: " + request.get("from"))
        to = request.get("to")
        if to_tag and ";tag=" not in to:
            to += ";tag=" + to_tag
        lines.append("To: " + to)
        lines.append("Call-ID: " + request.get("call-id"))
        lines.append("CSeq: " + request.get("cseq"))
        lines += list(headers)
        lines.append("Content-Length: %d" % len(body.encode()))
        self.ws.send_text("\r\n".join(lines) + "\r\n\r\n" + body)

    def send_in_dialog(self, dialog, method, headers=(), body="",
                       cseq=None):
        """Send an in-dialog request (ACK reuses the INVITE CSeq: pass it as
        cseq); returns (call_id, cseq) to wait on."""
        if cseq is None:
            dialog.local_cseq += 1
            cseq = dialog.local_cseq
        text = self.build_request(method, dialog.remote_target,
                                  dialog.remote_uri, dialog.call_id, cseq,
                                  dialog.local_tag, dialog.remote_tag,
                                  headers, body, dialog.route_set)
        self.ws.send_text(text)
        return dialog.call_id, cseq

    # ----- transactions with digest -----

    def request(self, method, ruri, to_uri=None, call_id=None, headers=(),
                body="", from_tag=None, to_tag=None, route=(), auth=True,
                timeout=5.0, from_uri=None):
        """Send a request and return its final response, answering one
        401/407 challenge when auth and a password is set.  from_uri
        overrides the From URI (our AOR), to test identity checks."""
        call_id = call_id or secrets.token_hex(10)
        to_uri = to_uri or ruri
        from_tag = from_tag or secrets.token_hex(5)
        extra = list(headers)
        for attempt in range(2):
            self.cseq += 1
            text = self.build_request(method, ruri, to_uri, call_id,
                                      self.cseq, from_tag, to_tag,
                                      extra, body, route, from_uri)
            self.ws.send_text(text)
            resp = self.wait_response(call_id, self.cseq, timeout)
            if resp.status not in (401, 407) or not auth or attempt == 1 \
                    or self.password is None:
                return resp
            hname = "www-authenticate" if resp.status == 401 \
                else "proxy-authenticate"
            aname = "Authorization" if resp.status == 401 \
                else "Proxy-Authorization"
            extra = [h for h in extra
                     if not h.lower().startswith(aname.lower() + ":")]
            extra.append("%s: %s" % (aname, digest_authorization(
                resp.get(hname), method, ruri, self.user, self.password)))
        return resp

    def register(self, expires=300, outbound=True, auth=True, to_user=None,
                 from_user=None):
        """REGISTER this flow; returns the final response."""
        contact = "<%s>" % self.contact_uri
        if outbound:
            contact += ';+sip.instance="%s";reg-id=1' % self.instance
        contact += ";expires=%d" % expires
        headers = ["Contact: " + contact,
                   "Supported: path, gruu, outbound" if outbound
                   else "Supported: path",
                   "User-Agent: libsipws-testbed-selftest"]
        to_uri = self.aor
        if to_user:
            to_uri = "sip:%s@%s" % (to_user, self.domain)
        from_uri = "sip:%s@%s" % (from_user, self.domain) if from_user \
            else None
        return self.request("REGISTER", "sip:" + self.domain, to_uri=to_uri,
                            call_id=self.reg_call_id, headers=headers,
                            from_tag=self.from_tag, auth=auth,
                            from_uri=from_uri)
