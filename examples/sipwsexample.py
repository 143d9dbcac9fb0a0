"""What the Python examples of libsipws share.

Account options like those of the sipws command-line tool, the account built
from them, registration and unregistration with callback-style async calls,
and a main loop whose run time is bounded.

Every example prints one event per line on stdout and exits 0 on success, or
1 with a one-line reason on stderr ("call.py: the call failed: Busy Here").
The password is read from the SIPWS_PASSWORD environment variable, never from
the command line, where ps(1) would show it.
"""

import argparse
import os
import signal
import sys

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Sipws', '1.0')
from gi.repository import Gio, GLib, Sipws  # noqa: E402

# How long an unregister on the way out may take, in seconds.
UNREGISTER_TIMEOUT = 5


def add_account_options(parser):
    """Adds --server, --aor, --display-name, --auth-user, --ca-file,
    --instance-id and --timeout to an argparse parser."""
    group = parser.add_argument_group('account options')
    group.add_argument('--server', metavar='URI', action='append', required=True,
                       help='WebSocket server (ws:// or wss://); repeat for failover, in order')
    group.add_argument('--aor', metavar='SIP-URI', required=True,
                       help='address of record, such as sip:alice@example.com')
    group.add_argument('--display-name', metavar='NAME')
    group.add_argument('--auth-user', metavar='NAME',
                       help='digest user name (default: the user of the AOR)')
    group.add_argument('--ca-file', metavar='FILE',
                       help='trust the CA certificates in FILE (PEM) for wss:// servers')
    group.add_argument('--instance-id', metavar='UUID',
                       help='RFC 5626 instance UUID (default: a new one)')
    group.add_argument('--timeout', metavar='SECONDS', type=float, default=60,
                       help='give up after SECONDS (default %(default)s)')


def add_media_options(parser):
    """Adds the options of the audio a media session sends and records."""
    group = parser.add_argument_group('media options')
    source = group.add_mutually_exclusive_group()
    source.add_argument('--tone', metavar='HZ', type=float,
                        help='send a sine tone of HZ instead of the microphone')
    source.add_argument('--play', metavar='FILE', help='send the audio of FILE')
    group.add_argument('--record', metavar='FILE', help='record what is heard to FILE (WAV)')
    group.add_argument('--local-address', metavar='ADDRESS', action='append',
                       help='gather ICE candidates on ADDRESS only (repeatable; default: '
                            'SIPWS_LOCAL_ADDRESSES, comma-separated, or every interface)')


def check_media_options(args):
    """Returns why the media options cannot work, or None."""
    if args.tone is not None and not 0 < args.tone <= 20000:
        return f'--tone {args.tone:g} is not a frequency (1-20000 Hz)'
    if args.play is not None and not os.path.isfile(args.play):
        return f'--play {args.play}: no such file'
    return None


def create_account(args):
    """Builds a Sipws.Account from the account options and SIPWS_PASSWORD."""
    account = Sipws.Account.new(args.aor)
    account.set_server_uris(args.server)
    if args.display_name is not None:
        account.props.display_name = args.display_name
    if args.auth_user is not None:
        account.props.auth_username = args.auth_user
    if args.ca_file is not None:
        account.props.tls_ca_file = args.ca_file
    if args.instance_id is not None:
        account.props.instance_id = args.instance_id
    password = os.environ.get('SIPWS_PASSWORD')
    if password:
        account.set_password(password)
    return account


def create_media_session(args, record_file, audio_sink=None):
    """A Sipws.MediaSession that sends what the media options say and
    records received audio to @record_file (a WAV file, or None).

    @audio_sink is a gst-launch description of where received audio is played
    (None: the default output device).
    """
    session = Sipws.MediaSession.new()
    addresses = args.local_address
    if addresses is None and os.environ.get('SIPWS_LOCAL_ADDRESSES'):
        addresses = os.environ['SIPWS_LOCAL_ADDRESSES'].split(',')
    if addresses:
        session.set_local_addresses(addresses)
    if args.tone is not None:
        session.set_send_tone(args.tone)
    elif args.play is not None:
        session.set_play_file(args.play)
    if record_file is not None:
        session.set_record_file(record_file)
    if audio_sink is not None:
        session.set_audio_sink(audio_sink)
    return session


def stats_line(session, stats=None):
    """One line of media statistics: RTP counters, what is heard, codec.

    @stats is a Gst.Structure from Sipws.MediaSession::stats-updated, or
    None for the statistics as they are now."""
    if stats is None:
        stats = session.get_stats()

    def number(getter, name, default):
        found, value = getter(name)
        return value if found else default

    return ('stats packets_sent={} packets_received={} level_db={:.1f} frequency_hz={:.0f} '
            'jitter_ms={:.2f} loss_fraction={:.3f} codec={}').format(
        number(stats.get_uint64, 'packets-sent', 0),
        number(stats.get_uint64, 'packets-received', 0),
        session.props.level,
        session.props.frequency,
        number(stats.get_double, 'jitter-ms', -1),
        number(stats.get_double, 'loss-fraction', 0),
        stats.get_string('codec') or '-')


def nick(value):
    """The nick of a registered enumeration value: 'local-hangup'."""
    return value.value_nick


class Runner:
    """A GLib main loop that ends on success, on failure, at a deadline or on
    SIGINT/SIGTERM, and remembers why it ended."""

    def __init__(self, program):
        self.program = program
        self.loop = GLib.MainLoop()
        self.failure = None

    def fail(self, reason):
        """Ends the loop with a failure; the first reason wins."""
        if self.failure is None:
            self.failure = reason
        self.loop.quit()

    def done(self):
        """Ends the loop."""
        self.loop.quit()

    def run(self, seconds, what):
        """Runs the loop at most @seconds; @what says what was waited for."""
        def deadline():
            self.fail(f'timed out after {seconds:g} s {what}')
            return GLib.SOURCE_REMOVE

        def interrupted():
            self.fail(f'interrupted {what}')
            return GLib.SOURCE_CONTINUE

        sources = [GLib.timeout_add(int(seconds * 1000), deadline),
                   GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, interrupted),
                   GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, interrupted)]
        self.loop.run()
        for source in sources:
            # The deadline source removed itself if it fired.
            if GLib.main_context_default().find_source_by_id(source) is not None:
                GLib.source_remove(source)
        return self.failure is None

    def exit(self, account=None):
        """Unregisters and closes @account, then exits 0, or 1 with the
        reason of the failure on stderr."""
        if account is not None:
            unregister(account)
            account.get_transport().stop()
        if self.failure is not None:
            print(f'{self.program}: {self.failure}', file=sys.stderr, flush=True)
            sys.exit(1)
        sys.exit(0)


def register(account, runner, on_registered):
    """Starts registering @account; calls @on_registered() once the registrar
    accepted it, or fails @runner with the reason."""
    def registered(account, result):
        try:
            account.register_finish(result)
        except GLib.Error as error:
            runner.fail(f'registration failed: {error.message}')
            return
        print(f'registered {account.props.aor} gruu={account.props.gruu}', flush=True)
        on_registered()

    account.register_async(None, registered)


def unregister(account):
    """Removes the registration of @account, waiting at most
    UNREGISTER_TIMEOUT seconds."""
    if account.props.registration_state != Sipws.RegistrationState.REGISTERED:
        return
    loop = GLib.MainLoop()
    cancellable = Gio.Cancellable()

    def unregistered(account, result):
        try:
            account.unregister_finish(result)
            print(f'unregistered {account.props.aor}', flush=True)
        except GLib.Error as error:
            print(f'unregister: {error.message}', file=sys.stderr, flush=True)
        loop.quit()

    def too_long():
        # Cancelling completes the operation at once, with an error.
        cancellable.cancel()
        return GLib.SOURCE_REMOVE

    account.unregister_async(Sipws.UnregisterFlags.NONE, cancellable, unregistered)
    timeout = GLib.timeout_add_seconds(UNREGISTER_TIMEOUT, too_long)
    loop.run()
    if GLib.main_context_default().find_source_by_id(timeout) is not None:
        GLib.source_remove(timeout)


def end_call(call, seconds=UNREGISTER_TIMEOUT):
    """Hangs up @call unless it has ended, and waits at most @seconds for
    the BYE or CANCEL to be answered."""
    if call.props.state == Sipws.CallState.ENDED:
        return
    loop = GLib.MainLoop()

    def state_changed(call, pspec):
        if call.props.state == Sipws.CallState.ENDED:
            loop.quit()

    handler = call.connect('notify::state', state_changed)
    call.hangup()
    if call.props.state != Sipws.CallState.ENDED:
        timeout = GLib.timeout_add_seconds(seconds, loop.quit)
        loop.run()
        if GLib.main_context_default().find_source_by_id(timeout) is not None:
            GLib.source_remove(timeout)
    call.disconnect(handler)


def dtmf_text(digit):
    """The character of a digit of the dtmf-received signal, which passes
    a C char (an int in Python)."""
    return chr(digit) if isinstance(digit, int) else digit


def argument_parser(description):
    """An argparse parser for an example, with the account options."""
    parser = argparse.ArgumentParser(
        description=description,
        epilog='The SIP password is read from the SIPWS_PASSWORD environment variable.')
    add_account_options(parser)
    return parser
