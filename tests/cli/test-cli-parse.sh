#!/bin/sh
# test-cli-parse.sh SIPWS SRCDIR: `sipws parse` on valid and invalid
# messages, checking exit statuses and output lines (TAP).
set -u

sipws=$1
corpus=$2/tests/corpus/rfc4475
bench=$2/bench/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

check () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then
    echo "ok $n - $2"
  else
    echo "not ok $n - $2"
    failed=1
  fi
}

# has FILE PATTERN: the file has a line matching the fixed string PATTERN
has () {
  grep -qF -- "$2" "$1"
}

echo "1..17"

"$sipws" parse "$bench/04-invite.sip" >"$tmp/out" 2>"$tmp/err"
check $? "a valid INVITE exits 0"
has "$tmp/out" "Request:       INVITE sip:bob@example.com"; check $? "start line"
has "$tmp/out" "Via[0]:        WSS 2ouvm0fn4lv3.invalid branch=z9hG4bK8429115"; check $? "Via hop"
has "$tmp/out" 'From:          "Alice Liddell" <sip:alice@example.com> tag=m3f8rq0ksa'; check $? "From address"
has "$tmp/out" "CSeq:          7264 INVITE"; check $? "CSeq"
has "$tmp/out" "Content-Type:  application/sdp"; check $? "Content-Type"
has "$tmp/out" "Session-Expires: 90"; check $? "other headers raw"
has "$tmp/out" "Body:          1914 bytes"; check $? "body size"
test ! -s "$tmp/err"; check $? "nothing on stderr"

"$sipws" parse - <"$corpus/dblreq.dat" >"$tmp/out" 2>&1
check $? "standard input"
has "$tmp/out" "Trailing:      450 bytes after Content-Length, ignored"; check $? "trailing bytes reported"

"$sipws" parse "$bench/01-register.sip" >"$tmp/out" 2>&1
has "$tmp/out" "response=<redacted>"; check $? "Authorization is redacted"
! grep -q 9d3c0f5b2a8e "$tmp/out"; check $? "the digest response is not printed"

"$sipws" --json parse "$bench/03-200-register.sip" >"$tmp/out" 2>&1
has "$tmp/out" '{"event":"message","message":{"status":200,"reason":"OK"'; check $? "--json prints one object"

"$sipws" parse "$corpus/badaspec.dat" >"$tmp/out" 2>"$tmp/err"
test $? = 1; check $? "an invalid message exits 1"
has "$tmp/err" "sipws: $corpus/badaspec.dat: line 5, column 23: invalid To header: blanks are not allowed inside '<>'"
check $? "the error names file, line, column and header"

"$sipws" parse >/dev/null 2>&1
test $? = 2; check $? "a missing argument is a usage error (2)"

exit $failed
