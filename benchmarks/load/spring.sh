#!/usr/bin/env bash
# Throughput and CPU per request of the Spring examples with and without Gatehouse, side by side in one run:
# the Spring MVC example (examples/spring-boot-app, Tomcat) and the WebFlux example (examples/webflux-app,
# Reactor Netty), each started twice from the same jar, once as is and once with --gatehouse.enabled=false.
# All four are started and warmed up first. Then, each round, the two JVMs of one stack are loaded AT THE SAME
# TIME by two wrk processes (so both see the same shared, noisy machine; the stacks take turns, their order
# alternating between rounds), each with
#   wrk -t1 -c32 -d10s on /hello from one ordinary browser client (Firefox headers, X-Forwarded-For
#   2.160.10.20, which the default policy allows after testing every rule).
# Per measurement: requests/s, p50/p99, non-2xx answers, and the JVM's CPU time per request (utime + stime
# from /proc/PID/stat over the requests served), which a busy machine disturbs less than requests/s.
# The last lines are the medians over the rounds after the first SKIP (default 2: on a busy machine the JIT needs
# them): with/without ratios of requests/s and the extra CPU per request, per stack, with the load average.
#
#   mvn -q -DskipTests -pl examples/spring-boot-app,examples/webflux-app -am package
#   benchmarks/load/spring.sh              # ROUNDS=6 SKIP=2 DURATION=10 CONNECTIONS=32 WARMUP=30 by default
#   MVC_JAR=… FLUX_JAR=… benchmarks/load/spring.sh   # other builds of the examples (e.g. before/after a change)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-6}
SKIP=${SKIP:-2}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-30}
MVC=${MVC_JAR:-examples/spring-boot-app/target/gatehouse-spring-boot-app.jar}
FLUX=${FLUX_JAR:-examples/webflux-app/target/gatehouse-webflux-app.jar}
UA='Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
# a browser's full Accept: with only text/html the JSON controller answers 406 and Spring renders an error page
H=(-H "User-Agent: $UA" -H 'X-Forwarded-For: 2.160.10.20' -H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
   -H 'Accept-Language: en-US,en;q=0.5' -H 'Accept-Encoding: gzip, deflate, br')
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
for jar in "$MVC" "$FLUX"; do
  [ -f "$jar" ] || { echo "missing $jar: mvn -q -DskipTests -pl examples/spring-boot-app,examples/webflux-app -am package" >&2; exit 1; }
done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
declare -A PORT PID
start() { # name jar enabled
  PORT[$1]=$(free_port)
  java -Xmx512m -jar "$2" --server.port="${PORT[$1]}" --gatehouse.enabled="$3" --logging.level.root=warn > "/tmp/spring-bench-$1.log" 2>&1 &
  PIDS+=($!)
  PID[$1]=$!
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
start mvc-on "$MVC" true
start mvc-off "$MVC" false
start webflux-on "$FLUX" true
start webflux-off "$FLUX" false
NAMES="mvc-on mvc-off webflux-on webflux-off"
for name in $NAMES; do
  for _ in $(seq 240); do curl -fs -o /dev/null "http://127.0.0.1:${PORT[$name]}/hello" && break; sleep 0.5; done
  curl -fs -o /dev/null "${H[@]}" "http://127.0.0.1:${PORT[$name]}${URL_PATH:-/hello}" \
    || { echo "$name did not answer /hello with 200; see /tmp/spring-bench-$name.log" >&2; exit 1; }
done
load() { wrk -t1 -c"$CONNECTIONS" -d"$1"s --latency "${H[@]}" "http://127.0.0.1:${PORT[$2]}${URL_PATH:-/hello}"; }
for stack in mvc webflux; do # warm both of a stack together, as they are measured
  load "$WARMUP" "$stack-on" > /dev/null & w=$!; load "$WARMUP" "$stack-off" > /dev/null; wait "$w"
done

OUT=$(mktemp -d)
RESULTS=$OUT/results
measure() { # round stack: both JVMs of the stack at once
  local b_on b_off
  b_on=$(cpu_ticks "${PID[$2-on]}"); b_off=$(cpu_ticks "${PID[$2-off]}")
  load "$DURATION" "$2-on" > "$OUT/on" & local w=$!; load "$DURATION" "$2-off" > "$OUT/off"; wait "$w"
  local loadavg; loadavg=$(cut -d' ' -f1 /proc/loadavg)
  for side in on off; do
    local f=$OUT/$side before; [ "$side" = on ] && before=$b_on || before=$b_off
    local requests rps cpu
    requests=$(awk '/requests in/ {print $1}' "$f"); rps=$(awk '/Requests\/sec/ {print $2}' "$f")
    cpu=$(( $(cpu_ticks "${PID[$2-$side]}") - before ))
    echo "$1 $2-$side $rps $(awk '$1=="50%" {print $2}' "$f") $(awk '$1=="99%" {print $2}' "$f") \
$(awk '/Non-2xx/ {print $NF}' "$f" | grep . || echo 0) $(awk -v t="$cpu" -v hz="$HZ" -v n="$requests" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}') $loadavg"
  done | tee -a "$RESULTS"
}
echo "round jvm requests/s p50 p99 non-2xx cpu-us/request load"
for round in $(seq "$ROUNDS"); do
  if (( round % 2 )); then order="mvc webflux"; else order="webflux mvc"; fi
  for stack in $order; do measure "$round" "$stack"; done
done

# medians over the rounds after the first SKIP (they still pay for the JIT on a busy machine)
awk '$1 > skip || n <= skip {
       split($2, p, "-"); s = p[1]; side = p[2]; key = $1 " " s
       rps[key, side] = $3; cpu[key, side] = $7; keys[key] = s; load[++nl] = $8 }
     END {
       for (k in keys) { s = keys[k]; r[s] = r[s] " " rps[k, "on"] / rps[k, "off"]; d[s] = d[s] " " cpu[k, "on"] - cpu[k, "off"]
                         c[s] = c[s] " " cpu[k, "on"] / cpu[k, "off"] }
       for (s in r) print s, r[s] "|" d[s] "|" c[s]
       lo = hi = load[1]; for (i = 1; i <= nl; i++) { if (load[i] < lo) lo = load[i]; if (load[i] > hi) hi = load[i] }
       print "load", lo, hi
     }' n="$ROUNDS" skip="$SKIP" "$RESULTS" | python3 -c '
import sys, statistics
for line in sys.stdin:
    name, rest = line.split(" ", 1)
    if name == "load":
        lo, hi = rest.split(); print(f"load average during the run: {lo}-{hi}"); continue
    ratios, extra, cpu_ratio = ([float(x) for x in part.split()] for part in rest.split("|"))
    print(f"{name}: requests/s with/without median {statistics.median(ratios):.2f} (range {min(ratios):.2f}-{max(ratios):.2f}),"
          f" extra CPU per request median {statistics.median(extra):+.1f} us (CPU with/without {statistics.median(cpu_ratio):.2f}),"
          f" over {len(ratios)} rounds")
'
