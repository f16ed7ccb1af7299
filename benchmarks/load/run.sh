#!/usr/bin/env bash
# Proxy load: five proxies side by side in one run, all on loopback, all in front of the same echo upstream,
# on each JDK given, with CPU pinning. One command prints the whole table of docs/benchmarks.md.
#
#   gatehouse  the Gatehouse proxy (LoadTestServers bench-proxy --mode gatehouse: embedded engine, crawler
#              verification, scoring, policies/default.yaml; loopback trusted so X-Forwarded-For sets the client)
#   bare       the same proxy without Gatehouse: Gatehouse's tuned ProxyHandler (--mode bare)
#   stock      Jetty's ProxyHandler.Reverse with Jetty's defaults on a default Server (--mode stock)
#   nginx      nginx proxy_pass, keepalive to the upstream, 1 worker
#   haproxy    HAProxy, keepalive to the upstream, 1 thread
#
# Pinning (on 2+ cores): every proxy runs on the LAST cpu (one core each, as nginx worker_processes 1 and
# HAProxy nbthread 1; the JVM then sizes itself for 1 cpu); wrk and the echo upstream share cpu 0. Only the
# proxy being measured has load; the others idle. PIN=none turns pinning off.
#
# For every measurement: requests/s, p50 and p99 latency, and the CPU time the proxy's process(es) used per
# request (user + system from /proc, over the measured seconds): on a busy machine throughput follows the
# neighbours, CPU per request much less. Each proxy is measured ROUNDS times, the order reversed every other
# round; the table shows the mean requests/s, p50 and CPU, the worst p99 and the lowest CPU of the rounds (on a busy
# machine the first round may still pay for the JIT). Ratios "by CPU per request" are what the two would serve on a
# saturated core of their own; "requests/s" ratios also depend on whether cpu 0 (wrk + upstream) was the limit.
#
# Usage (from the repository root):
#   benchmarks/load/run.sh                                  # the java on PATH, and /usr/lib/jvm/temurin-25* if present
#   benchmarks/load/run.sh --jdk /usr/lib/jvm/java-17-openjdk-amd64 --jdk /usr/lib/jvm/temurin-25-jdk-amd64
#   DURATION=8 WARMUP=20 ROUNDS=2 CONNECTIONS=50 PIN=split benchmarks/load/run.sh   (the defaults)
#   ONLY="gatehouse bare nginx" benchmarks/load/run.sh      # a subset
# Needs: java 17+, maven (builds the jar and the benchmarks if absent), wrk, nginx and haproxy (installed
# with apt-get when missing). Takes about 2.5 minutes per JDK with the defaults (under 6 minutes for two JDKs).
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
JAR="$ROOT/jetty-proxy/target/gatehouse-proxy.jar"
SERVERS="$ROOT/benchmarks/target/classes/dev/gatehouse/benchmarks/load/LoadTestServers.class"
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-20}
ROUNDS=${ROUNDS:-2}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-50}
PIN=${PIN:-split}
ONLY=${ONLY:-gatehouse bare stock nginx haproxy}
CLIENT_IP=${CLIENT_IP:-2.160.10.20}   # sent as X-Forwarded-For; loopback is trusted by gatehouse
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx256m}
UPSTREAM_PORT=18080
declare -A PORT=([gatehouse]=18081 [bare]=18082 [stock]=18085 [nginx]=18083 [haproxy]=18084)

JDKS=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --jdk) JDKS+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "load: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [[ ${#JDKS[@]} -eq 0 ]]; then
  JDKS+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  for j in /usr/lib/jvm/temurin-25*; do [[ -x "$j/bin/java" ]] && JDKS+=("$j") && break; done
fi
for j in "${JDKS[@]}"; do
  [[ -x "$j/bin/java" ]] || { echo "load: --jdk $j: no bin/java there" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/gatehouse-load.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
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
need haproxy haproxy

if [[ ! -f "$JAR" || ! -f "$SERVERS" ]]; then
  echo "load: building $JAR and the benchmarks"
  mvn -B -q -DskipTests -pl jetty-proxy,benchmarks -am package
fi

NCPU=$(nproc)
if [[ $PIN == split && $NCPU -ge 2 ]]; then
  PROXY_CPU=$((NCPU - 1)); LOAD_CPU=0
  ON_PROXY_CPU=(taskset -c "$PROXY_CPU"); ON_LOAD_CPU=(taskset -c "$LOAD_CPU")
  PINNING="proxies on cpu $PROXY_CPU; wrk and the echo upstream on cpu $LOAD_CPU"
else
  ON_PROXY_CPU=(); ON_LOAD_CPU=()
  PINNING="none"
fi

wait_port() {   # wait up to 60 s for an HTTP answer on 127.0.0.1:$1
  for _ in $(seq 1 600); do
    if curl -s -o /dev/null "http://127.0.0.1:$1/"; then return 0; fi
    sleep 0.1
  done
  echo "load: nothing answers on port $1; see $WORK/*.log" >&2
  exit 1
}

# pids of the processes listening on a port (nginx: master and worker)
listeners() { ss -ltnpH "sport = :$1" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u; }
cpu_ticks() {   # total user+system clock ticks of the given pids
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$t"
}
to_ms() {   # wrk's 812.00us / 1.23ms / 1.02s -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n = n * 1000; printf "%.2f", n }'
}
wrk_on() {   # port seconds [extra wrk args]
  local port=$1 seconds=$2; shift 2
  "${ON_LOAD_CPU[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" "$@" -H "X-Forwarded-For: $CLIENT_IP" \
    "http://127.0.0.1:$port/hello"
}

start_nginx() {
  mkdir -p "$WORK/nginx"
  cat >"$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
daemon off;
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
    listen 127.0.0.1:${PORT[nginx]};
    location / {
      proxy_pass http://echo;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
    }
  }
}
NGINX
  "${ON_PROXY_CPU[@]}" nginx -c "$WORK/nginx.conf" -p "$WORK" >"$WORK/nginx.log" 2>&1 & PIDS+=($!)
}

start_haproxy() {
  cat >"$WORK/haproxy.cfg" <<HAPROXY
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  http-reuse always
frontend load
  bind 127.0.0.1:${PORT[haproxy]}
  default_backend echo
backend echo
  server echo 127.0.0.1:$UPSTREAM_PORT
HAPROXY
  "${ON_PROXY_CPU[@]}" haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 & PIDS+=($!)
}

start_jvm_proxy() {   # java name
  local java=$1 name=$2
  # shellcheck disable=SC2086
  "${ON_PROXY_CPU[@]}" "$java" $JAVA_OPTS -cp "$JAR:$ROOT/benchmarks/target/classes" dev.gatehouse.benchmarks.load.LoadTestServers \
    bench-proxy --mode "$name" --listen "127.0.0.1:${PORT[$name]}" --upstream "http://127.0.0.1:$UPSTREAM_PORT" \
    >"$WORK/$name.log" 2>&1 & PIDS+=($!)
  JVM_PIDS+=($!)
}

declare -A RPS_SUM CPU_SUM CPU_MIN P50_SUM P99_MAX
measure() {   # name
  local name=$1 port=${PORT[$1]} out pids t1 t2 n rps p50 p99 cpu
  mapfile -t pids < <(listeners "$port")
  t1=$(cpu_ticks "${pids[@]}")
  out=$(wrk_on "$port" "$DURATION" --latency)
  t2=$(cpu_ticks "${pids[@]}")
  echo "$out" >>"$WORK/wrk-$JDK_NAME-$name.txt"
  if echo "$out" | grep -q "Non-2xx"; then
    echo "load: WARNING: $name answered non-2xx: $(echo "$out" | grep Non-2xx)" >&2
  fi
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
  p50=$(to_ms "$(echo "$out" | awk '$1 == "50%" {print $2}')")
  p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
  cpu=$(awk -v t=$((t2 - t1)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
  printf '  %-10s %10.0f req/s  p50 %7s ms  p99 %7s ms  %6s µs CPU/request  (load %s)\n' "$name" "$rps" "$p50" "$p99" "$cpu" \
    "$(cut -d' ' -f1 /proc/loadavg)"
  RPS_SUM[$name]=$(awk -v a="${RPS_SUM[$name]:-0}" -v b="$rps" 'BEGIN { print a + b }')
  CPU_SUM[$name]=$(awk -v a="${CPU_SUM[$name]:-0}" -v b="$cpu" 'BEGIN { print a + b }')
  P50_SUM[$name]=$(awk -v a="${P50_SUM[$name]:-0}" -v b="$p50" 'BEGIN { print a + b }')
  P99_MAX[$name]=$(awk -v a="${P99_MAX[$name]:-0}" -v b="$p99" 'BEGIN { print (b > a ? b : a) }')
  CPU_MIN[$name]=$(awk -v a="${CPU_MIN[$name]:-}" -v b="$cpu" 'BEGIN { print (a == "" || b < a ? b : a) }')
}

read -r -a NAMES <<<"$ONLY"
echo "load: $(date -u +%FT%TZ), $NCPU cpus, load average $(cut -d' ' -f1-3 /proc/loadavg); pinning: $PINNING"
echo "load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency, $ROUNDS rounds, ${WARMUP}s JVM warm-up; raw output in $WORK"

# The shared upstream: started once, with the first JDK, and warmed through nginx before anything is measured.
"${ON_LOAD_CPU[@]}" "${JDKS[0]}/bin/java" $JAVA_OPTS -cp "$JAR:$ROOT/benchmarks/target/classes" \
  dev.gatehouse.benchmarks.load.LoadTestServers echo --listen 127.0.0.1:$UPSTREAM_PORT >"$WORK/echo.log" 2>&1 & PIDS+=($!)
[[ " $ONLY " == *" nginx "* ]] && start_nginx
[[ " $ONLY " == *" haproxy "* ]] && start_haproxy
wait_port $UPSTREAM_PORT
for name in nginx haproxy; do [[ " $ONLY " == *" $name "* ]] && wait_port "${PORT[$name]}"; done

SUMMARY=()
for JDK in "${JDKS[@]}"; do
  JDK_NAME=$("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.runtime.version/ {print $2}')
  echo
  echo "== JDK $JDK_NAME ($JDK)"
  JVM_PIDS=()
  for name in "${NAMES[@]}"; do
    case $name in gatehouse|bare|stock) start_jvm_proxy "$JDK/bin/java" "$name" ;; esac
  done
  for name in "${NAMES[@]}"; do wait_port "${PORT[$name]}"; done
  grep -h "allow-all" "$WORK"/gatehouse.log 2>/dev/null | sed 's/^/load: NOTE: /' || true
  for name in "${NAMES[@]}"; do   # warm every proxy (and the upstream) before measuring any
    case $name in gatehouse|bare|stock) wrk_on "${PORT[$name]}" "$WARMUP" >/dev/null ;; *) wrk_on "${PORT[$name]}" 2 >/dev/null ;; esac
  done
  RPS_SUM=(); CPU_SUM=(); CPU_MIN=(); P50_SUM=(); P99_MAX=()
  for round in $(seq 1 "$ROUNDS"); do
    order=("${NAMES[@]}")
    if ((round % 2 == 0)); then
      order=(); for ((i = ${#NAMES[@]} - 1; i >= 0; i--)); do order+=("${NAMES[$i]}"); done
    fi
    echo " round $round"
    for name in "${order[@]}"; do measure "$name"; done
  done
  for pid in "${JVM_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${JVM_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done

  table=$(printf '\nJDK %s, mean of %s rounds (p99: the worst round; CPU: mean and lowest round)\n%-10s %12s %8s %8s %16s %10s\n' \
      "$JDK_NAME" "$ROUNDS" proxy "requests/s" "p50 ms" "p99 ms" "CPU µs/request" "lowest"
    for name in "${NAMES[@]}"; do
      awk -v n="$name" -v r="${RPS_SUM[$name]}" -v c="${CPU_SUM[$name]}" -v m="${CPU_MIN[$name]}" -v p5="${P50_SUM[$name]}" \
        -v p9="${P99_MAX[$name]}" -v k="$ROUNDS" 'BEGIN { printf "%-10s %12.0f %8.2f %8.2f %16.1f %10.1f\n", n, r / k, p5 / k, p9, c / k, m }'
    done
    ratio() {   # a b: requests/s and CPU-per-request ratios of a to b, when both were measured
      if [[ -n "${RPS_SUM[$1]:-}" && -n "${RPS_SUM[$2]:-}" ]]; then
        awk -v a="$1" -v b="$2" -v ra="${RPS_SUM[$1]}" -v rb="${RPS_SUM[$2]}" -v ca="${CPU_SUM[$1]}" -v cb="${CPU_SUM[$2]}" \
          'BEGIN { printf "%s/%s: %.2f requests/s, %.2f by CPU per request\n", a, b, ra / rb, cb / ca }'
      fi
    }
    echo
    ratio gatehouse bare; ratio gatehouse stock; ratio gatehouse nginx; ratio gatehouse haproxy
    ratio bare nginx; ratio stock nginx)
  echo "$table"
  SUMMARY+=("$table")
done

echo
echo "==== summary ($(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg); pinning: $PINNING)"
for t in "${SUMMARY[@]}"; do echo "$t"; done
echo "load: raw wrk output in $WORK"
