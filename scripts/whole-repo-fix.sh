#!/usr/bin/env bash
# Whole-repository safety check: run `leakfix fix` over a copy of a real Go repository and
# prove it still builds and vets wherever it did before, and that a second run changes
# nothing.
#
#   scripts/whole-repo-fix.sh REPO_DIR [leakfix flags…]
#
# The repository itself is never modified: everything happens in a temporary copy
# (kept when a check fails, so the break can be inspected). For every go.mod outside
# vendor/ and testdata/, `go build ./...` and `go vet ./...` run before and after the
# fix; a module that passed before and fails after is a break. Exit 0 when nothing
# broke and the second run is empty, 1 otherwise, 2 on usage errors.
set -uo pipefail

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 REPO_DIR [leakfix flags...]" >&2
  exit 2
fi
repo=$(cd "$1" && pwd)
shift
root=$(cd "$(dirname "$0")/.." && pwd)
leakfix=${LEAKFIX:-$root/target/release/leakfix}
if [ ! -x "$leakfix" ]; then
  (cd "$root" && cargo build --release --quiet) || exit 2
fi
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOWORK=off

work=$(mktemp -d "${TMPDIR:-/tmp}/leakfix-whole-repo.XXXXXX")
cp -a "$repo/." "$work/"
cd "$work" || exit 2

mapfile -t modules < <(find . -name go.mod -not -path '*/vendor/*' -not -path '*/testdata/*' -exec dirname {} \; | sort)
declare -A built vetted

check_modules() {
  local phase=$1 dir
  for dir in "${modules[@]}"; do
    if (cd "$dir" && go build ./... >/dev/null 2>"$work/.build-$phase-${dir//\//_}.log"); then
      built[$phase,$dir]=pass
    else
      built[$phase,$dir]=fail
    fi
    if (cd "$dir" && go vet ./... >/dev/null 2>"$work/.vet-$phase-${dir//\//_}.log"); then
      vetted[$phase,$dir]=pass
    else
      vetted[$phase,$dir]=fail
    fi
  done
}

echo "repository: $repo (${#modules[@]} modules), working copy: $work"
start=$(date +%s)
check_modules before
"$leakfix" fix "$@" . >"$work/.remaining.txt" 2>"$work/.fix.log"
fix_status=$?
applied=$(grep -c ': fixed ' "$work/.fix.log")
check_modules after
second=$("$leakfix" diff "$@" . 2>/dev/null)
second_status=$?

broken=0
printf '%-40s %-14s %-14s\n' module "build before/after" "vet before/after"
for dir in "${modules[@]}"; do
  printf '%-40s %-14s %-14s\n' "$dir" "${built[before,$dir]}/${built[after,$dir]}" "${vetted[before,$dir]}/${vetted[after,$dir]}"
  # A module whose vet already failed must not fail in new ways: compare the messages
  # with their line and column numbers removed, since fixes move lines.
  if [ "${vetted[before,$dir]}" = fail ] && [ "${vetted[after,$dir]}" = fail ]; then
    log="${dir//\//_}.log"
    new_messages=$(comm -13 <(sed -E 's/:[0-9]+:[0-9]+:/:/' "$work/.vet-before-$log" | sort -u) \
                            <(sed -E 's/:[0-9]+:[0-9]+:/:/' "$work/.vet-after-$log" | sort -u))
    if [ -n "$new_messages" ]; then
      echo "BROKEN: new go vet messages in $dir:"
      echo "$new_messages" | head -20
      broken=1
    fi
  fi
  for kind in built vetted; do
    declare -n table=$kind
    if [ "${table[before,$dir]}" = pass ] && [ "${table[after,$dir]}" = fail ]; then
      echo "BROKEN: $kind in $dir (logs: $work/.*-after-${dir//\//_}.log)"
      broken=1
    fi
  done
done
echo "fixes applied: $applied (leakfix fix exit $fix_status); files changed: $(cd "$work" && diff -rq "$repo" . -x '.*.log' -x '.fix.log' 2>/dev/null | grep -c differ)"
if [ -n "$second" ] || [ "$second_status" -ne 0 ]; then
  echo "SECOND RUN NOT EMPTY (diff exit $second_status)"
  broken=1
else
  echo "second run: no changes"
fi
echo "elapsed: $(( $(date +%s) - start )) s"
if [ $broken -eq 0 ]; then
  rm -rf "$work"
  exit 0
fi
exit 1
