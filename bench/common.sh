# Helpers shared by the bench shell scripts (sourced): child processes killed and the work folder removed on exit,
# free loopback ports, waiting for a URL, CPU seconds of a process, the load average and medians.
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done; rm -rf "$WORK" || true; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 240); do curl -fs -o /dev/null "$1" && return 0; sleep 0.5; done; echo "timeout waiting for $1" >&2; return 1; }
# CPU seconds (user+system, with reaped children) of a process, from /proc/<pid>/stat.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13 + $14 + $15) / hz }' "/proc/$1/stat"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
# The median of numbers on standard input, one a line (the lower middle one for an even count).
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
