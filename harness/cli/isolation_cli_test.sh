#!/usr/bin/env bash
# The CLI survives the runtime it tests, end to end: over scenarios that
# abort their process or never end (gort-selftest), check reports each as a
# failing run (kind crash or timeout) in its summary, its JUnit XML and a
# replay file, and carries on; run and replay report theirs the same way;
# and gort check's table is the same for -j 1 and -j 2.
#   isolation_cli_test.sh GORT_SELFTEST GORT WORKDIR
set -u
selftest=$1
gort=$2
dir=$3
rm -rf "$dir" && mkdir -p "$dir"
fails=0
# shellcheck source=cli_test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_test_lib.sh"

# check: the crashes and the hangs are failures; the healthy scenarios pass.
expect 1 "check over crashing scenarios" -- "$selftest" check --runs 12 --procs 1 -j 2 --run-timeout 0.3 \
  --scenarios crash-on-order,spin-forever,well-behaved \
  --junit "$dir/junit.xml" --out "$dir/f"
cp "$dir/out.txt" "$dir/check.txt"
contains "$dir/check.txt" "crash (SIGABRT)" "check names the crash"
contains "$dir/check.txt" "timeout: the run was still going after 0.3 s" "check names the timeout"
contains "$dir/check.txt" "restarted after a crash or a timeout" "check says workers were replaced"
contains "$dir/check.txt" "FAILED: 3 scenarios at procs 1, 36 runs" "check ran every run"
if ! grep -qE '^well-behaved +1 +12 .* 0 +[0-9]+$' "$dir/check.txt"; then
  echo "FAIL: well-behaved's row is not 12 runs, 0 failures"
  fails=$((fails + 1))
fi
if ! grep -qE '^spin-forever +1 +12 .* 12 +[0-9]+$' "$dir/check.txt"; then
  echo "FAIL: spin-forever's row is not 12 runs, 12 failures"
  fails=$((fails + 1))
fi
contains "$dir/junit.xml" "crash (SIGABRT)" "JUnit has the crash"
contains "$dir/junit.xml" "timed out" "JUnit has the timeouts"
crash_replay=$(ls "$dir"/f/crash-on-order-seed*.replay.json 2>/dev/null | head -1)
if [[ -z $crash_replay ]]; then
  echo "FAIL: no replay file for the crash"
  fails=$((fails + 1))
else
  expect 1 "replay of a crash" -- "$selftest" replay "$crash_replay"
  contains "$dir/out.txt" "this run: crash (SIGABRT)" "replay reproduces the crash"
  seed=$(basename "$crash_replay" | sed 's/.*-seed\([0-9]*\)\.replay\.json/\1/')
  expect 1 "run of a crashing seed" -- "$selftest" run crash-on-order --seed "$seed" --out "$dir/r"
  contains "$dir/out.txt" "FAIL crash-on-order (seed $seed" "run reports the crash"
  contains "$dir/out.txt" "reproduce: gort replay $dir/r/crash-on-order-seed$seed.replay.json" "run writes a replay file"
fi
expect 1 "run that hangs" -- "$selftest" run spin-forever --run-timeout 0.3 --no-shrink --out "$dir/r"
contains "$dir/out.txt" "timeout: the run was still going after 0.3 s" "run reports the timeout"
expect 0 "a healthy run in-process" -- "$selftest" run well-behaved --seed 3 --in-process
expect 0 "a healthy run isolated" -- "$selftest" run well-behaved --seed 3

# A livelock that never switches goroutines ends in the step budget in
# run, check, the shrinker and replay, each within the budget.
expect 1 "run of a livelock" -- "$selftest" run spin-on-try-recv --seed 2 --max-steps 5000 --out "$dir/l"
contains "$dir/out.txt" "step budget exceeded after 5" "run ends the livelock in the budget"
contains "$dir/out.txt" "reproduce: gort replay $dir/l/spin-on-try-recv-seed2.replay.json" "the livelock's replay file"
expect 1 "replay of a livelock" -- "$selftest" replay "$dir/l/spin-on-try-recv-seed2.replay.json" --max-steps 5000
contains "$dir/out.txt" "this run: step budget exceeded" "replay ends the livelock in the budget"
expect 1 "check of a livelock" -- "$selftest" check --runs 4 --procs 1 --scenarios spin-on-try-recv --max-steps 5000 --out "$dir/l"
contains "$dir/out.txt" "FAILED: 1 scenarios at procs 1, 4 runs, 4 failing" "check ends every livelocked run"

# Two runs in every eight run without injected panics: of 16 runs of a
# scenario whose plan panics at its only yield point, 12 end in the panic.
expect 0 "check of the fault-free share" -- "$selftest" check --runs 16 --procs 1 --scenarios yields-once
if ! grep -qE '^yields-once +1 +16 .* 12 \(75%\) +0 ' "$dir/out.txt"; then
  echo "FAIL: yields-once: not 12 of 16 runs ended in the injected panic"
  sed 's/^/  | /' "$dir/out.txt"
  fails=$((fails + 1))
fi

# The same table for every -j (timing columns aside).
table() { grep -E '^[a-z0-9-]+ +[0-9]+ ' "$1" | awk '{$NF=""; print}'; }
expect 0 "check -j 1" -- "$gort" check --runs 30 -j 1 --scenarios ping-pong,prime-sieve,deadlock,timeouts
table "$dir/out.txt" >"$dir/j1.txt"
expect 0 "check -j 2" -- "$gort" check --runs 30 -j 2 --scenarios ping-pong,prime-sieve,deadlock,timeouts
table "$dir/out.txt" >"$dir/j2.txt"
expect 0 "check --in-process" -- "$gort" check --runs 30 --in-process --scenarios ping-pong,prime-sieve,deadlock,timeouts
table "$dir/out.txt" >"$dir/j0.txt"
if [[ ! -s $dir/j1.txt ]] || ! diff -u "$dir/j1.txt" "$dir/j2.txt" || ! diff -u "$dir/j1.txt" "$dir/j0.txt"; then
  echo "FAIL: gort check's table differs between -j 1, -j 2 and --in-process"
  fails=$((fails + 1))
fi

if [[ $fails -ne 0 ]]; then
  echo "isolation CLI test: $fails failed"
  exit 1
fi
echo "isolation CLI test: all passed"
