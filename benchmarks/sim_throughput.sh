#!/usr/bin/env bash
# Simulator throughput (issue 13, item 3): wrk against pancake-sim (rate limit off) on tag add,
# tag remove, assign, GET tags and the v2 listing, each next to nginx answering the same JSON
# (the same size, `return 200`) and a minimal one-thread Beast server that parses the body and
# answers it (bench_beast_server), same run, same wrk settings. Prints JSON lines: per scenario
# and server, requests/s, p99 latency and the server's CPU µs per request (from /proc), then the
# ratios (targets: >= 0.5x nginx and >= 0.8x Beast on tag add and GET tags).
# Each server is measured in ROUNDS runs of SECONDS, interleaved, and its median run kept.
#   benchmarks/sim_throughput.sh BUILD_DIR [SECONDS=5] [CONNECTIONS=16] [ROUNDS=3] [WARMUP=1]
set -euo pipefail
bin=$1
secs=${2:-5}
conns=${3:-16}
rounds=${4:-3}
warmup=${5:-1}
here=$(cd "$(dirname "$0")" && pwd)

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if ((${#need[@]})); then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start_bg() { # OUTFILE COMMAND...: starts it (in this shell, so that cleanup knows it)
  local outf=$1
  shift
  "$@" > "$outf" 2>&1 &
  last_pid=$!
  pids+=("$last_pid")
}
url_of() { # OUTFILE: waits for its "listening on" line, echoes the URL
  for _ in $(seq 200); do grep -q 'listening on' "$1" && break; sleep 0.05; done
  sed -n 's/.*listening on \(http:\/\/[^ /]*\).*/\1/p' "$1" | head -1
}
cpu_ticks() { # PID: user + system ticks of it and its children (nginx's worker)
  local t=0 p
  for p in "$1" $(pgrep -P "$1" || true); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$t"
}

start_bg "$work/sim.out" "$bin/simulator/pancake-sim" --port 0 --rate-limit 0 --max-journal 1000
sim_pid=$last_pid
sim_url=$(url_of "$work/sim.out")
page=100000000000001
token=pat_hoamai_7f3c2a91e4b84d0c
conv=100000000000001_200000000000001
v1="/api/public_api/v1/pages/$page"
an=c4bafd84-7b96-4f28-b59a-031f17c32ddf
hz=$(getconf CLK_TCK)

# name method path body
scenarios=(
  "tag_add|POST|$v1/conversations/$conv/tags?page_access_token=$token|{\"action\":\"add\",\"tag_id\":1}"
  "tag_remove|POST|$v1/conversations/$conv/tags?page_access_token=$token|{\"action\":\"remove\",\"tag_id\":4}"
  "assign|POST|$v1/conversations/$conv/assign?page_access_token=$token|{\"assignee_ids\":[\"$an\"]}"
  "get_tags|GET|$v1/tags?page_access_token=$token|"
  "v2_listing|GET|/api/public_api/v2/pages/$page/conversations?page_access_token=$token|"
)

wrk_run() { # URL METHOD BODY PID [SECONDS] -> one JSON object (without braces' bench field)
  local url=$1 method=$2 body=$3 pid=$4 dur=${5:-$secs}
  cat > "$work/req.lua" <<EOF
wrk.method = "$method"
wrk.body = [[$body]]
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  io.write(string.format('RESULT {"requests":%d,"errors":%d,"req_per_s":%.0f,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99)))
end
EOF
  local t0
  t0=$(cpu_ticks "$pid")
  local line
  line=$(wrk -t1 -c"$conns" -d"${dur}s" -s "$work/req.lua" "$url" | sed -n 's/^RESULT //p')
  local t1
  t1=$(cpu_ticks "$pid")
  local reqs
  reqs=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["requests"])' "$line")
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["server_cpu_us_per_req"]=round((int(sys.argv[2])-int(sys.argv[3]))*1e6/int(sys.argv[4])/max(1,int(sys.argv[5])),2); print(json.dumps(d))' \
    "$line" "$t1" "$t0" "$hz" "$reqs"
}

for s in "${scenarios[@]}"; do
  IFS='|' read -r name method path body <<< "$s"
  # Each scenario from the fixture's state (the admin API's reset), not from the previous one's.
  curl -sf -X POST "$sim_url/__sim/reset" > /dev/null
  # The simulator's answer to this request: what the two baselines serve, byte for byte.
  if [ "$method" = POST ]; then
    curl -sf -X POST "$sim_url$path" -H 'Content-Type: application/json' -d "$body" > "$work/answer.json"
  else
    curl -sf "$sim_url$path" > "$work/answer.json"
  fi
  size=$(wc -c < "$work/answer.json")
  # nginx: one worker, `return 200` with the same bytes (a POST to a static file would be a 405).
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  escaped=$(python3 -c 'import sys; print(open(sys.argv[1]).read().replace("\\","\\\\").replace("\x27","\\\x27"))' "$work/answer.json")
  mkdir -p "$work/nginx"
  cat > "$work/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    location / { default_type application/json; return 200 '$escaped'; }
  }
}
EOF
  "$nginx_bin" -c "$work/nginx/nginx.conf" -p "$work/nginx" &
  nginx_pid=$!
  pids+=($nginx_pid)
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.05; done
  start_bg "$work/beast.out" "$bin/benchmarks/bench_beast_server" 0 "$work/answer.json"
  beast_pid=$last_pid
  beast_url=$(url_of "$work/beast.out")

  urls=("$sim_url$path" "http://127.0.0.1:$port$path" "$beast_url$path")
  spids=("$sim_pid" "$nginx_pid" "$beast_pid")
  # A second of warm-up each, not counted: the first server measured otherwise pays for the
  # page faults, allocator growth and caches the later ones find ready.
  if ((warmup)); then
    for i in 0 1 2; do wrk_run "${urls[$i]}" "$method" "$body" "${spids[$i]}" 1 > /dev/null; done
  fi
  # Rounds, the order rotating, each server's median round kept: this machine's speed drifts
  # within seconds, and one pass in a fixed order would charge the drift to one server.
  results=("" "" "")
  for ((round = 0; round < rounds; round++)); do
    for k in 0 1 2; do
      i=$(((k + round) % 3))
      results[$i]+="$(wrk_run "${urls[$i]}" "$method" "$body" "${spids[$i]}")"$'\n'
    done
  done
  kill "$nginx_pid" "$beast_pid" 2>/dev/null || true
  wait "$nginx_pid" "$beast_pid" 2>/dev/null || true
  python3 - "$name" "$size" "$conns" "${results[@]}" <<'EOF'
import json, sys
name, size, conns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def median_round(text):
    runs = sorted((json.loads(l) for l in text.splitlines() if l.strip()), key=lambda r: r["req_per_s"])
    kept = dict(runs[len(runs) // 2])
    kept["rounds"] = len(runs)
    kept["req_per_s_all"] = [r["req_per_s"] for r in runs]
    return kept
rows = dict(zip(["pancake_sim", "nginx", "beast_minimal"], map(median_round, sys.argv[4:7])))
for server, r in rows.items():
    print(json.dumps({"bench": "sim_throughput", "scenario": name, "server": server, "answer_bytes": size,
                      "connections": conns, **r}))
sim, ngx, bst = rows["pancake_sim"], rows["nginx"], rows["beast_minimal"]
print(json.dumps({"bench": "sim_throughput", "scenario": name,
                  "sim_vs_nginx": round(sim["req_per_s"] / max(1, ngx["req_per_s"]), 3),
                  "sim_vs_beast": round(sim["req_per_s"] / max(1, bst["req_per_s"]), 3),
                  "sim_cpu_us_per_req": sim["server_cpu_us_per_req"]}))
EOF
done
