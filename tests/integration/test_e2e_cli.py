#!/usr/bin/python3
"""The sipws command-line tool end to end through Kamailio, and the demo (TAP).

- Two sipws processes, as a user runs them: `sipws answer` (bob, 880 Hz
  tone) and `sipws call` (alice, 440 Hz tone, DTMF, --duration): both exit
  0, their --json events show the call active, audio heard on each side at
  the other's frequency with packet counts to match the duration, the
  digits received by the answerer, and the right end reasons.
- The README's demo, tools/run (without its setup step, with this build's
  sipws): exits 0 within a minute, reports audio both ways (caller and echo
  service) and the DTMF the echo service received, and leaves no process
  or temporary directory behind.

Runs in a private network namespace (loopback only).  Skips only when not
root or when Kamailio or the sipws binary is missing.
"""

import ctypes
import glob
import json
import os
import signal
import subprocess
import sys
import tempfile

import e2e
from browserpeer import _proc_mentions
from e2e import check, note

CALL_SECONDS = 4
PROCESS_TIMEOUT = 60


def events(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def last(evs, kind, **fields):
    found = [e for e in evs if e.get("event") == kind
             and all(e.get(k) == v for k, v in fields.items())]
    return found[-1] if found else None


def die_with_parent():
    """In the child: SIGKILL it when the test process dies, even by
    SIGKILL, so no sipws outlives a killed test."""
    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)


class Processes:
    """Children of one test, killed (by PID) if still running at the end."""

    def __init__(self, fx):
        self.procs = []
        fx.cleanups.append(self.kill_all)

    def start(self, argv, env):
        p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, preexec_fn=die_with_parent)
        self.procs.append(p)
        return p

    def kill_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait(5)


def account_args(fx, user, workdir):
    bed = fx.bed
    password_file = os.path.join(workdir, user + ".password")
    with open(password_file, "w") as f:
        f.write(bed.users[user]["password"])
    os.chmod(password_file, 0o600)
    return ["--server", bed.url("wss"), "--ca-file", bed.ca_file,
            "--aor", bed.users[user]["aor"], "--password-file", password_file]


def cli_env():
    env = dict(os.environ)
    env["SIPWS_LOCAL_ADDRESSES"] = "127.0.0.1"
    env["SIPWS_AUDIO_SINK"] = "fakesink"
    return env


def test_cli_call(fx):
    sipws = e2e.sipws_cli()
    procs = Processes(fx)
    with tempfile.TemporaryDirectory() as work:
        answer = procs.start([sipws, "answer", "--tone", "880", "--count", "1",
                              "--json"] + account_args(fx, "bob", work), cli_env())
        e2e.spin_until(lambda: fx.bed.contacts("bob") or answer.poll() is not None,
                       e2e.SIP_TIMEOUT, "sipws answer to register")
        if answer.poll() is not None:
            raise e2e.Check("sipws answer exited: %s" % answer.communicate()[1])
        call = procs.start([sipws, "call", fx.bed.users["bob"]["aor"], "--tone", "440",
                            "--dtmf", "42", "--duration", str(CALL_SECONDS), "--json"]
                           + account_args(fx, "alice", work), cli_env())
        call_out, call_err = call.communicate(timeout=PROCESS_TIMEOUT)
        answer_out, answer_err = answer.communicate(timeout=PROCESS_TIMEOUT)
    note("call: exit %d; answer: exit %d" % (call.returncode, answer.returncode))
    check(call.returncode == 0, "sipws call failed: %s" % call_err)
    check(answer.returncode == 0, "sipws answer failed: %s" % answer_err)
    a, b = events(call_out), events(answer_out)

    for name, evs, hears in (("caller", a, 880.0), ("answerer", b, 440.0)):
        check(last(evs, "registered") is not None, "%s never registered" % name)
        check(last(evs, "call-state", state="active") is not None,
              "%s's call never became active" % name)
        stats = last(evs, "stats")
        check(stats is not None, "%s printed no stats" % name)
        note("%s: %s" % (name, stats))
        # 50 packets a second; allow for set-up time and a slow machine.
        expected = 50 * (CALL_SECONDS - 1.5)
        check(stats["packets_received"] >= expected and stats["packets_sent"] >= expected,
              "%s: %d received, %d sent" % (name, stats["packets_received"],
                                             stats["packets_sent"]))
        check(abs(stats["frequency_hz"] - hears) < hears * 0.04 and stats["level_db"] > -40,
              "%s hears %.1f Hz at %.1f dBFS, expected %g Hz"
              % (name, stats["frequency_hz"], stats["level_db"], hears))
        check(stats["codec"].startswith("opus"), "%s codec %s" % (name, stats["codec"]))
        check(last(evs, "unregistered") is not None, "%s did not unregister" % name)
    check(last(a, "call-state", state="ended")["reason"] == "local-hangup",
          "caller end: %s" % last(a, "call-state", state="ended"))
    check(last(b, "call-state", state="ended")["reason"] == "remote-hangup",
          "answerer end: %s" % last(b, "call-state", state="ended"))
    digits = "".join(e["digit"] for e in b if e.get("event") == "dtmf")
    check(digits == "42", "answerer received DTMF %r" % digits)


def test_demo(fx):
    env = cli_env()
    del env["SIPWS_LOCAL_ADDRESSES"], env["SIPWS_AUDIO_SINK"]
    tmp = tempfile.mkdtemp(prefix="demo-test-")
    fx.cleanups.append(lambda: os.rmdir(tmp))
    env.update(SIPWS_RUN_SKIP_SETUP="1", SIPWS_CLI=e2e.sipws_cli(), TMPDIR=tmp)
    run = subprocess.run([os.path.join(e2e.TOP, "tools", "run"), "--duration", "3", "--tone"],
                         env=env, stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=PROCESS_TIMEOUT)
    note(run.stderr)
    check(run.returncode == 0, "tools/run exited %d" % run.returncode)
    check("the demo worked" in run.stderr, "no working call reported")
    check("DTMF 123 received" in run.stderr, "the echo service got no DTMF")
    check(glob.glob(os.path.join(tmp, "sipws-demo.*")) == [],
          "tools/run left %s" % os.listdir(tmp))
    # Kamailio's config and the passwords sipws reads live under tmp.
    left = _proc_mentions(tmp)
    check(left == [], "tools/run left processes running: %s" % left)


TESTS = [test_cli_call, test_demo]

if __name__ == "__main__":
    sys.exit(e2e.run(TESTS, need_gi=False))
