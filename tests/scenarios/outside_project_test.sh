#!/bin/sh
# The README's guide "Your own engine in an afternoon", followed verbatim as a user would, against
# an installed Seedbed: every file of the guide is taken from the README (and must equal
# tests/outside_project/, so the example in the tree is the one the README shows), the guide's
# commands run as written (but `make build`: this build is the one under test), then the user's
# binary is checked the way a user would look at it. Fails on the first step that does not do what
# a user would expect. Also builds the same project against this build tree (-Dseedbed_DIR).
# Takes 1-3 minutes (it compiles the outside project twice).
# Usage: outside_project_test.sh SEEDBED_BUILD_DIR OUTSIDE_SOURCE_DIR WORK_DIR CMAKE CXX GENERATOR README
set -u
build=$1 src=$2 work=$3 cmake=$4 cxx=$5 generator=$6 readme=$7
fail() { echo "outside_project_test: FAIL: $*" >&2; exit 1; }
step() { echo "outside_project_test: $*"; }

rm -rf "$work" && mkdir -p "$work/home" "$work/tinykv" || fail "cannot make $work"
step "extract the guide from $readme"
# <!-- guide-file: NAME --> before a fenced block: the block is the file NAME of the user's project;
# <!-- guide-commands --> before one: the commands to run.
awk -v dir="$work/tinykv" -v cmds="$work/commands.sh" '
  /^<!-- guide-file: / { target = dir "/" $3; next }
  /^<!-- guide-commands -->/ { target = cmds; next }
  /^```/ { if (inblock) { inblock = 0; close(target); target = "" } else if (target != "") { inblock = 1; printf "" > target } next }
  inblock { print >> target }
' "$readme" || fail "awk"
test -s "$work/commands.sh" || fail "the README has no <!-- guide-commands --> block"
for f in "$src"/*; do
  name=$(basename "$f")
  test -f "$work/tinykv/$name" || fail "the README's guide does not show tests/outside_project/$name"
  cmp -s "$f" "$work/tinykv/$name" || { diff "$f" "$work/tinykv/$name"; fail "the README's $name differs from tests/outside_project/$name"; }
done
for f in "$work"/tinykv/*; do
  test -f "$src/$(basename "$f")" || fail "the README shows $(basename "$f"), which tests/outside_project/ lacks"
done

step "build what the install holds (a no-op after a full build)"
"$cmake" --build "$build" -j 2 --target seedbed_env seedbed_posix seedbed_model seedbed_kernel seedbed_world \
  seedbed_core seedbed > "$work/seedbed_build.log" 2>&1 || { tail -50 "$work/seedbed_build.log"; fail "build seedbed"; }

step "run the guide's commands (HOME=$work/home; seedbed/build/release is the build under test)"
mkdir -p "$work/guide/seedbed/build" && ln -s "$build" "$work/guide/seedbed/build/release" && \
  mv "$work/tinykv" "$work/guide/tinykv" || fail "set-up"
cat "$work/commands.sh"
grep -v '^make ' "$work/commands.sh" > "$work/commands_run.sh"
(cd "$work/guide" && HOME="$work/home" CMAKE_GENERATOR="$generator" CXX="$cxx" PATH="$(dirname "$cmake"):$PATH" \
  sh -ex "$work/commands_run.sh") > "$work/guide.log" 2>&1 || { tail -80 "$work/guide.log"; fail "the guide's commands"; }
tail -15 "$work/guide.log"
prefix="$work/home/seedbed"

step "the install: public headers, the bundled engine kept apart, C++20 and the version file"
test -f "$prefix/include/seedbed/seedbed.h" || fail "<seedbed/seedbed.h> not installed"
for h in scenario world faults checks history client testing gtest env cli version; do
  test -f "$prefix/include/seedbed/$h.h" || fail "<seedbed/$h.h> not installed"
done
test -f "$prefix/include/seedbed/internal/sim/version.h" || fail "the generated sim/version.h not installed"
test -f "$prefix/include/seedbed/bundled/model/db/db.h" || fail "the bundled engine's headers not installed"
test ! -e "$prefix/include/seedbed/internal/model/db" || fail "model/db is on every user's include path"
ls "$prefix"/lib*/cmake/seedbed/seedbedConfigVersion.cmake "$prefix"/lib/*/cmake/seedbed/seedbedConfigVersion.cmake \
  > /dev/null 2>&1 || ls "$prefix"/lib*/cmake/seedbed/seedbedConfigVersion.cmake > /dev/null 2>&1 || fail "no version file"
# A target that links only seedbed::seedbed builds as C++20 without saying so, and cannot include
# the bundled engine; with seedbed::model it can.
mkdir -p "$work/probe" && cat > "$work/probe/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(probe LANGUAGES CXX)
find_package(seedbed 0.1 REQUIRED)
file(WRITE ${CMAKE_BINARY_DIR}/cxx20.cc "#include <seedbed/seedbed.h>\nstatic_assert(__cplusplus >= 202002L);\nint main() { return seedbed::kVersion[0] == 0; }\n")
file(WRITE ${CMAKE_BINARY_DIR}/bundled.cc "#include \"model/db/db.h\"\nint main() { return 0; }\n")
add_executable(cxx20 ${CMAKE_BINARY_DIR}/cxx20.cc)
target_link_libraries(cxx20 PRIVATE seedbed::seedbed)
add_executable(bundled_hidden ${CMAKE_BINARY_DIR}/bundled.cc)
target_link_libraries(bundled_hidden PRIVATE seedbed::seedbed)
add_executable(bundled_asked ${CMAKE_BINARY_DIR}/bundled.cc)
target_link_libraries(bundled_asked PRIVATE seedbed::seedbed seedbed::model)
CMAKE
"$cmake" -S "$work/probe" -B "$work/probe/build" -G "$generator" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_PREFIX_PATH="$prefix" > "$work/probe.log" 2>&1 || { cat "$work/probe.log"; fail "configure the probe"; }
"$cmake" --build "$work/probe/build" --target cxx20 >> "$work/probe.log" 2>&1 || { tail -30 "$work/probe.log"; fail "<seedbed/seedbed.h> does not build as C++20 from seedbed::seedbed alone"; }
"$cmake" --build "$work/probe/build" --target bundled_asked >> "$work/probe.log" 2>&1 || { tail -30 "$work/probe.log"; fail "seedbed::model does not give model/db/db.h"; }
if "$cmake" --build "$work/probe/build" --target bundled_hidden >> "$work/probe.log" 2>&1; then
  fail "model/db/db.h is on the include path of seedbed::seedbed alone"
fi

bin="$work/guide/tinykv/build/tinykv_seedbed"
step "$bin list"
"$bin" list > "$work/list.txt" 2>&1 || { cat "$work/list.txt"; fail "list"; }
grep -q "tinykv.lost_put" "$work/list.txt" || fail "list does not show tinykv.lost_put"

step "run the buggy variant: exit 1, the invariant, a replay command naming this program"
(cd "$work" && "$bin" run tinykv.lost_put --variant buggy --seed 1) > "$work/buggy.txt" 2>&1; rc=$?
cat "$work/buggy.txt"
test $rc -eq 1 || fail "run --variant buggy --seed 1 exited $rc, expected 1"
grep -q "no-lost-acknowledged-writes" "$work/buggy.txt" || fail "the buggy run does not name the invariant"
grep -q "replay: tinykv_seedbed " "$work/buggy.txt" || fail "the replay line does not name tinykv_seedbed, the program that ran"
step "run the fixed variant: exit 0"
(cd "$work" && "$bin" run tinykv.lost_put --variant fixed --seed 1) > "$work/fixed.txt" 2>&1 || { cat "$work/fixed.txt"; fail "fixed seed 1"; }

step "the Catch2 and GoogleTest binaries: SEEDBED_SEED reruns one seed"
catch2="$work/guide/tinykv/build/tinykv_catch2"
gtest="$work/guide/tinykv/build/tinykv_gtest"
SEEDBED_SEED=3 "$catch2" "tinykv: the fixed store keeps every acknowledged put over 20 seeds" -s > "$work/seed.txt" 2>&1 || \
  { cat "$work/seed.txt"; fail "SEEDBED_SEED=3 rerun"; }
grep -q "1 seeds, every invariant held" "$work/seed.txt" || { cat "$work/seed.txt"; fail "SEEDBED_SEED did not restrict the Catch2 run to one seed"; }
"$gtest" --gtest_filter=TinyKv.FixedStoreKeepsEveryAcknowledgedPut > "$work/gtest_pass.txt" 2>&1 || { cat "$work/gtest_pass.txt"; fail "gtest pass"; }
grep -q "PASSED.*1 test" "$work/gtest_pass.txt" || { cat "$work/gtest_pass.txt"; fail "gtest did not pass its one test"; }
step "ok"

step "the same project against this build tree (-Dseedbed_DIR=$build)"
"$cmake" -S "$src" -B "$work/buildtree" -G "$generator" -DCMAKE_CXX_COMPILER="$cxx" -Dseedbed_DIR="$build" \
  > "$work/buildtree.log" 2>&1 || { cat "$work/buildtree.log"; fail "configure against the build tree"; }
"$cmake" --build "$work/buildtree" -j 2 --target tinykv_seedbed >> "$work/buildtree.log" 2>&1 || \
  { tail -50 "$work/buildtree.log"; fail "build against the build tree"; }
"$work/buildtree/tinykv_seedbed" list 2>&1 | grep -q "tinykv.lost_put" || fail "the build-tree binary does not list tinykv.lost_put"
step "ok"
