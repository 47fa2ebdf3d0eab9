#!/usr/bin/env bash
# Lost-edit stress test for `leakfix fix`: another program appends to the files while
# leakfix rewrites them, and every line it appended must still be there afterwards.
#
#   scripts/concurrent-writer-stress.sh [RUNS]
#
# Each run makes a fresh module of FILES (default 2000) Go files, each with one fixable
# leak (`defer f.Close()` in a loop after `f, err := os.Open(name)`), starts WRITERS
# (default 1) background writers that append a `// edit N` line to random files and log
# each append once it is done, runs `leakfix fix` on the module, stops the writers, and
# counts the logged lines missing from the files: edits lost. A file leakfix reports as
# changed on disk (exit 2) is expected; a lost edit is the failure this script looks for.
# Prints one line per run; exits 1 when any edit was lost, 2 on usage errors.
#
# LEAKFIX names the binary (default: target/release/leakfix, built when missing).
set -uo pipefail

runs=${1:-1}
files=${FILES:-2000}
writers=${WRITERS:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
leakfix=${LEAKFIX:-${CARGO_TARGET_DIR:-$root/target}/release/leakfix}
if [ ! -x "$leakfix" ]; then
  (cd "$root" && cargo build --release --quiet) || exit 2
fi

# One file with a leak that `leakfix fix` rewrites (a safe defer-in-loop fix).
go_file() {
  cat <<EOF
package pkg

import "os"

func read$1(names []string) error {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
	}
	return nil
}
EOF
}

make_module() {
  mkdir -p "$1/pkg"
  printf 'module stress\n\ngo 1.22\n' >"$1/go.mod"
  for i in $(seq 1 "$files"); do
    go_file "$i" >"$1/pkg/f$i.go"
  done
}

# Appends `// edit W.N` lines to random files until killed, logging each append after
# it is done, so the log lists only edits that reached the file.
writer() {
  local dir=$1 log=$2 id=$3 n=0 file
  exec 3>>"$log"
  while :; do
    file="$dir/pkg/f$(((RANDOM * 32768 + RANDOM) % files + 1)).go"
    n=$((n + 1))
    if printf '// edit %s.%s\n' "$id" "$n" >>"$file"; then
      printf '%s:// edit %s.%s\n' "$file" "$id" "$n" >&3
    fi
  done
}

# Proves on one file that the generated leak is one `leakfix fix` really fixes.
check_the_leak_is_fixed() {
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/leakfix-stress-check.XXXXXX")
  files=1 make_module "$dir"
  (cd "$dir" && "$leakfix" fix ./... >/dev/null 2>&1)
  if ! grep -q 'func() error' "$dir/pkg/f1.go"; then
    echo "leakfix fix did not fix the generated file:" >&2
    cat "$dir/pkg/f1.go" >&2
    rm -rf "$dir"
    exit 2
  fi
  rm -rf "$dir"
}

one_run() {
  local run=$1 dir log pids=() code lost appended fixed refused
  dir=$(mktemp -d "${TMPDIR:-/tmp}/leakfix-stress.XXXXXX")
  log="$dir/appended.log"
  make_module "$dir"
  : >"$log"
  for w in $(seq 1 "$writers"); do
    writer "$dir" "$log" "$w" &
    pids+=($!)
  done
  (cd "$dir" && "$leakfix" fix ./... >/dev/null 2>"$dir/stderr")
  code=$?
  kill "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
  sort -u "$log" >"$dir/wanted"
  grep -H '^// edit ' "$dir"/pkg/*.go | sort -u >"$dir/found"
  appended=$(wc -l <"$dir/wanted")
  lost=$(comm -23 "$dir/wanted" "$dir/found" | wc -l)
  fixed=$(grep -l 'func() error' "$dir"/pkg/*.go | wc -l)
  refused=$(grep -c 'not written' "$dir/stderr")
  left=$(find "$dir/pkg" -name '.leakfix-*' | wc -l)
  echo "run $run: $appended edits appended, $lost lost; $fixed of $files files fixed, $refused reported not written, $left temporary files left; leakfix exit $code"
  if [ "$lost" -gt 0 ] || [ "$left" -gt 0 ]; then
    comm -23 "$dir/wanted" "$dir/found" | head -5 >&2
    echo "kept for inspection: $dir" >&2
  else
    rm -rf "$dir"
  fi
  [ "$lost" -eq 0 ] && [ "$left" -eq 0 ]
}

check_the_leak_is_fixed
status=0
for run in $(seq 1 "$runs"); do
  one_run "$run" || status=1
done
exit $status
