#!/usr/bin/env bash
# Proxy load, side by side in one run, all on loopback, all in front of the same echo upstream:
#   (a) Gatehouse proxy  (LoadTestServers bench-proxy --mode gatehouse: embedded engine + default policy)
#   (b) bare Jetty ProxyHandler.Reverse, no Gatehouse (LoadTestServers bench-proxy --mode bare)
# The servers (dev.gatehouse.benchmarks.load.LoadTestServers) live in benchmarks/, not in the production jar;
# they run on the proxy jar's classpath.
#   (c) nginx proxy_pass (keepalive to the upstream)
# Prints requests/s and latency percentiles for each, and the ratios.
#
# Usage: benchmarks/load/run.sh            (from the repository root)
#   DURATION=10 THREADS=2 CONNECTIONS=50 WARMUP=5 benchmarks/load/run.sh
# Needs: java 17+, maven (builds the jar if absent), wrk and nginx (installed with apt-get when missing).
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
JAR="$ROOT/jetty-proxy/target/gatehouse-proxy.jar"
SERVERS="$ROOT/benchmarks/target/classes/dev/gatehouse/benchmarks/load/LoadTestServers.class"
DURATION=${DURATION:-10}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
WARMUP=${WARMUP:-5}
CLIENT_IP=${CLIENT_IP:-2.160.10.20}   # sent as X-Forwarded-For; loopback is trusted in (a)
UPSTREAM_PORT=18080
GATEHOUSE_PORT=18081
BARE_PORT=18082
NGINX_PORT=18083
WORK=$(mktemp -d /tmp/gatehouse-load.XXXXXX)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  if [[ -f "$WORK/nginx.pid" ]]; then
    kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
}
trap cleanup EXIT

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "load: installing $2"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null
  fi
}
need wrk wrk
need nginx nginx

if [[ ! -f "$JAR" || ! -f "$SERVERS" ]]; then
  echo "load: building $JAR and the benchmarks"
  mvn -B -q -DskipTests package
fi
RUN_SERVERS=(-cp "$JAR:$ROOT/benchmarks/target/classes" dev.gatehouse.benchmarks.load.LoadTestServers)

wait_port() {   # wait up to 30 s for an HTTP answer on 127.0.0.1:$1
  for _ in $(seq 1 300); do
    if curl -s -o /dev/null "http://127.0.0.1:$1/"; then return 0; fi
    sleep 0.1
  done
  echo "load: nothing answers on port $1; see $WORK/*.log" >&2
  exit 1
}

JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx256m}
# shellcheck disable=SC2086
java $JAVA_OPTS "${RUN_SERVERS[@]}" echo --listen 127.0.0.1:$UPSTREAM_PORT >"$WORK/echo.log" 2>&1 & PIDS+=($!)
# shellcheck disable=SC2086
java $JAVA_OPTS "${RUN_SERVERS[@]}" bench-proxy --mode gatehouse --listen 127.0.0.1:$GATEHOUSE_PORT \
  --upstream http://127.0.0.1:$UPSTREAM_PORT >"$WORK/gatehouse.log" 2>&1 & PIDS+=($!)
# shellcheck disable=SC2086
java $JAVA_OPTS "${RUN_SERVERS[@]}" bench-proxy --mode bare --listen 127.0.0.1:$BARE_PORT \
  --upstream http://127.0.0.1:$UPSTREAM_PORT >"$WORK/bare.log" 2>&1 & PIDS+=($!)

mkdir -p "$WORK/nginx"
cat >"$WORK/nginx.conf" <<NGINX
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
daemon on;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  upstream echo { server 127.0.0.1:$UPSTREAM_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://echo;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
    }
  }
}
NGINX
nginx -c "$WORK/nginx.conf" -p "$WORK"

for port in $UPSTREAM_PORT $GATEHOUSE_PORT $BARE_PORT $NGINX_PORT; do wait_port "$port"; done
if grep -q "allow-all" "$WORK/gatehouse.log"; then
  echo "load: NOTE: $(grep allow-all "$WORK/gatehouse.log")"
fi

# wrk's "Latency Distribution" values come as 812.00us / 1.23ms / 1.02s: print them in ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n = n * 1000
    printf "%.2f", n }'
}

declare -A RPS P50 P90 P99
warm_up() {   # port
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "X-Forwarded-For: $CLIENT_IP" "http://127.0.0.1:$1/hello" >/dev/null
}

measure() {   # name port
  local name=$1 port=$2 out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "X-Forwarded-For: $CLIENT_IP" "http://127.0.0.1:$port/hello")
  echo "$out" >"$WORK/wrk-$name.txt"
  if echo "$out" | grep -q "Non-2xx"; then
    echo "load: WARNING: $name answered non-2xx: $(echo "$out" | grep Non-2xx)" >&2
  fi
  RPS[$name]=$(echo "$out" | awk '/^Requests\/sec:/ {printf "%.0f", $2}')
  P50[$name]=$(to_ms "$(echo "$out" | awk '$1 == "50%" {print $2}')")
  P90[$name]=$(to_ms "$(echo "$out" | awk '$1 == "90%" {print $2}')")
  P99[$name]=$(to_ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
}

echo "load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency (after ${WARMUP}s warm-up each), $(nproc) cores, $(date -u +%FT%TZ)"
# Warm every proxy (and with it the shared upstream) before measuring any: otherwise the first one
# measured pays for the upstream's JIT warm-up.
warm_up $GATEHOUSE_PORT
warm_up $BARE_PORT
warm_up $NGINX_PORT
measure gatehouse $GATEHOUSE_PORT
measure bare $BARE_PORT
measure nginx $NGINX_PORT

printf '\n%-22s %12s %10s %10s %10s\n' "proxy" "requests/s" "p50 ms" "p90 ms" "p99 ms"
for name in gatehouse bare nginx; do
  printf '%-22s %12s %10s %10s %10s\n' "$name" "${RPS[$name]}" "${P50[$name]}" "${P90[$name]}" "${P99[$name]}"
done
awk -v g="${RPS[gatehouse]}" -v b="${RPS[bare]}" -v n="${RPS[nginx]}" 'BEGIN {
  printf "\nthroughput ratio: gatehouse/bare = %.2f, gatehouse/nginx = %.2f, bare/nginx = %.2f\n", g / b, g / n, b / n }'
echo "load: raw wrk output in $WORK"
