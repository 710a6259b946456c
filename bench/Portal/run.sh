#!/usr/bin/env bash
# Portal vs cgit (and smart-HTTP clone vs git http-backend) on the same repository, same machine.
#   bench/Portal/run.sh /path/to/libgit2.bundle [duration-seconds] [connections]
# Needs: dotnet, git, wrk, lighttpd, cgit (Debian packages; ./test.sh installs them).
# Prints one line per measurement; bench/README.md keeps the latest figures.
set -euo pipefail
BUNDLE="${1:?usage: run.sh /path/to/libgit2.bundle [seconds] [connections]}"
DURATION="${2:-20}"
CONNECTIONS="${3:-50}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$(mktemp -d /tmp/gittorrent-bench.XXXXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 240); do curl -fs -o /dev/null "$1" && return 0; sleep 0.5; done; echo "timeout waiting for $1" >&2; return 1; }

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
scan-path=$WORK/origin
cache-size=0
css=/cgit-static/cgit.css
CGIT
cat >"$WORK/lighttpd.conf" <<CONF
server.document-root = "$WORK/origin"
server.bind = "127.0.0.1"
server.port = $LPORT
server.errorlog = "$WORK/lighttpd.log"
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
/usr/sbin/lighttpd -D -f "$WORK/lighttpd.conf" & PIDS+=($!)
wait_http "http://127.0.0.1:$LPORT/cgit/"

# The portal mirrors the same repository from that origin (one local sync, no network).
export GitTorrent__DataDir="$WORK/data" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
PORTAL_ID="$(dotnet "$WEB_DLL" whoami)"
dotnet "$WEB_DLL" mirror add "http://127.0.0.1:$LPORT/git/libgit2.git" --name libgit2 --interval 30d >/dev/null
dotnet "$WEB_DLL" mirror sync libgit2 >/dev/null
PPORT="$(free_port)"
dotnet "$WEB_DLL" --urls "http://127.0.0.1:$PPORT" >"$WORK/portal.log" 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$PPORT/healthz"

P="http://127.0.0.1:$PPORT/u/$PORTAL_ID/libgit2"
C="http://127.0.0.1:$LPORT/cgit/libgit2.git"
declare -A URLS=(
  [portal-tree]="$P/tree/main/src/libgit2"
  [portal-blob]="$P/blob/main/src/libgit2/repository.c"
  [cgit-tree]="$C/tree/src/libgit2"
  [cgit-blob]="$C/tree/src/libgit2/repository.c"
)
# "uncached": a random ?page= makes every request miss the whole-page output cache (repository pages ignore it
# outside the commit log), so those lines measure rendering from the in-memory listing/file caches.
cat >"$WORK/uncached.lua" <<'LUA'
request = function() return wrk.format(nil, wrk.path .. "?page=" .. math.random(1, 100000)) end
LUA
URLS[portal-tree-uncached]="${URLS[portal-tree]}"
URLS[portal-blob-uncached]="${URLS[portal-blob]}"
for name in portal-tree portal-blob portal-tree-uncached portal-blob-uncached cgit-tree cgit-blob; do
  url="${URLS[$name]}"
  script=()
  [[ "$name" == *-uncached ]] && script=(-s "$WORK/uncached.lua")
  code="$(curl -s -o /dev/null -w '%{http_code}' "$url")"
  [ "$code" = 200 ] || { echo "$name: $url answered $code" >&2; exit 1; }
  wrk -t2 -c"$CONNECTIONS" -d5s "${script[@]}" "$url" >/dev/null   # warm-up
  out="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "${script[@]}" "$url")"
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  errors="$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)"
  echo "$name req/s=$rps p99=$p99 $errors"
done

# Clones alternate between the two servers (5 rounds) so that load from other processes hits both alike;
# the figure is each side's median.
clone_once() {
  rm -rf "$WORK/clone"
  local start end
  start="$(date +%s.%N)"
  git clone -q --bare "$1" "$WORK/clone"
  end="$(date +%s.%N)"
  git -C "$WORK/clone" fsck --connectivity-only 2>/dev/null
  echo "$end - $start" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
TP=(); TB=()
for round in 1 2 3 4 5; do
  TP+=("$(clone_once "http://127.0.0.1:$PPORT/$PORTAL_ID/libgit2.git")")
  TB+=("$(clone_once "http://127.0.0.1:$LPORT/git/libgit2.git")")
done
tp="$(printf '%s\n' "${TP[@]}" | median)"
tb="$(printf '%s\n' "${TB[@]}" | median)"
echo "clone portal=${tp}s http-backend=${tb}s ratio=$(echo "scale=3; $tp / $tb" | bc) (portal: ${TP[*]}; http-backend: ${TB[*]})"
