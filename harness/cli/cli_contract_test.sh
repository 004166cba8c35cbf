#!/usr/bin/env bash
# The gort CLI's contract, end to end: a failing run writes a replay file
# that `gort replay` reproduces; a stale or malformed replay file, a bad
# flag, an out-of-range number, a bad fault plan or shard each get one
# line and exit status 2; check writes JUnit XML and honours shards;
# --verify-determinism passes; a step budget too small for a run fails it
# in run, replay and check.
#   cli_contract_test.sh GORT WORKDIR
set -u
gort=$1
dir=$2
rm -rf "$dir" && mkdir -p "$dir"
fails=0
# shellcheck source=cli_test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_test_lib.sh"

# An injected panic at the first yield point is recovered by nested-defers'
# own middle frame as if it were the scenario's panic: a real failure.
expect 1 "failing run" -- "$gort" run nested-defers --seed 1 --faults panic-at-yield:at=1 --out "$dir/f"
replay=$dir/f/nested-defers-seed1.replay.json
contains "$dir/out.txt" "reproduce: gort replay $replay" "failing run report"
contains "$dir/out.txt" "goroutine 1 [running]:" "failing run dump"
[[ -f $replay && -f $dir/f/nested-defers-seed1.trace.json ]] || { echo "FAIL: no replay file or timeline"; fails=$((fails + 1)); }
expect 1 "replay reproduces" -- "$gort" replay "$replay"
contains "$dir/out.txt" "this run: expected exit status 0" "replay verdict"

# A stale file (the scenario's fingerprint changed) replays and says so.
sed 's/"scenario_fingerprint": "nested-defers|/"scenario_fingerprint": "nested-defers-old|/' "$replay" >"$dir/stale.json"
expect 1 "stale replay" -- "$gort" replay "$dir/stale.json"
contains "$dir/out.txt" "stale replay file" "stale replay"

# Malformed input: one line, exit 2.
echo '{"format": "gort-replay", "version": 1' >"$dir/broken.json"
expect 2 "malformed replay" -- "$gort" replay "$dir/broken.json"
one_line_error "malformed replay"
expect 2 "missing replay" -- "$gort" replay "$dir/no-such-file.json"
one_line_error "missing replay"
expect 2 "bad fault plan" -- "$gort" run ping-pong --faults panic-at-nowhere:p=0.5
one_line_error "bad fault plan"
expect 2 "bad leak policy" -- "$gort" run ping-pong --leaks sometimes
one_line_error "bad leak policy"
contains "$dir/err.txt" "--leaks 'sometimes': use off, report, definite or all" "bad leak policy names the choices"

# The leak oracle: blocked-forever leaves a goroutine on a nil channel. By
# default gort run reports it; --leaks definite fails the run, and the
# replay file (which records the policy) fails alike.
expect 0 "leak reported" -- "$gort" run blocked-forever --faults ""
contains "$dir/out.txt" "4 goroutines left after main returned (the drain ended with nothing left to run)" "leak census"
contains "$dir/out.txt" "[chan send (nil chan)] on a nil chan: definite leak" "leak judged definite"
expect 1 "leak fails" -- "$gort" run blocked-forever --faults "" --leaks definite --out "$dir/leak"
contains "$dir/out.txt" "goroutine leak after main returned: goroutine" "leak verdict"
contains "$dir/leak/blocked-forever-seed1.replay.json" '"leaks": "definite"' "the replay file records the leak policy"
expect 1 "leak replay" -- "$gort" replay "$dir/leak/blocked-forever-seed1.replay.json"
contains "$dir/out.txt" "this run: goroutine leak after main returned" "the replay fails alike"
expect 0 "leaks off" -- "$gort" run blocked-forever --faults "" --leaks off
expect 1 "check --leaks definite" -- "$gort" check --runs 4 --procs 1 --scenarios blocked-forever,ping-pong --leaks definite -j 1
contains "$dir/out.txt" "goroutines left blocked after main returned (--leaks=definite):" "check lists the leaks"
expect 2 "bad strategy" -- "$gort" run ping-pong --strategy sideways
one_line_error "bad strategy"
expect 2 "bad shard" -- "$gort" check --runs 1 --shard 3/2
one_line_error "bad shard"
expect 2 "unknown scenario in check" -- "$gort" check --runs 1 --scenarios ping-pong,nope
one_line_error "unknown scenario in check"

# Numeric flags: negatives, non-numbers and out-of-range values are one
# line naming the flag and its range, exit 2 (no wrap-around, no saturation).
bad_number() {  # bad_number FLAG-TEXT-IN-ERROR command...
  local flag=$1
  shift
  expect 2 "bad number: $*" -- "$gort" "$@"
  one_line_error "bad number: $*"
  contains "$dir/err.txt" "$flag" "bad number names its flag: $*"
  contains "$dir/err.txt" " from " "bad number states the range: $*"
}
bad_number "--seed: -1 is not a whole number from 0 to 18446744073709551615" run ping-pong --seed -1
bad_number "--seed: 18446744073709551616" run ping-pong --seed 18446744073709551616
bad_number "--seed: 99999999999999999999999" run ping-pong --seed 99999999999999999999999
bad_number "--seed: seven" run ping-pong --seed seven
bad_number "--seed: 0x10" run ping-pong --seed 0x10
bad_number "--depth: -1" run ping-pong --depth -1
bad_number "--depth: 65" run ping-pong --depth 65
bad_number "--dfs-runs: 0" run ping-pong --strategy dfs --dfs-runs 0
bad_number "--max-steps: -5" run ping-pong --max-switches -5
bad_number "--check-every: 1.5" run ping-pong --check-every 1.5
bad_number "--runs: -3" check --runs -3
bad_number "--runs: 100000001" check --runs 100000001
bad_number "--seconds: -5" check --seconds -5
bad_number "--seconds: nan" check --seconds nan
bad_number "--procs: 0 is not a whole number from 1 to 64" run ping-pong --procs 0
bad_number "--procs: 65" run ping-pong --procs 65
bad_number "--procs: '0' is not a whole number from 1 to 64" check --runs 1 --procs 1,0
bad_number "--procs: ''" check --runs 1 --procs 1,,2
bad_number "--procs: 'four'" check --runs 1 --procs four
expect 2 "a procs value listed twice" -- "$gort" check --runs 1 --procs 2,2
one_line_error "a procs value listed twice"
contains "$dir/err.txt" "--procs: 2 is listed twice" "a procs value listed twice is named"
bad_number "--seconds: 1e400" check --seconds 1e400
bad_number "--seed: -2" check --runs 1 --seed -2
bad_number "--jobs: -1" check --runs 1 -j -1
bad_number "--jobs: 1025" check --runs 1 --jobs 1025
bad_number "--run-timeout: 0" run ping-pong --run-timeout 0
bad_number "--run-timeout: -2" replay "$replay" --run-timeout -2
bad_number "--iterations: 0" archcheck --iterations 0
bad_number "--seed: -1" archcheck --seed -1
bad_number "--runs: -1" mutants --runs -1
bad_number "--seconds: abc" mutants --seconds abc
bad_number "--binary-seconds: 0.5" mutants --binary-seconds 0.5
bad_number "--max-steps: 18446744073709551615" replay "$replay" --max-switches 18446744073709551615
# The largest seed is a seed like any other.
expect 0 "largest seed" -- "$gort" run ping-pong --seed 18446744073709551615
contains "$dir/out.txt" "seed 18446744073709551615" "largest seed"

# check: JUnit XML, a shard, determinism verified on every run.
expect 0 "sharded check" -- "$gort" check --runs 3 --shard 1/2 --junit "$dir/junit.xml" --verify-determinism
contains "$dir/junit.xml" '<testsuite name="gort check"' "junit"
contains "$dir/junit.xml" '<testcase classname="gort check" name="ping-pong"' "junit"
contains "$dir/out.txt" "shard 1 of 2" "shard line"
GTEST_TOTAL_SHARDS=2 GTEST_SHARD_INDEX=5 "$gort" check --runs 1 >"$dir/out.txt" 2>"$dir/err.txt"
[[ $? -eq 2 ]] || { echo "FAIL: GTEST_SHARD_INDEX out of range accepted"; fails=$((fails + 1)); }
expect 0 "determinism" -- "$gort" run prime-sieve --seed 9 --strategy pct --verify-determinism
# Bounded DFS exhausts a small scenario.
expect 0 "dfs" -- "$gort" run send-on-closed --strategy dfs --depth 1 --faults ""
contains "$dir/out.txt" "48 schedules with at most 1 preemptions, all ok (exhaustive)" "dfs exhaustive"

# The step budget: a budget too small for a scenario ends it as a budget
# failure in run, replay (--max-switches is the old name of --max-steps)
# and check, shrink included.
expect 1 "budget run" -- "$gort" run runq-overflow --seed 2 --max-steps 300 --shrink-seconds 5 --out "$dir/b"
contains "$dir/out.txt" "step budget exceeded after 300 steps" "budget verdict"
contains "$dir/out.txt" "more than 300 steps (Config::max_steps)" "budget dump"
expect 1 "budget replay" -- "$gort" replay "$dir/b/runq-overflow-seed2.replay.json" --max-switches 300
contains "$dir/out.txt" "this run: step budget exceeded after 300 steps" "budget replay verdict"
expect 1 "budget check" -- "$gort" check --runs 2 --scenarios runq-overflow --max-steps 300 --out "$dir/b"
contains "$dir/out.txt" "step budget exceeded after 300 steps" "budget check verdict"
expect 2 "zero budget" -- "$gort" run ping-pong --max-steps 0
one_line_error "zero budget"

# Several Ps: check runs each scenario at each listed procs and says so; a
# failing run at procs 2 names it, its replay file records it, and the
# replay runs at it again; DFS covers the virtual Ms' switches.
expect 0 "check at procs 2 and 4" -- "$gort" check --runs 2 --procs 2,4 --scenarios ping-pong
contains "$dir/out.txt" "ok: 1 scenarios at procs 2,4, 4 runs" "check names its procs"
if ! grep -qE '^ping-pong +2 +2 ' "$dir/out.txt" || ! grep -qE '^ping-pong +4 +2 ' "$dir/out.txt"; then
  echo "FAIL: check at procs 2,4: not one row per procs"
  fails=$((fails + 1))
fi
expect 1 "budget run at procs 2" -- "$gort" run ping-pong --procs 2 --max-steps 60 --no-shrink --out "$dir/p"
contains "$dir/out.txt" "FAIL ping-pong (seed 1, strategy random, procs 2," "a failure names its procs"
contains "$dir/p/ping-pong-seed1-procs2.replay.json" '"procs": 2' "the replay file records procs"
expect 1 "replay at procs 2" -- "$gort" replay "$dir/p/ping-pong-seed1-procs2.replay.json" --max-steps 60
contains "$dir/out.txt" "this run: step budget exceeded after 60 steps" "the replay at procs 2 fails alike"
expect 0 "dfs at procs 2" -- "$gort" run send-on-closed --strategy dfs --depth 1 --procs 2 --faults ""
contains "$dir/out.txt" "schedules with at most 1 preemptions, all ok (exhaustive)" "dfs at procs 2 is exhaustive"

if [[ $fails -ne 0 ]]; then
  echo "$fails CLI contract check(s) failed"
  exit 1
fi
echo "CLI contract: ok"
