#!/usr/bin/python3
"""The sipws(1) man page: formats without warnings and cannot drift from the tool.

    test_man_page.py SIPWS-BINARY SIPWS.1 CLI-SOURCE-DIR

Checks that groff (and man, when installed) format the page without a
warning, and that every long option `sipws --help-all` prints, every command
and every --json event the sources emit is documented in it. TAP on stdout.
"""

import os
import re
import shutil
import subprocess
import sys

from taplib import Skip, Tap

tap = Tap()
SIPWS, PAGE, SOURCES = sys.argv[1:4]


def page_text():
    """The page source with roff's escaped hyphens as plain hyphens."""
    with open(PAGE, encoding='utf-8') as page:
        return page.read().replace('\\-', '-')


def section(text, title):
    """The roff source of one .SH section."""
    match = re.search(r'^\.SH "?' + re.escape(title) + r'"?\n(.*?)(?=^\.SH |\Z)', text, re.M | re.S)
    assert match is not None, f'the page has no {title} section'
    return match.group(1)


def help_all():
    result = subprocess.run([SIPWS, '--help-all'], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f'sipws --help-all exited {result.returncode}: {result.stderr}'
    return result.stdout


def documented(text, option):
    """Whether --option appears in @text as a whole word."""
    return re.search(re.escape(option) + r'(?![a-z0-9-])', text) is not None


@tap.test
def groff_formats_the_page_without_warnings():
    if shutil.which('groff') is None:
        raise Skip('groff is not installed (Debian package groff-base)')
    result = subprocess.run(['groff', '-man', '-z', '-ww', '-Tutf8', PAGE],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stderr == '', \
        f'groff exited {result.returncode}: {result.stderr}'


@tap.test
def man_formats_the_page_without_warnings():
    if shutil.which('man') is None:
        raise Skip('man is not installed (Debian package man-db)')
    env = dict(os.environ, MANWIDTH='80', LC_ALL='C.UTF-8', MAN_KEEP_STDERR='1')
    result = subprocess.run(['man', '--warnings', '-E', 'UTF-8', '-l', PAGE],
                            capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 0 and result.stderr == '', \
        f'man exited {result.returncode}: {result.stderr}'
    assert 'sipws - SIP over WebSocket' in result.stdout.replace('\u2010', '-'), result.stdout[:300]


@tap.test
def every_long_option_of_help_all_has_an_entry():
    options = sorted(set(re.findall(r'^\s+(?:-\w, )?(--[a-z][a-z0-9-]*)', help_all(), re.M)))
    assert len(options) >= 25, f'--help-all lists only {options}'
    # An entry is the tag line of a .TP paragraph in OPTIONS.
    tags = ' '.join(re.findall(r'^\.TP\n(.*)$', section(page_text(), 'OPTIONS'), re.M))
    missing = [option for option in options if not documented(tags, option)]
    assert not missing, f'options of sipws --help-all without an entry in OPTIONS: {missing}'


@tap.test
def every_command_is_documented():
    commands = re.findall(r'^  ([a-z]+) ', help_all().split('Commands:', 1)[1], re.M)
    assert len(commands) >= 6, commands
    text = page_text()
    synopsis, described = section(text, 'SYNOPSIS'), section(text, 'COMMANDS')
    for command in commands:
        assert re.search(r'^\.B ' + command + r'$', synopsis, re.M), f'{command} is not in the SYNOPSIS'
        assert re.search(r'^\.BI? "?' + command + r'\b', described, re.M), f'{command} is not in COMMANDS'


@tap.test
def every_json_event_is_documented():
    events = set()
    for name in os.listdir(SOURCES):
        if name.endswith('.c'):
            with open(os.path.join(SOURCES, name), encoding='utf-8') as source:
                events.update(re.findall(r'sipws_cli_emit\s*\([^,]+,\s*"([a-z-]+)"', source.read()))
    assert len(events) >= 10, f'found only the events {sorted(events)} in {SOURCES}'
    json_events = section(page_text(), 'JSON EVENTS')
    missing = sorted(event for event in events if not re.search(r'^\.B ' + re.escape(event) + r'$',
                                                                json_events, re.M))
    assert not missing, f'--json events missing from the JSON EVENTS section: {missing}'


@tap.test
def environment_and_exit_statuses_are_documented():
    text = page_text()
    environment = section(text, 'ENVIRONMENT')
    for variable in ('SIPWS_PASSWORD', 'SIPWS_LOCAL_ADDRESSES'):
        assert f'.B {variable}' in environment, f'{variable} is not in ENVIRONMENT'
    statuses = re.findall(r'^\.B (\d)$', section(text, 'EXIT STATUS'), re.M)
    assert statuses == ['0', '1', '2'], statuses


if __name__ == '__main__':
    sys.exit(tap.run())
