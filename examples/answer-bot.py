#!/usr/bin/python3
"""An auto-answer bot: answer, play a tone or a file, record what is heard,
hang up.

    SIPWS_PASSWORD=bob-secret ./answer-bot.py --server wss://pbx.example.com/ \\
        --aor sip:bob@example.com --tone 440 --record heard.wav --duration 5

registers, answers --count incoming calls one after the other (a call that
comes while one is in progress is refused with 486 Busy Here), sends the tone
or the file, records the received audio to a WAV file (heard.wav, or
heard-1.wav, heard-2.wav... with --count above 1) and hangs up --duration
seconds after answering unless the caller hangs up first. One event per line
on stdout:

    registered sip:bob@example.com gruu=...
    incoming sip:alice@example.com
    state answering
    state active
    dtmf-received 5 duration_ms=320
    state ended reason=local-hangup status=0 duration=5 message=Hung up
    heard level_db=-13.5 frequency_hz=880
    recorded heard.wav
    answered 1 of 1
    unregistered sip:bob@example.com

Exit status 0 once --count calls were answered and ended, 1 otherwise (for
example no call within --timeout seconds) with the reason on stderr.
"""

import os
import sys

from sipwsexample import (GLib, Runner, Sipws, add_media_options, argument_parser,
                          check_media_options, create_account, create_media_session,
                          dtmf_text, end_call, nick, register)

# A level below this (dBFS) is silence, not something heard.
SILENCE_DB = -60.0


class AnswerBot:
    def __init__(self, args, account, runner):
        self.args = args
        self.account = account
        self.runner = runner
        self.call = None          # the call in progress
        self.was_active = False
        self.hangup_source = 0
        self.heard = None         # (level, frequency) of the last sound heard
        self.record_file = None
        self.number = 0           # calls taken so far
        self.answered = 0         # calls that became active and ended

    def record_path(self):
        if self.args.record is None or self.args.count == 1:
            return self.args.record
        stem, extension = os.path.splitext(self.args.record)
        return f'{stem}-{self.number}{extension or ".wav"}'

    def create_media_handler(self, account, call):
        # A bot has no speakers: received audio goes to the WAV file only.
        self.record_file = self.record_path()
        session = create_media_session(self.args, self.record_file, audio_sink='fakesink')
        session.connect('audio-level', self.audio_level)
        return session

    def incoming_call(self, account, call):
        print(f'incoming {call.props.remote_uri}', flush=True)
        if self.call is not None:
            try:
                call.reject(486)
            except GLib.Error as error:
                print(f'could not refuse a second call: {error.message}', file=sys.stderr, flush=True)
            return
        self.call = call
        self.number += 1
        self.was_active = False
        self.heard = None
        call.connect('notify::state', self.state_changed)
        call.connect('dtmf-received', self.dtmf_received)
        call.accept_async(None, self.accepted)

    def accepted(self, call, result):
        try:
            call.accept_finish(result)
        except GLib.Error as error:
            # The call ends by itself; the bot waits for the next one.
            print(f'answer-failed {error.message}', flush=True)

    def state_changed(self, call, pspec):
        state = call.props.state
        if state == Sipws.CallState.ENDED:
            self.ended(call)
            return
        print(f'state {nick(state)}', flush=True)
        if state == Sipws.CallState.ACTIVE and not self.was_active:
            self.was_active = True
            self.hangup_source = GLib.timeout_add_seconds(self.args.duration, self.hang_up)

    def ended(self, call):
        print(f'state ended reason={nick(call.props.end_reason)} status={call.props.end_status} '
              f'duration={call.props.duration} message={call.props.end_message or ""}', flush=True)
        if self.hangup_source and GLib.main_context_default().find_source_by_id(self.hangup_source):
            GLib.source_remove(self.hangup_source)
        self.hangup_source = 0
        if self.heard is not None:
            print(f'heard level_db={self.heard[0]:.1f} frequency_hz={self.heard[1]:.0f}', flush=True)
        else:
            print('heard nothing', flush=True)
        if self.record_file is not None:
            print(f'recorded {self.record_file}', flush=True)
        call.disconnect_by_func(self.state_changed)
        call.disconnect_by_func(self.dtmf_received)
        self.call = None
        if self.was_active:
            self.answered += 1
        if self.answered == self.args.count:
            self.runner.done()

    def audio_level(self, session, level, frequency):
        if level > SILENCE_DB:
            self.heard = (level, frequency)

    def dtmf_received(self, call, digit, duration_ms):
        print(f'dtmf-received {dtmf_text(digit)} duration_ms={duration_ms}', flush=True)

    def hang_up(self):
        self.hangup_source = 0
        self.call.hangup()
        return GLib.SOURCE_REMOVE


def main():
    parser = argument_parser('Answer incoming calls, play a tone or a file, record what is '
                             'heard, hang up.')
    parser.add_argument('--count', metavar='N', type=int, default=1,
                        help='how many calls to answer before exiting (default %(default)s)')
    parser.add_argument('--duration', metavar='SECONDS', type=int, default=5,
                        help='hang up SECONDS after answering (default %(default)s)')
    add_media_options(parser)
    args = parser.parse_args()
    problem = check_media_options(args)
    if problem is not None:
        parser.error(problem)
    if args.count < 1 or args.duration < 1:
        parser.error('--count and --duration must be at least 1')

    account = create_account(args)
    runner = Runner('answer-bot.py')
    bot = AnswerBot(args, account, runner)
    account.connect('create-media-handler', bot.create_media_handler)
    account.connect('incoming-call', bot.incoming_call)
    register(account, runner, lambda: print(f'waiting for {args.count} call(s)', flush=True))
    runner.run(args.timeout, 'waiting for calls')
    if bot.call is not None:
        end_call(bot.call)
    print(f'answered {bot.answered} of {args.count}', flush=True)
    runner.exit(account)


if __name__ == '__main__':
    sys.exit(main())
