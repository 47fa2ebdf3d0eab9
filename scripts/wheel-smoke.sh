#!/usr/bin/env bash
# Builds the leakfix wheel with maturin and proves it works where Rust is not installed:
# a fresh virtualenv gets the wheel, and `leakfix --version` and `leakfix check` on a
# golden case run with every directory holding cargo or rustc removed from PATH.
#
#   scripts/wheel-smoke.sh            # release build (what users get), about 2-3 minutes
#   WHEEL_PROFILE=dev scripts/...     # a debug wheel, for a quicker round trip
#
# Needs python3 (3.8+) with venv, a Rust toolchain to build, and PyPI for maturin.
# Prints the wheel's path and size and the build's duration. Exits non-zero on failure.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

profile="${WHEEL_PROFILE:-release}"
case "$profile" in
  release) profile_flag=(--release) ;;
  dev) profile_flag=() ;;
  *) echo "wheel-smoke: WHEEL_PROFILE must be release or dev, not $profile" >&2; exit 2 ;;
esac

echo "wheel-smoke: installing maturin from PyPI into a build virtualenv"
python3 -m venv "$work/build-env"
"$work/build-env/bin/python" -m pip install --quiet --disable-pip-version-check 'maturin>=1.5,<2'

# maturin reads [tool.maturin] in pyproject.toml: bindings = "bin", vendored OpenSSL.
echo "wheel-smoke: building the wheel ($profile)"
start=$(date +%s)
"$work/build-env/bin/maturin" build "${profile_flag[@]}" --manifest-path "$repo/Cargo.toml" \
  --out "$work/dist" --compatibility linux --quiet
elapsed=$(( $(date +%s) - start ))
wheel="$(ls "$work"/dist/leakfix-*.whl)"
size=$(wc -c < "$wheel")
echo "wheel-smoke: built $(basename "$wheel"): $size bytes in ${elapsed}s"

# The wheel must bring the executable and nothing that needs Rust at install time:
# --no-index and --no-deps make pip refuse to fetch or build anything else.
python3 -m venv "$work/user-env"
"$work/user-env/bin/python" -m pip install --quiet --disable-pip-version-check \
  --no-index --no-deps "$wheel"

# PATH as a user without Rust has it: the virtualenv first, then every directory of the
# current PATH that holds neither cargo nor rustc (rustup's shims included).
stripped="$work/user-env/bin"
IFS=: read -r -a dirs <<< "$PATH"
for dir in "${dirs[@]}"; do
  if [ -n "$dir" ] && [ ! -e "$dir/cargo" ] && [ ! -e "$dir/rustc" ]; then
    stripped="$stripped:$dir"
  fi
done

fail() { echo "wheel-smoke: FAIL: $*" >&2; exit 1; }

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)"
case_dir="$repo/golden/time-tick/const-duration"
(
  cd "$case_dir"
  export PATH="$stripped"
  unset CARGO_HOME RUSTUP_HOME CARGO_TARGET_DIR
  if command -v cargo >/dev/null || command -v rustc >/dev/null; then
    fail "cargo or rustc is still on the stripped PATH"
  fi
  bin="$(command -v leakfix)" || fail "leakfix is not on PATH after installing the wheel"
  case "$bin" in
    "$work/user-env/bin/leakfix") ;;
    *) fail "leakfix resolved to $bin, not the virtualenv's" ;;
  esac

  got_version="$(leakfix --version)"
  [ "$got_version" = "leakfix $version" ] || fail "--version printed '$got_version', expected 'leakfix $version'"
  echo "wheel-smoke: $got_version (from $bin, no cargo on PATH)"

  status=0
  leakfix check --color never . > "$work/check.out" || status=$?
  [ "$status" -eq 1 ] || fail "leakfix check exited $status, expected 1 (findings)"
  diff -u check.golden "$work/check.out" || fail "leakfix check output differs from check.golden"
  echo "wheel-smoke: leakfix check on golden/time-tick/const-duration matches check.golden (exit 1)"
)
echo "wheel-smoke: OK"
