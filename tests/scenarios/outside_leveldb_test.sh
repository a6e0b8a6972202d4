#!/bin/sh
# A user's project on Debian's unmodified LevelDB, as it sees Seedbed: install Seedbed into a
# temporary prefix, configure and build tests/outside_leveldb (kvapp: LevelDB plus a commit thread
# of its own, and its scenario kvapp.power_loss) with find_package(seedbed), then run its command and
# its Catch2 tests. Takes 1-3 minutes.
# Usage: outside_leveldb_test.sh SEEDBED_BUILD_DIR OUTSIDE_SOURCE_DIR WORK_DIR CMAKE CXX GENERATOR
set -u
build=$1 src=$2 work=$3 cmake=$4 cxx=$5 generator=$6
fail() { echo "outside_leveldb_test: FAIL: $*" >&2; exit 1; }
step() { echo "outside_leveldb_test: $*"; }

rm -rf "$work" && mkdir -p "$work" || fail "cannot make $work"
step "build what the install holds (a no-op after a full build)"
"$cmake" --build "$build" -j 2 --target seedbed_env seedbed_posix seedbed_model seedbed_kernel seedbed_world \
  seedbed_core seedbed_foreign seedbed_leveldb_env seedbed > "$work/seedbed_build.log" 2>&1 || \
  { tail -50 "$work/seedbed_build.log"; fail "build seedbed"; }
step "install into $work/prefix"
"$cmake" --install "$build" --prefix "$work/prefix" > "$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }
test -f "$work/prefix/include/seedbed/bundled/model/leveldb/leveldb_env.h" || fail "leveldb_env.h not installed"
test -f "$work/prefix/include/seedbed/internal/scenarios/client/process_calls.h" || fail "process_calls.h not installed"

step "configure and build $src against the installed package only"
"$cmake" -S "$src" -B "$work/build" -G "$generator" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log" 2>&1 || \
  { cat "$work/configure.log"; fail "configure (find_package(seedbed), seedbed::leveldb)"; }
"$cmake" --build "$work/build" -j 2 > "$work/build.log" 2>&1 || { tail -50 "$work/build.log"; fail "build"; }

bin="$work/build/kvapp_seedbed"
"$bin" list > "$work/list.txt" 2>&1 || { cat "$work/list.txt"; fail "list"; }
grep -q "kvapp.power_loss" "$work/list.txt" || fail "list does not show kvapp.power_loss"

step "fuzz 20 seeds of both variants: nosync loses a put, sync keeps them all"
"$bin" fuzz kvapp.power_loss --seeds 1..20 --expect --no-shrink > "$work/fuzz.txt" 2>&1; rc=$?
cat "$work/fuzz.txt"
test $rc -eq 0 || fail "fuzz --expect exited $rc"

step "the same seed twice: the same trace (--check-determinism)"
"$bin" run kvapp.power_loss --variant sync --seed 3 --check-determinism > "$work/det.txt" 2>&1; rc=$?
cat "$work/det.txt"
test $rc -eq 0 || fail "run --check-determinism exited $rc"

test -x "$work/build/kvapp_tests" || fail "kvapp_tests was not built (Catch2 2 not found)"
step "the project's Catch2 tests"
"$work/build/kvapp_tests" || fail "kvapp_tests"
step "ok"
