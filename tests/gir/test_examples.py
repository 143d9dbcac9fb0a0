#!/usr/bin/python3
"""Runs every script of examples/ against the real Kamailio test bed (TAP).

The scripts run as a user runs them, as separate processes on the build
tree's typelib (GI_TYPELIB_PATH/LD_LIBRARY_PATH from tests/gir/meson.build),
against one Kamailio started here and stopped at the end, even when a check
fails: message.py and message.js between alice and bob, call.py against
answer-bot.py with a tone and with a file, and their failures (unknown user,
wrong password, no call in time). Media stays on 127.0.0.1
(SIPWS_LOCAL_ADDRESSES) and nothing is played on a sound card
(SIPWS_AUDIO_SINK=fakesink).

Skips (`1..0 # SKIP`) only when not root, or Kamailio or the Sipws typelib
is missing.
"""

import math
import os
import queue
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'examples')
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'integration'))

from taplib import Tap, diagnostic, skip_all  # noqa: E402
from testbed import TestBed, install_signal_cleanup, skip_reason  # noqa: E402

PYTHON = '/usr/bin/python3'
# Bounds of one example process; each example also gets a --timeout below it.
PROCESS_SECONDS = 60
EXAMPLE_TIMEOUT = '40'
# Tone and file frequencies are recovered within this many hertz.
FREQUENCY_TOLERANCE = 25


def typelib_problem():
    """Why the Sipws typelib cannot be loaded by the examples, or None."""
    probe = subprocess.run([PYTHON, '-c', "import gi; gi.require_version('Sipws', '1.0');"
                            "from gi.repository import Sipws"],
                           capture_output=True, text=True, timeout=PROCESS_SECONDS)
    if probe.returncode != 0:
        return 'the Sipws-1.0 typelib cannot be loaded: ' + probe.stderr.strip().splitlines()[-1]
    return None


class Example:
    """One example process; its stdout lines are collected as they come."""

    running = []

    def __init__(self, argv, user, bed, password=None):
        env = dict(os.environ,
                   SIPWS_PASSWORD=password or bed.users[user]['password'],
                   SIPWS_LOCAL_ADDRESSES='127.0.0.1',
                   SIPWS_AUDIO_SINK='fakesink')
        self.argv = argv
        self.process = subprocess.Popen(argv, cwd=EXAMPLES, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.stdout = []
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()
        self.stderr = ''
        Example.running.append(self)

    def read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip('\n'))
        self.lines.put(None)

    def wait_line(self, prefix, seconds=PROCESS_SECONDS):
        """Waits for a stdout line starting with @prefix and returns it."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f'{self.name()}: no "{prefix}" line within {seconds} s; '
                                     f'so far: {self.stdout}') from None
            if line is None:
                self.finish()
                raise AssertionError(f'{self.name()} exited ({self.process.returncode}) before '
                                     f'"{prefix}"; stdout {self.stdout}, stderr {self.stderr!r}')
            self.stdout.append(line)
            if line.startswith(prefix):
                return line

    def finish(self, seconds=PROCESS_SECONDS):
        """Waits for the exit; returns (exit status, stdout lines, stderr)."""
        try:
            self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f'{self.name()} still ran after {seconds} s') from None
        self.reader.join()
        while True:
            line = self.lines.get()
            if line is None:
                break
            self.stdout.append(line)
        self.stderr = self.process.stderr.read()
        self.process.stderr.close()
        self.process.stdout.close()
        Example.running.remove(self)
        return self.process.returncode, self.stdout, self.stderr

    def name(self):
        """The script's name, as it names itself in its messages."""
        return next(os.path.basename(arg) for arg in self.argv if arg.endswith(('.py', '.js')))

    @classmethod
    def kill_all(cls):
        for example in list(cls.running):
            example.process.kill()
            example.finish()


def account_args(bed, user):
    return ['--server', bed.url('wss'), '--aor', bed.users[user]['aor'],
            '--ca-file', bed.ca_file, '--timeout', EXAMPLE_TIMEOUT]


def python_example(script, bed, user, *args):
    return Example([PYTHON, os.path.join(EXAMPLES, script)] + account_args(bed, user) + list(args),
                   user, bed)


def expect_success(example):
    status, stdout, stderr = example.finish()
    diagnostic(f'{example.name()}: ' + ' | '.join(stdout))
    assert status == 0, f'{example.name()} exited {status}: {stderr.strip()}'
    return stdout


def expect_failure(example, *fragments):
    status, stdout, stderr = example.finish()
    reason = stderr.strip().splitlines()[-1] if stderr.strip() else ''
    diagnostic(f'{example.name()}: {reason}')
    assert status == 1, f'{example.name()} exited {status}, expected 1; stderr {stderr!r}'
    assert reason.startswith(example.name() + ': '), f'no one-line reason: {stderr!r}'
    for fragment in fragments:
        assert fragment in reason, f'"{fragment}" not in the reason "{reason}"'
    return reason


def field(line, name):
    """The value of name=value in an event line."""
    for word in line.split():
        if word.startswith(name + '='):
            return word[len(name) + 1:]
    raise AssertionError(f'no {name}= in "{line}"')


def lines_starting(stdout, prefix):
    return [line for line in stdout if line.startswith(prefix)]


def write_sine_wav(path, frequency, seconds, rate=48000):
    with wave.open(path, 'wb') as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b''.join(struct.pack('<h', int(12000 * math.sin(2 * math.pi * frequency * i / rate)))
                                 for i in range(int(seconds * rate))))


def analyse_wav(path):
    """(seconds, RMS in dBFS, frequency estimated from zero crossings) of
    the loudest second of a 16-bit mono WAV file."""
    with wave.open(path, 'rb') as recording:
        assert recording.getsampwidth() == 2 and recording.getnchannels() == 1, \
            f'{path}: not 16-bit mono'
        rate = recording.getframerate()
        frames = recording.readframes(recording.getnframes())
    samples = struct.unpack(f'<{len(frames) // 2}h', frames)
    seconds = len(samples) / rate
    best = (-200.0, 0.0)
    for start in range(0, max(1, len(samples) - rate + 1), rate // 2):
        window = samples[start:start + rate]
        if not window:
            break
        rms = math.sqrt(sum(s * s for s in window) / len(window))
        level = 20 * math.log10(rms / 32768) if rms > 0 else -200.0
        crossings = sum(1 for a, b in zip(window, window[1:]) if (a < 0) != (b < 0))
        if level > best[0]:
            best = (level, crossings / 2 / (len(window) / rate))
    return seconds, best[0], best[1]


def assert_near(value, expected, what):
    assert abs(value - expected) <= FREQUENCY_TOLERANCE, f'{what}: {value:.0f} Hz, expected about {expected} Hz'


def main():
    install_signal_cleanup()
    reason = skip_reason() or typelib_problem()
    if reason is not None:
        skip_all(reason)

    tap = Tap()
    workdir = tempfile.mkdtemp(prefix='sipws-examples-')
    bed = TestBed()

    @tap.test
    def message_py_alice_to_bob_and_reply():
        bob = python_example('message.py', bed, 'bob', 'receive', '--count', '1', '--reply', 'Hi Alice')
        bob.wait_line('waiting for messages')
        assert len(bed.contacts('bob')) == 1, 'bob is registered at Kamailio'
        alice = python_example('message.py', bed, 'alice', 'send', bed.users['bob']['aor'],
                               'Hello Bob, ça va ?', '--wait-reply')
        alice_out = expect_success(alice)
        bob_out = expect_success(bob)
        assert f'delivered {bed.users["bob"]["aor"]}' in alice_out, alice_out
        reply = lines_starting(alice_out, 'message from=')
        assert len(reply) == 1 and field(reply[0], 'from') == bed.users['bob']['aor'], reply
        assert reply[0].endswith('text=Hi Alice'), reply
        received = lines_starting(bob_out, 'message from=')
        assert len(received) == 1 and received[0].endswith('text=Hello Bob, ça va ?'), received
        assert field(received[0], 'from') == bed.users['alice']['aor'], received
        assert 'received 1 of 1' in bob_out and f'unregistered {bed.users["bob"]["aor"]}' in bob_out
        assert bed.contacts('bob') == [], 'bob unregistered on the way out'

    @tap.test
    def message_py_failures_have_reasons():
        expect_failure(python_example('message.py', bed, 'alice', 'send', 'sip:nobody@127.0.0.1', 'x'),
                       'not delivered', '404')
        expect_failure(python_example('message.py', bed, 'carol', 'send', bed.users['dave']['aor'], 'x'),
                       '480')
        wrong_password = Example([PYTHON, os.path.join(EXAMPLES, 'message.py')] + account_args(bed, 'alice')
                                 + ['send', bed.users['dave']['aor'], 'x'], 'alice', bed, password='not-hers')
        expect_failure(wrong_password, 'credentials')

    @tap.test
    def message_js_alice_to_bob():
        gjs = shutil.which('gjs')
        assert gjs is not None, 'gjs is not installed (Debian package gjs)'
        bob = python_example('message.py', bed, 'bob', 'receive', '--count', '1')
        bob.wait_line('waiting for messages')
        alice = Example([gjs, '-m', os.path.join(EXAMPLES, 'message.js')] + account_args(bed, 'alice')
                        + [bed.users['bob']['aor'], 'Hello from GJS ✓'], 'alice', bed)
        alice_out = expect_success(alice)
        bob_out = expect_success(bob)
        assert alice_out == [f'registered {bed.users["alice"]["aor"]}',
                             f'delivered {bed.users["bob"]["aor"]}',
                             f'unregistered {bed.users["alice"]["aor"]}'], alice_out
        received = lines_starting(bob_out, 'message from=')
        assert len(received) == 1 and received[0].endswith('text=Hello from GJS ✓'), received
        expect_failure(Example([gjs, '-m', os.path.join(EXAMPLES, 'message.js')] + account_args(bed, 'alice')
                               + ['sip:nobody@127.0.0.1', 'x'], 'alice', bed), '404')

    @tap.test
    def call_py_to_the_answer_bot_with_a_tone():
        heard = os.path.join(workdir, 'bot-heard.wav')
        bot = python_example('answer-bot.py', bed, 'bob', '--tone', '440', '--record', heard,
                             '--duration', '3')
        bot.wait_line('waiting for 1 call')
        started = time.monotonic()
        caller = python_example('call.py', bed, 'alice', '--tone', '880', '--dtmf', '5',
                                '--duration', '30', bed.users['bob']['aor'])
        caller_out = expect_success(caller)
        bot_out = expect_success(bot)
        diagnostic(f'call and teardown took {time.monotonic() - started:.1f} s')

        states = [line.split()[1] for line in lines_starting(caller_out, 'state ')]
        assert states[0] == 'calling' and 'active' in states and states[-1] == 'ended', states
        assert states.index('active') < states.index('ended')
        assert 'dtmf-sent 5' in caller_out, caller_out
        ended = lines_starting(caller_out, 'state ended')[0]
        assert field(ended, 'reason') == 'remote-hangup', ended
        assert int(field(ended, 'duration')) >= 2, ended
        stats = lines_starting(caller_out, 'stats ')
        assert len(stats) >= 2, stats
        assert int(field(stats[-1], 'packets_received')) > 50 and int(field(stats[-1], 'packets_sent')) > 50
        assert field(stats[-1], 'codec') == 'opus/48000', stats[-1]
        assert_near(float(field(stats[-1], 'frequency_hz')), 440, 'the caller hears the bot')

        assert f'incoming {bed.users["alice"]["aor"]}' in bot_out, bot_out
        bot_states = [line.split()[1] for line in lines_starting(bot_out, 'state ')]
        assert 'active' in bot_states and bot_states[-1] == 'ended', bot_states
        assert field(lines_starting(bot_out, 'state ended')[0], 'reason') == 'local-hangup'
        assert lines_starting(bot_out, 'dtmf-received 5'), bot_out
        assert_near(float(field(lines_starting(bot_out, 'heard ')[0], 'frequency_hz')), 880,
                    'the bot hears the caller')
        assert f'recorded {heard}' in bot_out and 'answered 1 of 1' in bot_out

        seconds, level, frequency = analyse_wav(heard)
        diagnostic(f'{heard}: {seconds:.2f} s, loudest second {level:.1f} dBFS at {frequency:.0f} Hz')
        assert seconds >= 2, f'the recording lasts {seconds:.2f} s'
        assert level > -30, f'the recording is silent ({level:.1f} dBFS)'
        assert_near(frequency, 880, 'the recording')

    @tap.test
    def call_py_hangs_up_on_the_answer_bot_playing_a_file():
        played = os.path.join(workdir, 'announcement.wav')
        write_sine_wav(played, 660, 4)
        heard = os.path.join(workdir, 'caller-heard.wav')
        bot = python_example('answer-bot.py', bed, 'bob', '--play', played, '--duration', '30')
        bot.wait_line('waiting for 1 call')
        caller = python_example('call.py', bed, 'alice', '--tone', '550', '--record', heard,
                                '--duration', '2', bed.users['bob']['aor'])
        caller_out = expect_success(caller)
        bot_out = expect_success(bot)
        assert field(lines_starting(caller_out, 'state ended')[0], 'reason') == 'local-hangup'
        assert field(lines_starting(bot_out, 'state ended')[0], 'reason') == 'remote-hangup'
        assert 'answered 1 of 1' in bot_out
        seconds, level, frequency = analyse_wav(heard)
        diagnostic(f'{heard}: {seconds:.2f} s, loudest second {level:.1f} dBFS at {frequency:.0f} Hz')
        assert seconds >= 1 and level > -30, (seconds, level)
        assert_near(frequency, 660, 'the caller hears the file the bot plays')

    @tap.test
    def call_py_and_answer_bot_fail_with_reasons():
        expect_failure(python_example('call.py', bed, 'alice', '--tone', '440', 'sip:nobody@127.0.0.1'),
                       'the call failed')
        started = time.monotonic()
        bot = Example([PYTHON, os.path.join(EXAMPLES, 'answer-bot.py'),
                       '--server', bed.url('wss'), '--aor', bed.users['dave']['aor'],
                       '--ca-file', bed.ca_file, '--timeout', '2'], 'dave', bed)
        expect_failure(bot, 'timed out after 2 s')
        assert time.monotonic() - started < 10, 'the bot must stop at its --timeout'
        assert 'answered 0 of 1' in bot.stdout, bot.stdout

    status = 1
    try:
        bed.start()
        status = tap.run()
    finally:
        Example.kill_all()
        if status != 0:
            bed.mark_failed()
        bed.stop()
        if status == 0:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            diagnostic(f'recordings kept in {workdir}')
    return status


if __name__ == '__main__':
    sys.exit(main())
