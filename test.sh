#!/usr/bin/env bash
# Runs every test of the solution against real parts: a throwaway PostgreSQL on 127.0.0.1, the real portal
# process, the real CLI programs, docker-compose's validator and (for the interop suites) the third-party peers.
# Idempotent: installs only what is missing. Works as root on a fresh Debian 12 with the .NET SDK.
# The last line it prints is "N passed, N failed[, N skipped]", counted from the TRX files of this run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$PWD"

log() { printf '==> %s\n' "$*" >&2; }

# --- 1. Debian packages ------------------------------------------------------------------------------------
APT_PACKAGES=(postgresql git chromium python3-libtorrent python3-cryptography aria2 opentracker
              transmission-cli transmission-daemon cgit lighttpd wrk nginx buildah debootstrap afl++)
missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s ' "$p"
  done
}
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Node.js runs the interop peers; keep a newer one that is already on PATH (Debian's is 18).
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)
missing="$(missing_packages "${APT_PACKAGES[@]}")"
missing_compose="$(missing_packages docker-compose)"
if [ -n "$missing$missing_compose" ]; then
  log "installing Debian packages: $missing$missing_compose"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  # shellcheck disable=SC2086
  [ -z "$missing" ] || as_root apt-get install -y -qq $missing >/dev/null
  [ -z "$missing_compose" ] || as_root apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi

# --- 2. Node peers for the interop tests (bittorrent-dht, ut_gittorrent, bcoin) -------------------------------
NODE_DIR="$ROOT/tests/Interop/node"
if [ -f "$NODE_DIR/package-lock.json" ]; then
  if ! cmp -s "$NODE_DIR/package-lock.json" "$NODE_DIR/.installed-lock.json" 2>/dev/null || [ ! -d "$NODE_DIR/node_modules" ]; then
    log "npm ci in tests/Interop/node"
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    cp "$NODE_DIR/package-lock.json" "$NODE_DIR/.installed-lock.json"
  fi
fi

# --- 3. A throwaway PostgreSQL on 127.0.0.1 ----------------------------------------------------------------
PG_DIR=""
stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR" ]; then
    run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

if [ -z "${GITTORRENT_TEST_POSTGRES:-}" ]; then
  PG_BIN="/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -n 1)/bin"
  PG_PORT="${GITTORRENT_TEST_PG_PORT:-$(free_port 55432)}"
  PG_DIR="$(mktemp -d /tmp/gittorrent-pg.XXXXXX)"
  trap stop_postgres EXIT
  PG_PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  printf '%s\n' "$PG_PASSWORD" >"$PG_DIR/pwfile"
  mkdir -p "$PG_DIR/sock"
  [ "$(id -u)" -ne 0 ] || chown -R postgres:postgres "$PG_DIR"
  log "starting PostgreSQL ($PG_BIN) on 127.0.0.1:$PG_PORT"
  run_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --pwfile="$PG_DIR/pwfile" --auth=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
  run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR/sock -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; exit 1; }
  export GITTORRENT_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=$PG_PASSWORD;Database=postgres"
fi

# --- 4. Build once, then run every test project -------------------------------------------------------------
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
RESULTS="$ROOT/TestResults/run-$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$RESULTS"
log "dotnet build GitTorrent.slnx"
build_rc=0
dotnet build GitTorrent.slnx -nologo -clp:ErrorsOnly || build_rc=$?
test_rc=0
missing_trx=0
if [ "$build_rc" -eq 0 ]; then
  # One project at a time with a TRX file named after it: the logger's default names are per-second
  # timestamps, which projects finishing in the same second would overwrite.
  mapfile -t TEST_PROJECTS < <(grep -o 'tests/[^"]*\.Tests\.csproj' GitTorrent.slnx)
  for project in "${TEST_PROJECTS[@]}"; do
    name="$(basename "$project" .csproj)"
    log "dotnet test $project"
    # Every await in a test has its own timeout; the hang guard only stops a wedged test host.
    dotnet test "$project" --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS" \
      --blame-hang-timeout 10m --blame-hang-dump-type none || test_rc=$?
    if [ ! -f "$RESULTS/$name.trx" ]; then
      log "$project produced no results (crashed?)"
      missing_trx=1
    fi
  done
fi

# --- 5. Fuzzing: every target of fuzz/ under afl-fuzz for a short run; a crash fails the run -----------------------
# Each target counts as one test (fuzz/README.md; GITTORRENT_FUZZ_SECONDS changes the length, 10 s by default).
fuzz_passed=0
fuzz_failed=0
if [ "$build_rc" -eq 0 ]; then
  log "fuzz/run.sh ${GITTORRENT_FUZZ_SECONDS:-10}"
  fuzz_rc=0
  FUZZ_RESULTS="$RESULTS/fuzz.txt" fuzz/run.sh "${GITTORRENT_FUZZ_SECONDS:-10}" || fuzz_rc=$?
  fuzz_passed="$(awk '$2 == "passed"' "$RESULTS/fuzz.txt" 2>/dev/null | wc -l)"
  fuzz_failed="$(awk '$2 != "passed"' "$RESULTS/fuzz.txt" 2>/dev/null | wc -l)"
  if [ "$fuzz_rc" -ne 0 ] && [ "$fuzz_failed" -eq 0 ]; then log "fuzz/run.sh exited $fuzz_rc"; fuzz_failed=1; fi
fi

# --- 6. Count from the TRX files and the fuzz results --------------------------------------------------------
read -r passed failed skipped < <(python3 - "$RESULTS" <<'PY'
import glob, sys
import xml.etree.ElementTree as ET
ns = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    counters = ET.parse(path).getroot().find(f"{ns}ResultSummary/{ns}Counters")
    if counters is None:
        continue
    n = lambda name: int(counters.get(name, "0"))
    passed += n("passed")
    failed += n("failed") + n("error") + n("timeout") + n("aborted")
    skipped += n("notExecuted")
print(passed, failed, skipped)
PY
)

passed=$((passed + fuzz_passed))
failed=$((failed + fuzz_failed))

status=0
if [ "$build_rc" -ne 0 ]; then log "the build failed (exit $build_rc)"; status=1; fi
if [ "$test_rc" -ne 0 ]; then log "dotnet test exited $test_rc"; status=1; fi
if [ "$missing_trx" -ne 0 ]; then status=1; fi
if [ "$failed" -ne 0 ]; then status=1; fi
if [ $((passed + failed)) -eq 0 ]; then log "no test ran"; status=1; fi
if [ "$skipped" -ne 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit "$status"
