#!/usr/bin/env bash
# Builds the fuzz targets, instruments the project's assemblies with SharpFuzz and runs every target (or the ones
# named) under afl-fuzz for N seconds each, from its seed corpus in fuzz/corpus/<target>/.
# Usage: fuzz/run.sh [seconds per target, default 30] [target ...]
# Fails (exit 1) when a target's seeds do not pass, afl-fuzz cannot run it, or AFL finds a crash; each crash's input
# is replayed and its exception printed. Hangs (an input over the 10 s limit) are reported, not failed: on a loaded
# machine a slow start looks the same. Writes fuzz/out/ (or $FUZZ_OUT): the instrumented build and the findings.
# With FUZZ_RESULTS=<file>, appends one line per target:
#   <target> <passed|failed> <seconds> <execs> <execs/s> <crashes> <hangs> <corpus entries>
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
FUZZ="$PWD"
seconds="${1:-30}"
[ $# -eq 0 ] || shift
OUT="${FUZZ_OUT:-$FUZZ/out}"
DLL="$OUT/bin/GitTorrent.Fuzz.dll"
log() { printf '==> %s\n' "$*" >&2; }

command -v afl-fuzz >/dev/null 2>&1 || { log "afl-fuzz is missing (Debian package afl++)"; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# A fresh publish each time: sharpfuzz rewrites the assemblies in place and refuses one it already instrumented.
rm -rf "$OUT/bin"
log "publishing fuzz/GitTorrent.Fuzz and instrumenting the project's assemblies"
dotnet publish GitTorrent.Fuzz/GitTorrent.Fuzz.csproj -c Release -o "$OUT/bin" -nologo -clp:ErrorsOnly >/dev/null
(cd .. && dotnet tool restore >/dev/null)
for assembly in GitTorrent.Engine GitTorrent.Indexer GitTorrent.Cli.Core; do
  (cd .. && dotnet tool run sharpfuzz "$OUT/bin/$assembly.dll" >/dev/null)
done

if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(dotnet "$DLL" list | cut -f1); fi

dictionary() {
  case "$1" in
    manifest) echo "$FUZZ/dictionaries/profile.dict" ;;
    profile) echo "$FUZZ/dictionaries/profile.dict $FUZZ/dictionaries/bencode.dict" ;;
    magnet|opreturn|remote-helper) echo "$FUZZ/dictionaries/text.dict" ;;
    issue) echo "$FUZZ/dictionaries/issue.dict $FUZZ/dictionaries/text.dict" ;;
    wire|handshake) ;;
    *) echo "$FUZZ/dictionaries/bencode.dict" ;;
  esac
}

stat_of() { awk -v key="$2" -F' *: *' '$1 == key { print $2 }' "$1" 2>/dev/null || true; }

failed=0
printf '%-16s %-7s %6s %10s %9s %8s %6s %7s\n' target result seconds execs 'execs/s' crashes hangs corpus >&2
for target in "${targets[@]}"; do
  corpus="$FUZZ/corpus/$target"
  findings="$OUT/findings/$target"
  rm -rf "$findings"
  mkdir -p "$OUT/findings"
  result=passed
  if [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
    log "$target: no seeds in $corpus"
    result=failed
  elif ! dotnet "$DLL" replay "$target" "$corpus"/* >"$findings.seeds.log" 2>&1; then
    log "$target: a seed fails the target"; cat "$findings.seeds.log" >&2
    result=failed
  else
    dict_args=()
    for file in $(dictionary "$target"); do dict_args+=(-x "$file"); done
    # dotnet is not an AFL-instrumented binary (SharpFuzz instruments the IL), the machine's core_pattern and CPU
    # governor are not ours to change, and the runtime can take long to start on a busy machine.
    if ! AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
         AFL_FORKSRV_INIT_TMOUT=120000 \
         timeout $((seconds + 600)) afl-fuzz -i "$corpus" -o "$findings" -V "$seconds" -t 10000 -m none "${dict_args[@]}" \
           -- dotnet "$DLL" "$target" >"$findings.log" 2>&1; then
      log "$target: afl-fuzz failed"; tail -n 30 "$findings.log" >&2
      result=failed
    fi
  fi
  stats="$findings/default/fuzzer_stats"
  execs="$(stat_of "$stats" execs_done)"; rate="$(stat_of "$stats" execs_per_sec)"; run="$(stat_of "$stats" run_time)"
  crashes="$(stat_of "$stats" saved_crashes)"; hangs="$(stat_of "$stats" saved_hangs)"; entries="$(stat_of "$stats" corpus_count)"
  if [ "${crashes:-0}" != 0 ]; then
    result=failed
    for crash in "$findings"/default/crashes/id:*; do
      log "$target: crash $crash"
      od -An -c "$crash" | head -n 8 >&2
      dotnet "$DLL" replay "$target" "$crash" 2>&1 | head -n 25 >&2 || true
    done
  fi
  [ "$result" = passed ] || failed=1
  line="$(printf '%-16s %-7s %6s %10s %9s %8s %6s %7s' "$target" "$result" "${run:--}" "${execs:--}" "${rate:--}" "${crashes:--}" "${hangs:--}" "${entries:--}")"
  echo "$line" >&2
  [ -z "${FUZZ_RESULTS:-}" ] || echo "$line" >>"$FUZZ_RESULTS"
done
exit "$failed"
