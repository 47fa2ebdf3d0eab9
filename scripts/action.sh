#!/usr/bin/env bash
# The logic of the leakfix GitHub Action (action.yml), kept here so it can be run and tested
# outside GitHub. Two steps:
#
#   scripts/action.sh install   # put a leakfix on PATH: release binary, wheel or cargo
#   scripts/action.sh run       # check (annotations + SARIF) or pr
#
# Inputs come from the environment (action.yml maps its inputs onto these names):
#   LEAKFIX_INSTALL      binary (default) | wheel | cargo
#   LEAKFIX_VERSION      the release to install; default: the version in this checkout's
#                        Cargo.toml, so pinning the action's ref pins the binary too
#   LEAKFIX_SHA256       optional: the expected SHA-256 of the release archive; without it
#                        the archive is checked against the release's SHA256SUMS
#   LEAKFIX_REPOSITORY   OWNER/NAME whose GitHub releases hold the binaries
#   LEAKFIX_RELEASE_URL  the base URL of the release assets (overrides the two above;
#                        any URL curl reads, file:// included, which the tests use)
#   LEAKFIX_BIN_DIR      where install puts leakfix (default: $RUNNER_TEMP/leakfix/bin)
#   LEAKFIX_MODE         check (default) | pr
#   LEAKFIX_WORKING_DIRECTORY  the directory the paths are relative to (default .)
#   LEAKFIX_PATHS        paths or Go patterns, separated by spaces (default ./...)
#   LEAKFIX_ARGS         extra flags for leakfix
#   LEAKFIX_FAIL_ON      new (default) | any | never: which findings fail the step
#   LEAKFIX_BASE         the revision "new" is measured from (the pull request's base);
#                        empty: every finding is new
#   LEAKFIX_SARIF        where check writes SARIF (default leakfix.sarif; empty: none)
#   LEAKFIX_TOKEN        the token pr pushes and opens the pull request with
#
# Exit codes: 0 the step passes, 1 findings that fail-on counts, 2 usage or install errors.
set -euo pipefail
set -f # paths such as ./... are patterns for leakfix, never for the shell

action_dir="$(cd "$(dirname "$0")/.." && pwd)"

die() {
  echo "::error title=leakfix::$*"
  exit 2
}

# The Rust target triple of this runner, which names the release archive.
target_triple() {
  local os arch
  os="${RUNNER_OS:-$(uname -s)}"
  arch="${RUNNER_ARCH:-$(uname -m)}"
  case "$arch" in
    X64 | x86_64 | amd64) arch=x86_64 ;;
    ARM64 | aarch64 | arm64) arch=aarch64 ;;
    *) die "no leakfix release binary for the architecture $arch; use install: wheel or cargo" ;;
  esac
  case "$os" in
    Linux) echo "$arch-unknown-linux-musl" ;;
    macOS | Darwin) echo "$arch-apple-darwin" ;;
    Windows | MINGW* | MSYS* | CYGWIN*)
      [ "$arch" = x86_64 ] || die "no leakfix release binary for Windows on $arch"
      echo "x86_64-pc-windows-msvc"
      ;;
    *) die "no leakfix release binary for $os; use install: wheel or cargo" ;;
  esac
}

default_version() {
  sed -n 's/^version = "\(.*\)"$/\1/p' "$action_dir/Cargo.toml" | head -n 1
}

sha256_of() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 "$1" | cut -d ' ' -f 1
  fi
}

install_binary() {
  local version="$1" bin_dir="$2" triple archive base work expected actual
  triple="$(target_triple)"
  case "$triple" in
    *windows*) archive="leakfix-$triple.zip" ;;
    *) archive="leakfix-$triple.tar.gz" ;;
  esac
  if [ -n "${LEAKFIX_RELEASE_URL:-}" ]; then
    base="${LEAKFIX_RELEASE_URL%/}"
  else
    [ -n "${LEAKFIX_REPOSITORY:-}" ] || die "set the repository input (OWNER/NAME with leakfix releases), or use install: wheel or cargo"
    base="https://github.com/$LEAKFIX_REPOSITORY/releases/download/v$version"
  fi
  work="$(mktemp -d)"
  echo "leakfix: downloading $base/$archive"
  curl --fail --silent --show-error --location --retry 3 -o "$work/$archive" "$base/$archive" \
    || die "could not download $base/$archive"
  if [ -n "${LEAKFIX_SHA256:-}" ]; then
    expected="$LEAKFIX_SHA256"
  else
    curl --fail --silent --show-error --location --retry 3 -o "$work/SHA256SUMS" "$base/SHA256SUMS" \
      || die "could not download $base/SHA256SUMS"
    expected="$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1 }' "$work/SHA256SUMS")"
    [ -n "$expected" ] || die "SHA256SUMS of v$version has no line for $archive"
  fi
  actual="$(sha256_of "$work/$archive")"
  if [ "$actual" != "$expected" ]; then
    die "checksum mismatch for $archive: expected $expected, got $actual"
  fi
  echo "leakfix: $archive sha256 $actual verified"
  mkdir -p "$bin_dir"
  case "$archive" in
    *.zip) unzip -q -o "$work/$archive" -d "$work/unpacked" ;;
    *) mkdir -p "$work/unpacked" && tar -xzf "$work/$archive" -C "$work/unpacked" ;;
  esac
  find "$work/unpacked" -type f \( -name leakfix -o -name leakfix.exe \) -exec cp {} "$bin_dir/" \;
  chmod +x "$bin_dir"/leakfix* 2>/dev/null || true
  rm -rf "$work"
}

install_wheel() {
  local version="$1" bin_dir="$2" env_dir
  env_dir="$(dirname "$bin_dir")/venv"
  python3 -m venv "$env_dir" || die "python3 -m venv failed; install: wheel needs Python 3.8+"
  "$env_dir/bin/python" -m pip install --quiet --disable-pip-version-check "leakfix==$version" \
    || die "pip could not install leakfix==$version"
  mkdir -p "$bin_dir"
  ln -sf "$env_dir/bin/leakfix" "$bin_dir/leakfix"
}

install_cargo() {
  local bin_dir="$1"
  command -v cargo >/dev/null || die "install: cargo needs a Rust toolchain on the runner"
  # A fixed target directory (which action.yml caches) makes a repeated build incremental.
  CARGO_TARGET_DIR="${LEAKFIX_CARGO_TARGET_DIR:-$action_dir/target}" \
    cargo install --locked --features vendored-openssl --path "$action_dir" \
    --root "$(dirname "$bin_dir")" || die "cargo install failed"
}

install() {
  local how="${LEAKFIX_INSTALL:-binary}" version="${LEAKFIX_VERSION:-}"
  local bin_dir="${LEAKFIX_BIN_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/leakfix/bin}"
  [ -n "$version" ] || version="$(default_version)"
  version="${version#v}"
  case "$how" in
    binary) install_binary "$version" "$bin_dir" ;;
    wheel) install_wheel "$version" "$bin_dir" ;;
    cargo) install_cargo "$bin_dir" ;;
    *) die "the install input must be binary, wheel or cargo, not '$how'" ;;
  esac
  "$bin_dir/leakfix" --version || die "the installed leakfix does not run"
  if [ -n "${GITHUB_PATH:-}" ]; then
    echo "$bin_dir" >> "$GITHUB_PATH"
  fi
}

# The paths relative to the working directory, rewritten relative to the current directory
# (the repository root in a workflow) so that annotations and SARIF name files as GitHub does.
resolve_paths() {
  local wd="${LEAKFIX_WORKING_DIRECTORY:-.}" path
  wd="${wd%/}"
  for path in ${LEAKFIX_PATHS:-./...}; do
    if [ "$wd" = . ] || [ "${path#/}" != "$path" ]; then
      echo "$path"
      continue
    fi
    path="${path#./}"
    case "$path" in
      . | "") echo "$wd" ;;
      *) echo "$wd/$path" ;;
    esac
  done
}

# Sets the globals paths and args; a loop rather than mapfile, since macOS ships bash 3.2.
read_paths() {
  local path
  paths=()
  while IFS= read -r path; do
    paths+=("$path")
  done < <(resolve_paths)
  args=()
  read -r -a args <<< "${LEAKFIX_ARGS:-}"
}

# Makes sure the base revision is in the clone: actions/checkout fetches one commit.
ensure_base() {
  local base="$1"
  if ! git rev-parse --quiet --verify "$base^{commit}" >/dev/null 2>&1; then
    echo "leakfix: fetching $base to compare with"
    git fetch --quiet --no-tags --depth=1 origin "$base" \
      || die "could not fetch the base revision $base; use actions/checkout with fetch-depth: 0"
  fi
}

run_check() {
  local fail_on="${LEAKFIX_FAIL_ON:-new}" sarif="${LEAKFIX_SARIF-leakfix.sarif}"
  local base="${LEAKFIX_BASE:-}" any=0 new=0
  local -a new_flags=()
  read_paths
  case "$fail_on" in
    new | any | never) ;;
    *) die "the fail-on input must be new, any or never, not '$fail_on'" ;;
  esac

  # Every finding goes to SARIF (code scanning tracks which ones are new by itself).
  if [ -n "$sarif" ]; then
    leakfix check --format sarif ${args[@]+"${args[@]}"} "${paths[@]}" > "$sarif" || any=$?
    [ "$any" -le 1 ] || exit "$any"
    echo "leakfix: wrote $sarif"
  fi

  # Annotations: on a pull request only the findings on lines it adds or changes, which
  # is what `--new-from-rev` selects; without a base every finding is new.
  if [ -n "$base" ]; then
    ensure_base "$base"
    new_flags=(--new-from-rev "$base")
  fi
  leakfix check --format github ${new_flags[@]+"${new_flags[@]}"} ${args[@]+"${args[@]}"} "${paths[@]}" || new=$?
  [ "$new" -le 1 ] || exit "$new"
  if [ -z "$sarif" ]; then
    if [ -n "$base" ]; then
      leakfix check --format text ${args[@]+"${args[@]}"} "${paths[@]}" > /dev/null || any=$?
      [ "$any" -le 1 ] || exit "$any"
    else
      any=$new
    fi
  fi

  local summary word_any=none word_new=none
  [ "$any" -eq 0 ] || word_any=yes
  [ "$new" -eq 0 ] || word_new=yes
  summary="leakfix: findings: $word_any; new findings: $word_new${base:+ (since $base)}; fail-on: $fail_on"
  echo "$summary"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    echo "$summary" >> "$GITHUB_STEP_SUMMARY"
  fi
  case "$fail_on" in
    any) return "$any" ;;
    new) return "$new" ;;
    never) return 0 ;;
  esac
}

run_pr() {
  read_paths
  GITHUB_TOKEN="${LEAKFIX_TOKEN:-${GITHUB_TOKEN:-}}" \
    leakfix pr --branch leakfix/fixes ${args[@]+"${args[@]}"} "${paths[@]}"
}

case "${1:-}" in
  install) install ;;
  run)
    case "${LEAKFIX_MODE:-check}" in
      check) run_check ;;
      pr) run_pr ;;
      *) die "the mode input must be check or pr, not '${LEAKFIX_MODE}'" ;;
    esac
    ;;
  *)
    echo "usage: scripts/action.sh install|run (inputs in LEAKFIX_* variables; see the top of this file)" >&2
    exit 2
    ;;
esac
