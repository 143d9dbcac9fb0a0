#!/bin/sh
# bench/run.sh: builds the parse benchmark (release build in build-bench/)
# and prints one table: messages/s and MB/s from a timed run, instructions
# per message and per input byte from callgrind, for three modes over the
# same corpus (bench/corpus/*.sip):
#   memchr  find the line ends with memchr() only (the floor)
#   parse   sipws_message_parse_bytes() + unref
#   full    parse + every typed getter the upper layers use + unref
# Environment: BUILD (build directory), ITERATIONS (callgrind passes over
# the corpus, default 50), SECONDS_PER_MODE (timed run, default 2), LTO=1
# (link-time optimisation, as distributions that build with -flto get; its
# own build directory by default).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
lto=${LTO:-0}
if [ "$lto" = 1 ]; then
  build=${BUILD:-$top/build-bench-lto}
else
  build=${BUILD:-$top/build-bench}
fi
iterations=${ITERATIONS:-50}
seconds=${SECONDS_PER_MODE:-2}

command -v valgrind >/dev/null || { echo "bench/run.sh: valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
if [ ! -f "$build/build.ninja" ]; then
  lto_option=-Db_lto=false
  [ "$lto" = 1 ] && lto_option=-Db_lto=true
  meson setup "$build" "$top" --buildtype=release "$lto_option" -Dintrospection=disabled -Dfuzzing=disabled >/dev/null
fi
ninja -C "$build" bench/bench-parse >/dev/null

bench=$build/bench/bench-parse
corpus=$(ls "$top"/bench/corpus/*.sip)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2086 # the corpus is a list of file names without blanks
"$bench" --seconds "$seconds" $corpus >"$tmp/timed"
# shellcheck disable=SC2086
"$bench" --mode memchr --iterations 1 $corpus >"$tmp/size"
messages=$(sed -n 's/^\([0-9]*\) messages, \([0-9]*\) bytes.*/\1/p' "$tmp/size")
bytes=$(sed -n 's/^\([0-9]*\) messages, \([0-9]*\) bytes.*/\2/p' "$tmp/size")

echo "corpus: $messages messages, $bytes bytes ($(cd "$top" && echo bench/corpus/*.sip | wc -w) files); callgrind: $iterations passes"
printf '%-7s %14s %10s %16s %15s\n' mode messages/s MB/s instr/message instr/byte
for mode in memchr parse full; do
  # shellcheck disable=SC2086
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$mode" --toggle-collect="run_$mode" \
    "$bench" --mode "$mode" --iterations "$iterations" $corpus >/dev/null 2>&1
  instructions=$(sed -n 's/^summary: //p' "$tmp/cg.$mode")
  rate=$(awk -v m="$mode" '$1 == m { print $2 }' "$tmp/timed")
  mbs=$(awk -v m="$mode" '$1 == m { print $4 }' "$tmp/timed")
  awk -v mode="$mode" -v rate="$rate" -v mbs="$mbs" -v ir="$instructions" -v n="$iterations" \
      -v msgs="$messages" -v bytes="$bytes" \
      'BEGIN { printf "%-7s %14s %10s %16.0f %15.2f\n", mode, rate, mbs, ir / (n * msgs), ir / (n * bytes) }'
done
