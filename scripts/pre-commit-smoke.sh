#!/usr/bin/env bash
# Tries .pre-commit-hooks.yaml with the real pre-commit tool (from PyPI) on a sample Go
# repository: the hook must fail the commit on a leak, name it, and pass once it is fixed.
#
#   scripts/pre-commit-smoke.sh [HOOK_ID]    # default leakfix-system
#
# leakfix-system needs `leakfix` on PATH (LEAKFIX_BIN=path/to/leakfix puts it there).
# The leakfix and leakfix-fix hooks make pre-commit build leakfix with cargo install.
# Exits 0 when the hook behaves, 1 when it does not, 3 when pre-commit cannot be installed.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
hook="${1:-leakfix-system}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -n "${LEAKFIX_BIN:-}" ]; then
  mkdir -p "$work/bin"
  ln -s "$(cd "$(dirname "$LEAKFIX_BIN")" && pwd)/$(basename "$LEAKFIX_BIN")" "$work/bin/leakfix"
  export PATH="$work/bin:$PATH"
fi

# Exit 3 (not 1) when pre-commit cannot be installed, so a test can tell "no PyPI here"
# from "the hook is broken".
python3 -m venv "$work/env" || exit 3
"$work/env/bin/python" -m pip install --quiet --disable-pip-version-check 'pre-commit>=3,<5' || exit 3
pre_commit="$work/env/bin/pre-commit"
echo "pre-commit-smoke: $("$pre_commit" --version), hook $hook"

sample="$work/sample"
mkdir -p "$sample"
cd "$sample"
git init -q -b main
git config user.email smoke@example.com
git config user.name smoke
printf 'module example.com/sample\n\ngo 1.22\n' > go.mod
cp "$repo/golden/time-tick/const-duration/leak.go" leak.go
printf '# not Go: the hook must not see this file\n' > notes.md
git add go.mod leak.go notes.md
# PRE_COMMIT_HOME keeps pre-commit's clone and environments inside the temporary directory.
export PRE_COMMIT_HOME="$work/cache"

fail() { echo "pre-commit-smoke: FAIL: $*" >&2; exit 1; }

status=0
"$pre_commit" try-repo "$repo" "$hook" --all-files --color never > "$work/run1.out" 2>&1 || status=$?
cat "$work/run1.out"
[ "$status" -eq 1 ] || fail "the hook passed (exit $status) on a leaking file"
grep -q 'leak.go:8:10: time-tick:' "$work/run1.out" || fail "the hook did not report leak.go's time-tick finding"
grep -q 'notes.md' "$work/run1.out" && fail "the hook was given notes.md"

cp "$repo/golden/time-tick/const-duration/leak.go.golden" leak.go
git add leak.go
status=0
"$pre_commit" try-repo "$repo" "$hook" --all-files --color never > "$work/run2.out" 2>&1 || status=$?
cat "$work/run2.out"
[ "$status" -eq 0 ] || fail "the hook failed (exit $status) on the fixed file"
echo "pre-commit-smoke: OK"
