#!/usr/bin/env bash
# git clone --bundle-uri from the portal vs a plain smart-HTTP clone from the portal, on the same repository.
#   bench/Bundle/run.sh /path/to/libgit2.bundle [rounds=5]
# Needs: dotnet, git, lighttpd (Debian packages; ./test.sh installs them). Everything on 127.0.0.1.
# The portal mirrors the repository from a local git http-backend (one sync), then clones alternate between
#   plain:  git clone --bare http://PORTAL/<id>/libgit2.git
#   bundle: git clone --bare --bundle-uri=http://PORTAL/<id>/libgit2.bundle http://PORTAL/<id>/libgit2.git
# after one warm-up clone of each (the bundle's pack is built once and cached, as the swarm's packs are). Printed per
# side: median wall seconds, the portal's CPU seconds per clone (user+system of the dotnet process with its reaped
# children: git upload-pack and pack-objects) as measured and net of the portal's idle CPU over the clone's wall time,
# the bundle download alone, and the load average. bench/Bundle/README.md keeps the latest figures.
set -euo pipefail
BUNDLE="${1:?usage: run.sh /path/to/libgit2.bundle [rounds]}"
ROUNDS="${2:-5}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$(mktemp -d /tmp/gittorrent-bench-bundle.XXXXXX)"
source "$ROOT/bench/common.sh"

echo "==> building the portal (Release)" >&2
dotnet build "$ROOT/src/Web" -c Release -v q -nologo >/dev/null
WEB_DLL="$ROOT/src/Web/bin/Release/net10.0/GitTorrent.Web.dll"

echo "==> preparing the repository" >&2
mkdir -p "$WORK/origin" "$WORK/data"
git clone -q --bare "$BUNDLE" "$WORK/origin/libgit2.git"
git -C "$WORK/origin/libgit2.git" symbolic-ref HEAD refs/heads/main
LPORT="$(free_port)"
cat >"$WORK/lighttpd.conf" <<CONF
server.document-root = "$WORK/origin"
server.bind = "127.0.0.1"
server.port = $LPORT
server.errorlog = "$WORK/lighttpd.log"
server.modules = ("mod_alias", "mod_cgi", "mod_setenv")
alias.url = ("/git" => "/usr/lib/git-core/git-http-backend")
\$HTTP["url"] =~ "^/git(/|\$)" {
  cgi.assign = ("" => "")
  setenv.add-environment = ("GIT_PROJECT_ROOT" => "$WORK/origin", "GIT_HTTP_EXPORT_ALL" => "1")
}
CONF
/usr/sbin/lighttpd -D -f "$WORK/lighttpd.conf" & PIDS+=($!)
wait_http "http://127.0.0.1:$LPORT/git/libgit2.git/info/refs?service=git-upload-pack"

export GitTorrent__DataDir="$WORK/data" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
export GitTorrent__Bootstrap="" GitTorrent__DhtPort=0 GitTorrent__BtPort=0 GitTorrent__Bind=127.0.0.1 GitTorrent__MirrorPollInterval=01:00:00
PORTAL_ID="$(dotnet "$WEB_DLL" whoami)"
dotnet "$WEB_DLL" mirror add "http://127.0.0.1:$LPORT/git/libgit2.git" --name libgit2 --interval 30d >/dev/null
dotnet "$WEB_DLL" mirror sync libgit2 >/dev/null
PPORT="$(free_port)"
dotnet "$WEB_DLL" --urls "http://127.0.0.1:$PPORT" >"$WORK/portal.log" 2>&1 & PORTAL=$!; PIDS+=($PORTAL)
wait_http "http://127.0.0.1:$PPORT/healthz"
GIT_URL="http://127.0.0.1:$PPORT/$PORTAL_ID/libgit2.git"
BUNDLE_URL="http://127.0.0.1:$PPORT/$PORTAL_ID/libgit2.bundle"
echo "cores: $(nproc); git $(git --version | cut -d' ' -f3); portal pid $PORTAL; start load: $(load)"

# One clone: prints "<wall seconds> <portal CPU seconds>"; the clone must be complete.
clone_once() {
  rm -rf "$WORK/clone"
  local start end cpu0 cpu1
  cpu0="$(cpu_seconds "$PORTAL")"; start="$(date +%s.%N)"
  git clone -q --bare "$@" "$WORK/clone"
  end="$(date +%s.%N)"; sleep 0.2; cpu1="$(cpu_seconds "$PORTAL")"
  git -C "$WORK/clone" fsck --connectivity-only 2>/dev/null
  [ "$(git -C "$WORK/clone" rev-parse refs/heads/main)" = "$(git -C "$WORK/origin/libgit2.git" rev-parse refs/heads/main)" ]
  echo "$(echo "$end - $start" | bc) $(echo "$cpu1 - $cpu0" | bc)"
}

echo "==> warm-up (builds the bundle's pack once)" >&2
read -r w c < <(clone_once "--bundle-uri=$BUNDLE_URL" "$GIT_URL"); echo "warm-up bundle clone: ${w}s, portal CPU ${c}s (pack built)"
read -r w c < <(clone_once "$GIT_URL"); echo "warm-up plain clone: ${w}s, portal CPU ${c}s"
echo "bundle: $(curl -sI "$BUNDLE_URL" | tr -d '\r' | grep -iE '^(content-length|etag|cache-control):' | tr '\n' ' ')"

# What the portal spends doing nothing (its background services: timers, the DHT node, job polling), per second of
# wall time; measured before and after the rounds. A clone's "net" CPU is its CPU minus this rate times its wall time.
idle_rate() { local a b; a="$(cpu_seconds "$PORTAL")"; sleep 20; b="$(cpu_seconds "$PORTAL")"; echo "scale=5; ($b - $a) / 20" | bc; }
IDLE_BEFORE="$(idle_rate)"
echo "idle portal CPU before the rounds: ${IDLE_BEFORE}s per second"

PW=(); PC=(); BW=(); BC=(); DC=()
for round in $(seq 1 "$ROUNDS"); do
  read -r w c < <(clone_once "$GIT_URL"); PW+=("$w"); PC+=("$c")
  read -r w c < <(clone_once "--bundle-uri=$BUNDLE_URL" "$GIT_URL"); BW+=("$w"); BC+=("$c")
  # The bundle download alone (curl), to split the bundle clone's CPU into the file and the fetch after it.
  cpu0="$(cpu_seconds "$PORTAL")"; curl -fs -o /dev/null "$BUNDLE_URL"; sleep 0.2; cpu1="$(cpu_seconds "$PORTAL")"; DC+=("$(echo "$cpu1 - $cpu0" | bc)")
  echo "round $round: plain ${PW[-1]}s cpu ${PC[-1]}s | bundle ${BW[-1]}s cpu ${BC[-1]}s (bundle download alone: cpu ${DC[-1]}s) | load $(load)"
done
IDLE_AFTER="$(idle_rate)"
IDLE="$(echo "scale=5; ($IDLE_BEFORE + $IDLE_AFTER) / 2" | bc)"
echo "idle portal CPU after the rounds: ${IDLE_AFTER}s per second; used: ${IDLE}s per second"
net() { paste -d' ' <(printf '%s\n' "$@" | head -n "$ROUNDS") <(printf '%s\n' "$@" | tail -n "$ROUNDS") | while read -r c w; do echo "scale=4; $c - $IDLE * $w" | bc; done; }
pn="$(net "${PC[@]}" "${PW[@]}" | median)"; bn="$(net "${BC[@]}" "${BW[@]}" | median)"
pw="$(printf '%s\n' "${PW[@]}" | median)"; bw="$(printf '%s\n' "${BW[@]}" | median)"
pc="$(printf '%s\n' "${PC[@]}" | median)"; bc_="$(printf '%s\n' "${BC[@]}" | median)"
echo "median wall: bundle ${bw}s plain ${pw}s ratio $(echo "scale=3; $bw / $pw" | bc) (target <= 1.0)"
echo "median portal CPU per clone: bundle ${bc_}s plain ${pc}s ratio $(echo "scale=3; $bc_ / $pc" | bc) (target <= 0.3)"
echo "median net portal CPU per clone (minus idle rate x wall): bundle ${bn}s plain ${pn}s ratio $(echo "scale=3; $bn / $pn" | bc) (target <= 0.3)"
echo "median portal CPU of the bundle download alone: $(printf '%s\n' "${DC[@]}" | median)s"
echo "end load: $(load)"
