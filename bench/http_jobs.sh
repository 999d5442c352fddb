#!/usr/bin/env bash
# http_jobs: how fast `i360bridge serve` answers GET /api/jobs at 100 connections.
# Starts i360-sandbox (auto-approve) and i360bridge serve on a fresh SQLite store,
# connects an org over the real OAuth flow, makes OCC users for every staff email and
# syncs, so the org holds every linked appointment as a job; then runs wrk for DURATION
# with 100 connections on GET /api/jobs?limit=50 and prints req/s and the p99 latency.
# wrk is installed from Debian when missing.
# Usage: bench/http_jobs.sh [BUILD_DIR] [APPOINTMENTS] [DURATION]   (needs curl, python3)
set -euo pipefail
build=${1:-build}
appts=${2:-2000}
duration=${3:-10s}
bridge=$build/i360bridge
sandbox=$build/i360-sandbox
for b in "$bridge" "$sandbox"; do
  [ -x "$b" ] || { echo "http_jobs: $b is missing; run make first." >&2; exit 1; }
done
if ! command -v wrk >/dev/null; then
  echo "http_jobs: installing wrk from Debian" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q wrk >&2 || { apt-get update -q >&2 && apt-get install -y -q wrk >&2; }
  else sudo apt-get install -y -q wrk >&2; fi
fi

dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

# Starts a program in the background (in this shell, so that cleanup can stop it);
# waits for its "listening on URL" line and sets $listen_url.
start() {
  local out=$1; shift
  "$@" >"$out" 2>"$out.err" &
  local pid=$!
  pids+=("$pid")
  until grep -q '^listening on ' "$out"; do
    kill -0 "$pid" 2>/dev/null || { echo "http_jobs: $1 died:" >&2; cat "$out.err" >&2; exit 1; }
    sleep 0.02
  done
  listen_url=$(sed -n 's/^listening on //p' "$out")
}

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

export I360BRIDGE_LOG=warn
db=$dir/bench.db
start "$dir/sandbox.out" "$sandbox" --listen 127.0.0.1:0 --auto-approve --appointments "$appts" --staff 40
sb=$listen_url
token=$("$bridge" org create "Bench Windows" --json --db "$db" | json 'd["token"]')
start "$dir/serve.out" "$bridge" serve --listen 127.0.0.1:0 --no-scheduler --db "$db"
url=$listen_url
auth=(-H "Authorization: Bearer $token")
api() { curl -sf "${auth[@]}" -H 'Content-Type: application/json' "$@"; }

authorize=$(api -X POST "$url/api/integrations/improveit360/authorize" \
  -d "{\"consumer_key\":\"sandbox-consumer-key\",\"consumer_secret\":\"sandbox-consumer-secret\",\"login_url\":\"$sb\"}" |
  json 'd["authorize_url"]')
callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$authorize")
curl -s -o /dev/null "$callback"

sync() {
  local run status
  run=$(api -X POST "$url/api/integrations/improveit360/sync" | json 'd["run_id"]')
  while :; do
    status=$(api "$url/api/integrations/improveit360/sync-runs/$run" | json 'd["status"]')
    [ "$status" != running ] && break
    sleep 0.2
  done
  [ "$status" = succeeded ] || { echo "http_jobs: the sync $status" >&2; exit 1; }
}
sync
# Every staff member gets an OCC user with the same email: the next sync links them all.
api "$url/api/integrations/improveit360/users" |
  json '"\n".join(s["email"] for s in d if s["email"])' |
  while read -r email; do
    api -X POST "$url/api/users" -d "{\"email\":\"$email\",\"name\":\"Bench User\"}" >/dev/null || true
  done
sync
jobs=$(api "$url/api/jobs?limit=500" | json 'len(d["jobs"])')
echo "http_jobs: $jobs jobs in the first page of 500; wrk: 100 connections, 2 threads, $duration"

out=$(wrk -t2 -c100 -d"$duration" --latency "${auth[@]}" "$url/api/jobs?limit=50")
echo "$out" >&2
rps=$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')
p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
errors=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
echo "GET /api/jobs?limit=50: ${rps} req/s, p99 ${p99}${errors:+, non-2xx $errors}"
