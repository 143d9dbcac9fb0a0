#!/usr/bin/python3
"""libsipws through GObject introspection, from Python (PyGObject).

Runs against the Sipws-1.0 typelib of the build tree (GI_TYPELIB_PATH and
LD_LIBRARY_PATH point at build/libsipws, see tests/gir/meson.build) and
checks what a binding sees: enums and flags registered with their nicks,
GError domains and codes, boxed values that survive round trips, properties
and their notifications, signals and their argument types, async calls with
callbacks (errors, cancellation, a real WebSocket flow to a local server)
and the media session's interface. Network traffic stays on 127.0.0.1.
TAP on stdout.
"""

import base64
import hashlib
import os
import socket
import struct
import sys
import threading

from taplib import Skip, Tap, skip_all

try:
    import gi
    gi.require_version('GLib', '2.0')
    gi.require_version('GObject', '2.0')
    gi.require_version('Gio', '2.0')
    gi.require_version('Gst', '1.0')
    gi.require_version('Sipws', '1.0')
    from gi.repository import Gio, GLib, GObject, Gst, Sipws
except (ImportError, ValueError) as error:
    skip_all(f'the Sipws-1.0 typelib or one it needs cannot be loaded: {error}')

tap = Tap()

# No wait in these tests should come near this; it only bounds a failure.
WAIT_SECONDS = 10


def wait_for(condition, what, seconds=WAIT_SECONDS):
    """Iterates the default main context until condition() is true."""
    context = GLib.MainContext.default()
    timed_out = []
    source = GLib.timeout_add(int(seconds * 1000), lambda: timed_out.append(True) or False)
    while not condition() and not timed_out:
        context.iteration(True)
    if not timed_out:
        GLib.source_remove(source)
    assert condition(), f'timed out after {seconds} s waiting for {what}'


def closed_port():
    """A TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def assert_error(error, quark, code):
    assert isinstance(error, GLib.Error), f'expected a GLib.Error, got {error!r}'
    assert error.matches(quark, code), \
        f'expected {GLib.quark_to_string(quark)} {int(code)}, got {error.domain} {error.code}: {error.message}'


class AsyncResult:
    """Collects what a GAsyncReadyCallback finished with."""

    def __init__(self, finish):
        self.finish = finish
        self.done = False
        self.value = None
        self.error = None

    def __call__(self, source, result):
        try:
            self.value = self.finish(source, result)
        except GLib.Error as error:
            self.error = error
        self.done = True

    def wait(self, what):
        wait_for(lambda: self.done, what)
        return self


class LocalWebSocketServer(threading.Thread):
    """One-connection WebSocket server on 127.0.0.1 that selects the `sip`
    subprotocol, records the SIP messages it receives, answers the first with
    @reply and then drops the TCP connection without a close frame."""

    GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

    def __init__(self, reply):
        super().__init__(daemon=True)
        self.reply = reply
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(1)
        self.listener.settimeout(WAIT_SECONDS)
        self.port = self.listener.getsockname()[1]
        self.request_headers = {}
        self.received = []
        self.failure = None

    def run(self):
        try:
            connection, _ = self.listener.accept()
            with connection:
                connection.settimeout(WAIT_SECONDS)
                self.handshake(connection)
                opcode, payload = self.read_frame(connection)
                while opcode in (0x9, 0xA):   # keepalive pings and pongs
                    if opcode == 0x9:
                        self.send_frame(connection, 0xA, payload)
                    opcode, payload = self.read_frame(connection)
                self.received.append((opcode, payload))
                self.send_frame(connection, 0x1, self.reply)
        except Exception as error:  # noqa: BLE001 -- reported by the test
            self.failure = error
        finally:
            self.listener.close()

    def handshake(self, connection):
        data = b''
        while b'\r\n\r\n' not in data:
            chunk = connection.recv(4096)
            if not chunk:
                raise ConnectionError('the client closed during the handshake')
            data += chunk
        lines = data.split(b'\r\n\r\n')[0].decode('latin-1').split('\r\n')
        self.request_line = lines[0]
        for line in lines[1:]:
            name, _, value = line.partition(':')
            self.request_headers[name.strip().lower()] = value.strip()
        key = self.request_headers['sec-websocket-key']
        accept = base64.b64encode(hashlib.sha1((key + self.GUID).encode()).digest()).decode()
        connection.sendall(('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n'
                            'Connection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n'
                            f'Sec-WebSocket-Accept: {accept}\r\n\r\n').encode())

    @staticmethod
    def read_exactly(connection, size):
        data = b''
        while len(data) < size:
            chunk = connection.recv(size - len(data))
            if not chunk:
                raise ConnectionError('the client closed in the middle of a frame')
            data += chunk
        return data

    def read_frame(self, connection):
        first, second = self.read_exactly(connection, 2)
        assert first & 0x80, 'fragmented frames are not expected here'
        length = second & 0x7F
        if length == 126:
            length = struct.unpack('!H', self.read_exactly(connection, 2))[0]
        elif length == 127:
            length = struct.unpack('!Q', self.read_exactly(connection, 8))[0]
        assert second & 0x80, 'a client frame must be masked (RFC 6455 §5.3)'
        mask = self.read_exactly(connection, 4)
        payload = self.read_exactly(connection, length)
        return first & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

    @staticmethod
    def send_frame(connection, opcode, payload):
        header = bytes([0x80 | opcode])
        if len(payload) < 126:
            header += bytes([len(payload)])
        else:
            header += bytes([126]) + struct.pack('!H', len(payload))
        connection.sendall(header + payload)


class NotifyCounter:
    """Counts notify:: emissions per property name."""

    def __init__(self, instance):
        self.names = []
        instance.connect('notify', lambda obj, pspec: self.names.append(pspec.name))

    def count(self, name):
        return self.names.count(name)


# Registered types

@tap.test
def version_functions_match_the_constants():
    assert (Sipws.get_major_version(), Sipws.get_minor_version(), Sipws.get_micro_version()) == \
        (Sipws.MAJOR_VERSION, Sipws.MINOR_VERSION, Sipws.MICRO_VERSION)
    assert Sipws.VERSION_S == f'{Sipws.MAJOR_VERSION}.{Sipws.MINOR_VERSION}.{Sipws.MICRO_VERSION}'


@tap.test
def enums_and_flags_are_registered_with_nicks():
    for name in ('CallState', 'CallDirection', 'EndReason', 'RegistrationState', 'TransportState',
                 'TransportError', 'MediaState', 'MediaDirection', 'MediaError', 'Error',
                 'UriScheme', 'DigestAlgorithm'):
        gtype = getattr(Sipws, name).__gtype__
        assert gtype.is_a(GObject.TYPE_ENUM), f'Sipws.{name} is not a registered enum'
        assert gtype.name == 'Sipws' + name, gtype.name
        assert GObject.type_from_name(gtype.name) == gtype
    for name in ('UnregisterFlags', 'DigestQop'):
        assert getattr(Sipws, name).__gtype__.is_a(GObject.TYPE_FLAGS), f'Sipws.{name} is not flags'
    assert Sipws.CallState.EARLY_MEDIA.value_nick == 'early-media'
    assert Sipws.EndReason.LOCAL_HANGUP.value_nick == 'local-hangup'
    assert Sipws.TransportState.WAITING_TO_RETRY.value_nick == 'waiting-to-retry'
    both = Sipws.DigestQop.AUTH | Sipws.DigestQop.AUTH_INT
    assert both & Sipws.DigestQop.AUTH_INT and isinstance(both, Sipws.DigestQop)


# Errors

@tap.test
def parse_errors_are_sipws_errors_with_precise_codes():
    cases = [
        (lambda: Sipws.Message.parse(b'INVITE sip:bob@example.com SIP/2.0'), Sipws.Error.PARSE),
        (lambda: Sipws.Message.parse(b'INVITE sip:bob@example.com SIP/3.0\r\n\r\n'),
         Sipws.Error.UNSUPPORTED_VERSION),
        (lambda: Sipws.Message.parse_full(GLib.Bytes.new(b'OPTIONS sip:x SIP/2.0\r\nVia: x\r\n\r\n'),
                                          10, 0, 0), Sipws.Error.MESSAGE_TOO_LARGE),
        (lambda: Sipws.Uri.parse('sip:', -1), Sipws.Error.PARSE),
        (lambda: Sipws.Address.parse('"Alice <sip:alice@example.com>', -1), Sipws.Error.PARSE),
    ]
    for parse, code in cases:
        try:
            parse()
        except GLib.Error as error:
            assert error.domain == 'sipws-error-quark', error.domain
            assert_error(error, Sipws.error_quark(), code)
            assert error.message, 'an error message must say what and where'
        else:
            raise AssertionError(f'no error for the case expecting {code.value_nick}')
    try:
        Sipws.Message.parse(b'INVITE sip:bob@example.com SIP/3.0\r\n\r\n')
    except GLib.Error as error:
        assert 'SIP/3.0' in error.message and 'column' in error.message, error.message


@tap.test
def error_domains_have_their_quarks():
    assert GLib.quark_to_string(Sipws.error_quark()) == 'sipws-error-quark'
    assert GLib.quark_to_string(Sipws.transport_error_quark()) == 'sipws-transport-error-quark'
    assert GLib.quark_to_string(Sipws.media_error_quark()) == 'sipws-media-error-quark'


# Boxed values

@tap.test
def uri_round_trips_and_compares():
    uri = Sipws.Uri.parse('sip:alice@Example.COM:5060;transport=ws;lr?subject=hi', -1)
    assert uri.get_scheme() == Sipws.UriScheme.SIP and uri.get_scheme_name() == 'sip'
    assert (uri.get_user(), uri.get_host(), uri.get_port()) == ('alice', 'Example.COM', 5060)
    assert uri.get_param('transport') == 'ws' and uri.has_param('lr') and not uri.has_param('maddr')
    assert uri.get_param_names() == ['transport', 'lr']
    assert uri.get_header('subject') == 'hi'
    again = Sipws.Uri.parse(uri.to_string(), -1)
    assert again.equal(uri) and again.hash() == uri.hash()
    assert Sipws.Uri.parse('sip:alice@EXAMPLE.com', -1).equal(Sipws.Uri.parse('sip:alice@example.com', -1))
    assert not Sipws.Uri.parse('sip:Alice@example.com', -1).equal(Sipws.Uri.parse('sip:alice@example.com', -1))
    copy = uri.copy()
    copy.set_param('maddr', '192.0.2.1')
    assert copy.has_param('maddr') and not uri.has_param('maddr'), 'a copy must not share its parameters'
    assert Sipws.Uri.new(Sipws.UriScheme.SIPS, 'bob', 'example.org', 0).to_string() == 'sips:bob@example.org'


@tap.test
def address_round_trips():
    address = Sipws.Address.parse('"Alice Liddell" <sip:alice@example.com>;tag=88sja8x', -1)
    assert address.get_display_name() == 'Alice Liddell' and address.get_tag() == '88sja8x'
    uri = address.get_uri()
    assert isinstance(uri, Sipws.Uri) and uri.get_user() == 'alice'
    again = Sipws.Address.parse(address.to_string(), -1)
    assert again.get_display_name() == 'Alice Liddell' and again.get_uri().equal(uri)
    built = Sipws.Address.new('Bob', Sipws.Uri.parse('sip:bob@example.com', -1))
    built.set_param('tag', 'xyz')
    parsed = Sipws.Address.parse(built.to_string(), -1)
    assert (parsed.get_display_name(), parsed.get_tag(), parsed.get_uri().get_user()) == ('Bob', 'xyz', 'bob')


@tap.test
def message_is_built_serialized_and_parsed_back():
    target = Sipws.Uri.parse('sip:bob@example.com', -1)
    request = Sipws.Message.new_request('MESSAGE', target)
    request.set_header('Via', 'SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7')
    request.set_header('From', '<sip:alice@example.com>;tag=1928301774')
    request.set_header('To', '<sip:bob@example.com>')
    request.set_header('Call-ID', 'a84b4c76e66710')
    request.set_header('CSeq', '1 MESSAGE')
    request.set_header('Max-Forwards', '70')
    request.add_header('Route', '<sip:p1.example.com;lr>')
    request.add_header('Route', '<sip:p2.example.com;lr>')
    request.set_body('text/plain', GLib.Bytes.new('héllo'.encode()))
    wire = request.to_bytes()
    assert isinstance(wire, GLib.Bytes)
    assert b'\r\nContent-Length: 6\r\n' in wire.get_data(), wire.get_data()

    parsed = Sipws.Message.parse_bytes(wire)
    assert parsed.is_request() and parsed.get_method() == 'MESSAGE'
    assert parsed.get_request_uri().equal(target)
    assert parsed.get_header('f') == '<sip:alice@example.com>;tag=1928301774', 'compact form of From'
    assert parsed.get_header_values('route') == ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']
    assert parsed.count_headers('Route') == 2
    assert parsed.get_cseq() == (True, 1, 'MESSAGE')
    assert parsed.get_from().get_tag() == '1928301774'
    assert parsed.get_top_via().get_branch() == 'z9hG4bKnashds7'
    assert parsed.get_body().get_data() == 'héllo'.encode() and parsed.get_content_length() == 6
    assert parsed.get_content_type() == 'text/plain'

    response = parsed.new_response_for_request(486, None)
    assert not response.is_request() and response.get_status_code() == 486
    assert response.get_reason_phrase() == 'Busy Here' == Sipws.Message.get_default_reason(486)
    assert response.get_call_id() == 'a84b4c76e66710'


@tap.test
def via_parses_the_websocket_transport():
    via = Sipws.Via.parse(b'SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7;rport')
    assert (via.get_protocol_name(), via.get_transport(), via.get_host()) == ('SIP', 'WSS', 'df7jal23ls0d.invalid')
    assert via.get_branch() == 'z9hG4bKnashds7' and via.has_magic_cookie() and via.has_param('rport')


@tap.test
def lists_are_peeked_as_arrays():
    msg = Sipws.Message.parse(b'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/WS h1;branch=z9hG4bK1, SIP/2.0/WSS h2\r\n'
                              b'Route: <sip:p1;lr>, <sip:p2;lr>\r\n\r\n')
    assert [via.get_host() for via in msg.peek_vias()] == ['h1', 'h2']
    assert [a.get_uri().get_host() for a in msg.peek_addresses('route')] == ['p1', 'p2']
    assert msg.peek_addresses('Record-Route') == [] and msg.peek_addresses('From') == []
    route = Sipws.HeaderName.ROUTE
    assert [a.get_uri().get_host() for a in msg.peek_addresses_by_id(route)] == ['p1', 'p2']
    assert msg.get_header_by_id(Sipws.HeaderName.VIA) == 'SIP/2.0/WS h1;branch=z9hG4bK1, SIP/2.0/WSS h2'
    assert not msg.has_token_by_id(Sipws.HeaderName.SUPPORTED, 'timer')


@tap.test
def call_options_hold_headers_and_a_media_handler():
    options = Sipws.CallOptions.new()
    assert options.get_max_redirects() == Sipws.CALL_OPTIONS_DEFAULT_MAX_REDIRECTS
    options.add_header('Subject', 'lunch')
    options.add_header('Subject', 'dinner')
    assert options.get_header_names() == ['Subject'] and options.get_header('Subject') == 'dinner'
    options.set_max_redirects(0)
    assert options.get_max_redirects() == 0
    session = Sipws.MediaSession.new()
    options.set_media_handler(session)
    assert options.get_media_handler() is session


@tap.test
def digest_math_matches_rfc_2617():
    ha1 = Sipws.digest_compute_ha1(Sipws.DigestAlgorithm.MD5, 'Mufasa', 'testrealm@host.com',
                                   'Circle Of Life', None, None)
    assert ha1 == '939e7578ed9e3c518a452acee763bce9', ha1
    response = Sipws.digest_compute_response(Sipws.DigestAlgorithm.MD5, 'Mufasa', 'testrealm@host.com',
                                             'Circle Of Life', 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
                                             '00000001', '0a4f113b', Sipws.DigestQop.AUTH, 'GET',
                                             '/dir/index.html', None)
    assert response == '6629fae49393a05397450978507c4ef1', response
    challenge = Sipws.AuthChallenge.parse('Digest realm="testrealm@host.com", qop="auth,auth-int", '
                                          'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
                                          'opaque="5ccc069c403ebaf9f0171e9517f40e41"')
    assert challenge.get_realm() == 'testrealm@host.com'
    assert challenge.get_algorithm() == Sipws.DigestAlgorithm.MD5
    assert challenge.get_qop_options() == Sipws.DigestQop.AUTH | Sipws.DigestQop.AUTH_INT


@tap.test
def redaction_masks_secrets():
    text = Sipws.redact_sip_message(b'REGISTER sip:example.com SIP/2.0\r\n'
                                    b'Authorization: Digest username="alice", response="6629fae4", nonce="n1"\r\n'
                                    b'Cookie: sid=0123abcd\r\n\r\n')
    assert '6629fae4' not in text and '0123abcd' not in text and 'username="alice"' in text, text
    assert 'abc123' not in Sipws.redact_uri('wss://sip.example.com/sip?token=abc123')
    assert Sipws.redact_is_secret_header('proxy-authorization') and not Sipws.redact_is_secret_header('From')


# Properties and signals

@tap.test
def account_properties_notify_once_per_change():
    account = Sipws.Account(aor='sip:alice@example.com')
    assert account.get_aor() == 'sip:alice@example.com' == account.props.aor
    notified = NotifyCounter(account)
    account.props.display_name = 'Alice'
    account.props.display_name = 'Alice'
    account.set_display_name('Alice L.')
    assert notified.count('display-name') == 2, notified.names
    assert account.get_display_name() == 'Alice L.'
    account.set_server_uris(['wss://a.example.com/', 'wss://b.example.com/'])
    assert account.props.server_uris == ['wss://a.example.com/', 'wss://b.example.com/']
    account.props.registration_expires = 120
    assert account.get_registration_expires() == 120 and notified.count('registration-expires') == 1
    assert notified.count('server-uris') == 1, notified.names

    assert account.find_property('aor').flags & GObject.ParamFlags.CONSTRUCT_ONLY
    for read_only in ('registration-state', 'gruu', 'transport', 'registration-error'):
        assert not account.find_property(read_only).flags & GObject.ParamFlags.WRITABLE, read_only
    try:
        account.props.registration_state = Sipws.RegistrationState.REGISTERED
    except TypeError:
        pass
    else:
        raise AssertionError('registration-state must not be writable')
    assert account.find_property('password') is None, 'secrets are never properties'
    assert account.props.registration_state == Sipws.RegistrationState.UNREGISTERED
    assert account.props.transport is account.get_transport()
    assert isinstance(account.props.transport, Sipws.Transport)


@tap.test
def transport_properties_and_defaults():
    transport = Sipws.Transport.new(['ws://127.0.0.1:5060/'])
    assert transport.props.state == Sipws.TransportState.DISCONNECTED and not transport.props.secure
    notified = NotifyCounter(transport)
    transport.props.extra_headers = ['X-Tenant: blue']
    transport.props.keepalive_interval = 10000
    transport.props.keepalive_interval = 10000
    assert transport.props.extra_headers == ['X-Tenant: blue']
    assert notified.count('keepalive-interval') == 1 and notified.count('extra-headers') == 1, notified.names


@tap.test
def signals_have_their_argument_types():
    def types(name, owner):
        # Signals exist once the class is initialized; no Sipws.Call has been
        # created in this process, so reference its class first.
        GObject.TypeClass.ref(owner.__gtype__)
        query = GObject.signal_query(name, owner)
        assert query is not None and query.signal_id != 0, f'{owner.__name__}::{name} is not registered'
        return [GObject.type_name(t) for t in query.param_types], GObject.type_name(query.return_type)

    assert types('incoming-call', Sipws.Account) == (['SipwsCall'], 'void')
    assert types('message-received', Sipws.Account) == (['gchararray', 'gchararray', 'GBytes'], 'void')
    assert types('create-media-handler', Sipws.Account) == (['SipwsCall'], 'SipwsMediaHandler')
    assert types('dtmf-received', Sipws.Call) == (['gchar', 'guint'], 'void')
    assert types('message-received', Sipws.Transport) == (['GBytes'], 'void')
    assert types('flow-failed', Sipws.Transport) == (['GError'], 'void')
    assert types('audio-level', Sipws.MediaSession) == (['gdouble', 'gdouble'], 'void')
    assert types('stats-updated', Sipws.MediaSession) == (['GstStructure'], 'void')


@tap.test
def signals_marshal_python_values():
    account = Sipws.Account.new('sip:alice@example.com')
    received = []
    account.connect('message-received', lambda *args: received.append(args[1:]))
    account.emit('message-received', 'sip:bob@example.com', 'text/plain', GLib.Bytes.new(b'hi'))
    assert len(received) == 1
    sender, content_type, body = received[0]
    assert (sender, content_type, body.get_data()) == ('sip:bob@example.com', 'text/plain', b'hi')

    # create-media-handler returns an object to C (transfer full).
    session = Sipws.MediaSession.new()
    account.connect('create-media-handler', lambda account, call: session)
    assert account.emit('create-media-handler', None) is session
    assert session.ref_count >= 1


# Async calls with callbacks

@tap.test
def register_async_fails_with_a_transport_error():
    account = Sipws.Account.new('sip:alice@127.0.0.1')
    account.set_server_uris([f'ws://127.0.0.1:{closed_port()}/'])
    states = []
    account.connect('notify::registration-state', lambda a, p: states.append(a.props.registration_state))
    result = AsyncResult(lambda account, res: account.register_finish(res))
    account.register_async(None, result)
    assert not result.done, 'an async callback must not run before the call returns'
    result.wait('register_async to call back')
    assert_error(result.error, Sipws.error_quark(), Sipws.Error.TRANSPORT)
    assert 'Connection refused' in result.error.message or 'connect' in result.error.message.lower(), \
        result.error.message
    assert states and states[0] == Sipws.RegistrationState.REGISTERING, states
    account.get_transport().stop()


@tap.test
def transport_connect_async_reports_the_transport_error_domain():
    transport = Sipws.Transport.new([f'ws://127.0.0.1:{closed_port()}/'])
    result = AsyncResult(lambda transport, res: transport.connect_finish(res))
    transport.connect_async(None, result)
    result.wait('connect_async to call back')
    assert_error(result.error, Sipws.transport_error_quark(), Sipws.TransportError.CONNECT)
    assert transport.get_last_error() is not None
    transport.stop()
    assert transport.props.state == Sipws.TransportState.DISCONNECTED


@tap.test
def cancelling_register_async_calls_back_with_cancelled():
    # A server that accepts the TCP connection and never answers the handshake.
    with socket.socket() as silent:
        silent.bind(('127.0.0.1', 0))
        silent.listen(1)
        account = Sipws.Account.new('sip:alice@127.0.0.1')
        account.set_server_uris([f'ws://127.0.0.1:{silent.getsockname()[1]}/'])
        cancellable = Gio.Cancellable()
        result = AsyncResult(lambda account, res: account.register_finish(res))
        account.register_async(cancellable, result)
        GLib.timeout_add(200, lambda: cancellable.cancel() or False)
        result.wait('the cancelled register_async to call back')
        assert_error(result.error, Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
        account.get_transport().stop()


@tap.test
def transport_flow_sends_receives_and_reports_its_failure():
    reply = (b'SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS x.invalid;branch=z9hG4bK1\r\nCall-ID: c1\r\n'
             b'CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n')
    server = LocalWebSocketServer(reply)
    server.start()
    transport = Sipws.Transport.new([f'ws://127.0.0.1:{server.port}/'])
    states = []
    transport.connect('notify::state', lambda t, p: states.append(t.props.state))
    messages = []
    transport.connect('message-received', lambda t, message: messages.append(message.get_data()))
    failures = []
    transport.connect('flow-failed', lambda t, error: failures.append(error))

    connected = AsyncResult(lambda transport, res: transport.connect_finish(res))
    transport.connect_async(None, connected)
    connected.wait('the WebSocket flow')
    assert connected.error is None and connected.value is True, connected.error
    assert states == [Sipws.TransportState.CONNECTING, Sipws.TransportState.CONNECTED], states
    assert transport.props.subprotocol == 'sip' and not transport.props.secure
    assert server.request_headers.get('sec-websocket-protocol') == 'sip', server.request_headers

    options = (b'OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WSS x.invalid;branch=z9hG4bK1\r\n'
               b'Call-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n')
    assert transport.send(GLib.Bytes.new(options))
    wait_for(lambda: messages, 'the reply')
    assert messages == [reply], messages
    server.join(WAIT_SECONDS)
    assert server.failure is None, server.failure
    assert server.received == [(0x1, options)], 'one SIP message is one text frame'

    # The server dropped the connection: the flow failure carries a GError.
    wait_for(lambda: failures, 'flow-failed')
    assert_error(failures[0], Sipws.transport_error_quark(), Sipws.TransportError.CLOSED)
    transport.stop()
    assert transport.props.state == Sipws.TransportState.DISCONNECTED
    try:
        transport.send(GLib.Bytes.new(options))
    except GLib.Error as error:
        assert_error(error, Sipws.transport_error_quark(), Sipws.TransportError.NOT_CONNECTED)
    else:
        raise AssertionError('send() on a stopped transport must fail')


@tap.test
def call_to_an_invalid_target_ends_with_its_reason():
    account = Sipws.Account.new('sip:alice@127.0.0.1')
    account.set_server_uris([f'ws://127.0.0.1:{closed_port()}/'])
    call = account.call('not a SIP address', None)
    assert call.props.direction == Sipws.CallDirection.OUTGOING
    wait_for(lambda: call.props.state == Sipws.CallState.ENDED, 'the call to end')
    assert call.props.end_reason == Sipws.EndReason.INVALID_TARGET, call.props.end_reason
    account.get_transport().stop()


@tap.test
def media_session_builds_an_offer_through_the_interface():
    if Gst.ElementFactory.find('webrtcbin') is None:
        raise Skip('GStreamer webrtcbin is not installed')
    session = Sipws.MediaSession.new()
    assert isinstance(session, Sipws.MediaHandler)
    assert session.props.media_state == Sipws.MediaState.NEW
    states = []
    session.connect('notify::media-state', lambda s, p: states.append(s.props.media_state))
    session.set_local_addresses(['127.0.0.1'])
    session.props.send_tone = 440.0
    offer = AsyncResult(lambda session, res: session.create_offer_finish(res))
    session.create_offer_async(None, offer)
    offer.wait('the SDP offer')
    assert offer.error is None, offer.error
    sdp = offer.value
    assert 'm=audio ' in sdp and 'a=rtpmap:111 opus/48000/2' in sdp and 'telephone-event' in sdp, sdp
    assert ' 127.0.0.1 ' in sdp and session.get_local_sdp() == sdp
    session.close()
    assert session.props.media_state == Sipws.MediaState.CLOSED
    assert states[0] == Sipws.MediaState.NEGOTIATING and states[-1] == Sipws.MediaState.CLOSED, states
    try:
        session.send_dtmf(ord('5'), 100)
    except GLib.Error as error:
        assert_error(error, Sipws.media_error_quark(), Sipws.MediaError.NOT_SENDING)
    else:
        raise AssertionError('DTMF on a closed session must fail')


if __name__ == '__main__':
    if not os.environ.get('GI_TYPELIB_PATH'):
        print('# GI_TYPELIB_PATH is not set: testing the installed typelib', flush=True)
    sys.exit(tap.run())
