"""A small TAP producer for the Python tests of tests/gir (standard library only).

    tap = Tap()

    @tap.test
    def uri_round_trip():
        ...assert...

    sys.exit(tap.run())

Each test is a function; an exception (AssertionError included) makes it
`not ok`, with the traceback as TAP diagnostics, except Skip, which makes it
`ok N # SKIP reason`. `skip_all(reason)` prints the
TAP plan of a skipped program (`1..0 # SKIP reason`) and exits 0, which meson
reports as a skipped test.
"""

import sys
import time
import traceback


class Skip(Exception):
    """Raised by a test that cannot run here; reported as `ok N # SKIP reason`."""


def skip_all(reason):
    print(f'1..0 # SKIP {reason}', flush=True)
    sys.exit(0)


def diagnostic(text):
    for line in str(text).splitlines():
        print(f'# {line}', flush=True)


class Tap:
    def __init__(self):
        self.tests = []

    def test(self, function):
        self.tests.append(function)
        return function

    def run(self):
        print(f'1..{len(self.tests)}', flush=True)
        failed = 0
        for number, function in enumerate(self.tests, 1):
            name = function.__name__.replace('_', ' ')
            started = time.monotonic()
            try:
                function()
            except Skip as reason:
                print(f'ok {number} - {name} # SKIP {reason}', flush=True)
                continue
            except Exception:  # noqa: BLE001 -- every failure is reported, then the next test runs
                failed += 1
                print(f'not ok {number} - {name}', flush=True)
                diagnostic(traceback.format_exc())
                continue
            print(f'ok {number} - {name} ({time.monotonic() - started:.2f} s)', flush=True)
        return 1 if failed else 0
