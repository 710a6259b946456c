#!/usr/bin/env bash
# Portal vs cgit (pages), portal archive vs git archive, smart-HTTP clone vs git http-backend, on the same repository.
#   bench/Portal/run.sh /path/to/libgit2.bundle [seconds=10] [connections=50] [pages|archive|clone|all]
# Needs: dotnet, git, wrk, lighttpd, cgit (Debian packages; ./test.sh installs them).
# Each measurement runs the portal and its baseline back to back (interleaved per page), prints the load average,
# requests/s, p99 and CPU seconds per request of the serving process (portal: the dotnet process; cgit: lighttpd and
# its CGI children). bench/README.md keeps the latest figures.
set -euo pipefail
BUNDLE="${1:?usage: run.sh /path/to/libgit2.bundle [seconds] [connections] [pages|archive|clone|all]}"
DURATION="${2:-10}"
CONNECTIONS="${3:-50}"
MODE="${4:-all}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$(mktemp -d /tmp/gittorrent-bench.XXXXXX)"
source "$ROOT/bench/common.sh"

echo "==> building the portal (Release)" >&2
dotnet build "$ROOT/src/Web" -c Release -v q -nologo >/dev/null
WEB_DLL="$ROOT/src/Web/bin/Release/net10.0/GitTorrent.Web.dll"

echo "==> preparing the repository" >&2
mkdir -p "$WORK/origin" "$WORK/data"
git clone -q --bare "$BUNDLE" "$WORK/origin/libgit2.git"
git -C "$WORK/origin/libgit2.git" symbolic-ref HEAD refs/heads/main

# cgit and git http-backend under lighttpd (CGI), both over the same bare repository.
LPORT="$(free_port)"
cat >"$WORK/cgitrc" <<CGIT
virtual-root=/cgit/
cache-size=0
enable-blame=1
css=/cgit-static/cgit.css
scan-path=$WORK/origin
CGIT
cat >"$WORK/lighttpd.conf" <<CONF
server.document-root = "$WORK/origin"
server.bind = "127.0.0.1"
server.port = $LPORT
server.errorlog = "$WORK/lighttpd.log"
server.max-connections = 1024
server.modules = ("mod_alias", "mod_cgi", "mod_setenv")
alias.url = ("/git" => "/usr/lib/git-core/git-http-backend", "/cgit-static/" => "/usr/share/cgit/", "/cgit" => "/usr/lib/cgit/cgit.cgi")
\$HTTP["url"] =~ "^/git(/|\$)" {
  cgi.assign = ("" => "")
  setenv.add-environment = ("GIT_PROJECT_ROOT" => "$WORK/origin", "GIT_HTTP_EXPORT_ALL" => "1")
}
\$HTTP["url"] =~ "^/cgit(/|\$)" {
  cgi.assign = ("" => "")
  setenv.add-environment = ("CGIT_CONFIG" => "$WORK/cgitrc")
}
CONF
/usr/sbin/lighttpd -D -f "$WORK/lighttpd.conf" & LIGHTTPD=$!; PIDS+=($LIGHTTPD)
wait_http "http://127.0.0.1:$LPORT/cgit/"

# The portal mirrors the same repository from that origin (one local sync, no network).
export GitTorrent__DataDir="$WORK/data" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
export GitTorrent__Bootstrap="" GitTorrent__DhtPort=0 GitTorrent__BtPort=0 GitTorrent__Bind=127.0.0.1
PORTAL_ID="$(dotnet "$WEB_DLL" whoami)"
dotnet "$WEB_DLL" mirror add "http://127.0.0.1:$LPORT/git/libgit2.git" --name libgit2 --interval 30d >/dev/null
dotnet "$WEB_DLL" mirror sync libgit2 >/dev/null
PPORT="$(free_port)"
dotnet "$WEB_DLL" --urls "http://127.0.0.1:$PPORT" >"$WORK/portal.log" 2>&1 & PORTAL=$!; PIDS+=($PORTAL)
wait_http "http://127.0.0.1:$PPORT/healthz"
echo "cores: $(nproc); portal pid $PORTAL, lighttpd pid $LIGHTTPD; start load: $(load)"

P="http://127.0.0.1:$PPORT/u/$PORTAL_ID/libgit2"
C="http://127.0.0.1:$LPORT/cgit/libgit2.git"
R="$WORK/origin/libgit2.git"

# "uncached": every request a different URL (?q=<random>: a key of the page cache that these pages ignore) and
# Cache-Control: no-cache, so each one misses the whole-page cache (and is not stored in it) and is rendered from the
# listing/file/blame/history caches. cgit (cache-size=0) caches nothing.
cat >"$WORK/uncached.lua" <<'LUA'
request = function() return wrk.format(nil, wrk.path .. "?q=" .. math.random(1, 1000000000)) end
LUA

# run_wrk NAME URL PID [uncached]: one measurement line.
run_wrk() {
  local name="$1" url="$2" pid="$3" script=()
  [ "${4:-}" = uncached ] && script=(-s "$WORK/uncached.lua" -H "Cache-Control: no-cache")
  local code; code="$(curl -s -o /dev/null -w '%{http_code}' "$url")"
  [ "$code" = 200 ] || { echo "$name: $url answered $code" >&2; exit 1; }
  wrk -t2 -c"$CONNECTIONS" -d3s --timeout 10s "${script[@]}" "$url" >/dev/null   # warm-up
  local before after out rps p99 requests errors
  before="$(cpu_seconds "$pid")"
  out="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency "${script[@]}" "$url")"
  after="$(cpu_seconds "$pid")"
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  requests="$(awk '/requests in/ {print $1}' <<<"$out")"
  errors="$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)"
  echo "$name req/s=$rps p99=$p99 requests=$requests cpu/req=$(echo "scale=6; ($after - $before) / ($requests + 0.000001)" | bc)s load=$(load) $errors"
}

if [ "$MODE" = pages ] || [ "$MODE" = all ]; then
  # The last-commit column of src/libgit2 and the history are computed once before measuring (their first run walks history).
  curl -s -o /dev/null "$P/tree/main/src/libgit2"; curl -s -o /dev/null "$P/commits/main/src/libgit2/repository.c"
  sleep 5; curl -s -o /dev/null "$P/tree/main/src/libgit2"
  for page in ${PAGES:-tree blob blame history}; do
    case "$page" in
      tree) pu="$P/tree/main/src/libgit2"; cu="$C/tree/src/libgit2" ;;
      blob) pu="$P/blob/main/src/libgit2/repository.c"; cu="$C/tree/src/libgit2/repository.c" ;;
      blame) pu="$P/blame/main/README.md"; cu="$C/blame/README.md" ;;
      history) pu="$P/commits/main/src/libgit2/repository.c"; cu="$C/log/src/libgit2/repository.c" ;;
    esac
    run_wrk "portal-$page-uncached" "$pu" "$PORTAL" uncached
    run_wrk "cgit-$page" "$cu" "$LIGHTTPD" uncached
    # One request alone, for pages where cgit completes nothing within wrk's timeout under load (blame).
    echo "cgit-$page-single time=$(curl -s -o /dev/null --max-time 120 -w '%{time_total}' "$cu")s load=$(load)"
    run_wrk "portal-$page-cached" "$pu" "$PORTAL"
  done
fi

if [ "$MODE" = archive ] || [ "$MODE" = all ]; then
  # Archive of main as tar.gz: the portal's download vs git archive run directly, 5 interleaved rounds, medians.
  TP=(); TG=()
  for round in 1 2 3 4 5; do
    TP+=("$(curl -s -o /dev/null -w '%{time_total}' "$P/archive/main.tar.gz")")
    s="$(date +%s.%N)"; git -C "$R" archive --format=tar.gz --prefix=libgit2-main/ main >/dev/null; e="$(date +%s.%N)"
    TG+=("$(echo "$e - $s" | bc)")
  done
  tp="$(printf '%s\n' "${TP[@]}" | median)"; tg="$(printf '%s\n' "${TG[@]}" | median)"
  echo "archive portal=${tp}s git-archive=${tg}s ratio=$(echo "scale=3; $tp / $tg" | bc) load=$(load) (portal: ${TP[*]}; git archive: ${TG[*]})"
fi

if [ "$MODE" = clone ] || [ "$MODE" = all ]; then
  # Clones alternate between the two servers (5 rounds); the figure is each side's median.
  clone_once() {
    rm -rf "$WORK/clone"
    local start end
    start="$(date +%s.%N)"
    git clone -q --bare "$1" "$WORK/clone"
    end="$(date +%s.%N)"
    git -C "$WORK/clone" fsck --connectivity-only 2>/dev/null
    echo "$end - $start" | bc
  }
  TP=(); TB=()
  for round in 1 2 3 4 5; do
    TP+=("$(clone_once "http://127.0.0.1:$PPORT/$PORTAL_ID/libgit2.git")")
    TB+=("$(clone_once "http://127.0.0.1:$LPORT/git/libgit2.git")")
  done
  tp="$(printf '%s\n' "${TP[@]}" | median)"
  tb="$(printf '%s\n' "${TB[@]}" | median)"
  echo "clone portal=${tp}s http-backend=${tb}s ratio=$(echo "scale=3; $tp / $tb" | bc) load=$(load) (portal: ${TP[*]}; http-backend: ${TB[*]})"
fi
