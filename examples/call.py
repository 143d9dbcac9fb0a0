#!/usr/bin/python3
"""Register, place a call, print its progress, send DTMF and hang up.

    SIPWS_PASSWORD=alice-secret ./call.py --server wss://pbx.example.com/ \\
        --aor sip:alice@example.com --tone 880 --dtmf 123 --duration 5 \\
        sip:bob@example.com

prints one event per line on stdout:

    registered sip:alice@example.com gruu=sip:alice@example.com;gr=urn:uuid:...
    state calling
    state ringing
    state active
    dtmf-sent 123
    stats packets_sent=50 packets_received=50 level_db=-13.5 frequency_hz=440 ...
    state ending
    stats ...
    state ended reason=local-hangup status=0 duration=5 message=Hung up
    unregistered sip:alice@example.com

and exits 0 when the call was answered and ended by a hang-up (ours after
--duration seconds, or the peer's), 1 otherwise with the reason on stderr.
The whole run takes at most --timeout seconds.
"""

import sys

from sipwsexample import (GLib, Runner, Sipws, add_media_options, argument_parser,
                          check_media_options, create_account, create_media_session,
                          dtmf_text, end_call, nick, register, stats_line)


class CallExample:
    def __init__(self, args, account, runner):
        self.args = args
        self.account = account
        self.runner = runner
        self.call = None
        self.was_active = False
        self.dtmf_pending = args.dtmf
        self.sources = []

    def create_media_handler(self, account, call):
        # Every call of the account gets a new media session (the signal's
        # return value is transferred to the call).
        return create_media_session(self.args, self.args.record)

    def start(self):
        self.call = self.account.call(self.args.target, None)
        self.call.connect('notify::state', self.state_changed)
        self.call.connect('dtmf-received', self.dtmf_received)
        # The call starts in the calling state (or has already ended, for a
        # target that is not a SIP address): no notification tells it.
        self.state_changed(self.call, None)

    def state_changed(self, call, pspec):
        state = call.props.state
        if state == Sipws.CallState.ENDED:
            self.ended()
            return
        print(f'state {nick(state)}', flush=True)
        if state == Sipws.CallState.ACTIVE and not self.was_active:
            self.was_active = True
            media = call.props.media_session
            if isinstance(media, Sipws.MediaSession):
                media.connect('stats-updated', self.stats_updated)
            # The media session holds digits until the peer can decrypt them.
            self.send_dtmf()
            self.sources.append(GLib.timeout_add_seconds(self.args.duration, self.hang_up))

    def ended(self):
        call = self.call
        media = call.props.media_session
        if self.was_active and isinstance(media, Sipws.MediaSession):
            print(stats_line(media), flush=True)
        print(f'state ended reason={nick(call.props.end_reason)} status={call.props.end_status} '
              f'duration={call.props.duration} message={call.props.end_message or ""}', flush=True)
        for source in self.sources:
            if GLib.main_context_default().find_source_by_id(source) is not None:
                GLib.source_remove(source)
        hung_up = call.props.end_reason in (Sipws.EndReason.LOCAL_HANGUP,
                                            Sipws.EndReason.REMOTE_HANGUP)
        if self.was_active and hung_up:
            self.runner.done()
        else:
            self.runner.fail(f'the call failed: {call.props.end_message or "no reason given"} '
                             f'({nick(call.props.end_reason)})')

    def stats_updated(self, session, stats):
        print(stats_line(session, stats), flush=True)

    def send_dtmf(self):
        if self.dtmf_pending:
            digits, self.dtmf_pending = self.dtmf_pending, None
            try:
                self.call.send_dtmf(digits)
                print(f'dtmf-sent {digits}', flush=True)
            except GLib.Error as error:
                self.runner.fail(f'DTMF not sent: {error.message}')

    def dtmf_received(self, call, digit, duration_ms):
        print(f'dtmf-received {dtmf_text(digit)} duration_ms={duration_ms}', flush=True)

    def hang_up(self):
        self.call.hangup()
        return GLib.SOURCE_REMOVE


def main():
    parser = argument_parser('Register, call TARGET, send DTMF and hang up.')
    parser.add_argument('target', metavar='TARGET', help='the SIP URI to call')
    parser.add_argument('--duration', metavar='SECONDS', type=int, default=5,
                        help='hang up SECONDS after the call is answered (default %(default)s)')
    parser.add_argument('--dtmf', metavar='DIGITS', help='send DIGITS once the call is active')
    add_media_options(parser)
    args = parser.parse_args()
    problem = check_media_options(args)
    if problem is not None:
        parser.error(problem)
    if args.duration < 1:
        parser.error('--duration must be at least 1 second')

    account = create_account(args)
    runner = Runner('call.py')
    example = CallExample(args, account, runner)
    account.connect('create-media-handler', example.create_media_handler)
    register(account, runner, example.start)
    runner.run(args.timeout, f'calling {args.target}')
    if example.call is not None:
        end_call(example.call)
    runner.exit(account)


if __name__ == '__main__':
    sys.exit(main())
