#!/usr/bin/env bash
# Throughput of the Spring examples with and without Gatehouse, side by side in one run:
# the Spring MVC example (examples/spring-boot-app) and the WebFlux example (examples/webflux-app), each
# started twice on loopback, once as is and once with --gatehouse.enabled=false. All four are started and
# warmed up first; then each round measures the four in turn (the order alternates between rounds, so a
# neighbour's build on this shared machine falls on both sides), with
#   wrk -t1 -c32 -d10s on /hello from one ordinary browser client (Firefox User-Agent, X-Forwarded-For
#   2.160.10.20, which the default policy allows after testing every rule).
#
#   mvn -q -DskipTests -pl examples/spring-boot-app,examples/webflux-app -am package
#   benchmarks/load/spring.sh              # ROUNDS=3 DURATION=10 CONNECTIONS=32 WARMUP=15 by default
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-15}
UA='Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
MVC=examples/spring-boot-app/target/gatehouse-spring-boot-app.jar
FLUX=examples/webflux-app/target/gatehouse-webflux-app.jar
for jar in "$MVC" "$FLUX"; do
  [ -f "$jar" ] || { echo "missing $jar: mvn -q -DskipTests -pl examples/spring-boot-app,examples/webflux-app -am package" >&2; exit 1; }
done

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

declare -A PORT=([mvc-gatehouse]=18080 [mvc-disabled]=18081 [webflux-gatehouse]=18082 [webflux-disabled]=18083)
declare -A PID
start() { # name jar enabled
  java -jar "$2" --server.port="${PORT[$1]}" --gatehouse.enabled="$3" --logging.level.root=warn > "/tmp/spring-bench-$1.log" 2>&1 &
  PIDS+=($!)
  PID[$1]=$!
}
# CPU time (user + system, in clock ticks) the JVM has used so far: CPU per request does not depend on how
# much of the machine the neighbours take, unlike requests per second.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
start mvc-gatehouse "$MVC" true
start mvc-disabled "$MVC" false
start webflux-gatehouse "$FLUX" true
start webflux-disabled "$FLUX" false
for name in "${!PORT[@]}"; do
  for _ in $(seq 120); do curl -fs -o /dev/null "http://127.0.0.1:${PORT[$name]}/hello" && break; sleep 1; done
  curl -fs -o /dev/null -A "$UA" -H 'X-Forwarded-For: 2.160.10.20' "http://127.0.0.1:${PORT[$name]}/hello" \
    || { echo "$name did not answer /hello with 200; see /tmp/spring-bench-$name.log" >&2; exit 1; }
done
for name in mvc-gatehouse mvc-disabled webflux-gatehouse webflux-disabled; do
  wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -H "User-Agent: $UA" -H 'X-Forwarded-For: 2.160.10.20' \
    "http://127.0.0.1:${PORT[$name]}/hello" > /dev/null
done

echo "round name requests/s p50 p99 non2xx cpu-us/request load"
for round in $(seq "$ROUNDS"); do
  if (( round % 2 )); then order="mvc-gatehouse mvc-disabled webflux-gatehouse webflux-disabled"
  else order="webflux-disabled webflux-gatehouse mvc-disabled mvc-gatehouse"; fi
  for name in $order; do
    before=$(cpu_ticks "${PID[$name]}")
    out=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "User-Agent: $UA" -H 'X-Forwarded-For: 2.160.10.20' \
      "http://127.0.0.1:${PORT[$name]}/hello")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    cpu=$(( $(cpu_ticks "${PID[$name]}") - before ))
    cpu_us=$(awk -v t="$cpu" -v hz="$HZ" -v n="$requests" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}')
    echo "$round $name $rps $p50 $p99 ${non2xx:-0} $cpu_us $(cut -d' ' -f1 /proc/loadavg)"
  done
done
