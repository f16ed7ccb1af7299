#!/usr/bin/env bash
# Bytes allocated per request with and without Gatehouse, for the Spring MVC and WebFlux examples: a figure a
# busy shared machine disturbs far less than requests/s. Each JVM is started, warmed with wrk, then recorded with
# JFR (settings=profile) during a second wrk run; jdk.ThreadAllocationStatistics at the start and the end of the
# recording give each thread's allocation, summed over the server's request threads (reactor-http-*, http-nio-*)
# and divided by the requests served. The four JVMs run in parallel.
#
#   mvn -q -DskipTests -pl examples/spring-boot-app,examples/webflux-app -am package
#   benchmarks/load/spring-alloc.sh        # WARMUP=30 DURATION=15 by default; MVC_JAR=… FLUX_JAR=… for other builds
set -euo pipefail
cd "$(dirname "$0")/../.."
WARMUP=${WARMUP:-30}; DURATION=${DURATION:-15}
MVC=${MVC_JAR:-examples/spring-boot-app/target/gatehouse-spring-boot-app.jar}
FLUX=${FLUX_JAR:-examples/webflux-app/target/gatehouse-webflux-app.jar}
command -v wrk > /dev/null || apt-get install -y wrk > /dev/null
UA='Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
H=(-H "User-Agent: $UA" -H 'X-Forwarded-For: 2.160.10.20' -H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
   -H 'Accept-Language: en-US,en;q=0.5' -H 'Accept-Encoding: gzip, deflate, br')
OUT=$(mktemp -d)
one() { # name jar enabled
  local port pid n
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  java -Xmx512m -jar "$2" --server.port="$port" --gatehouse.enabled="$3" --logging.level.root=WARN > "$OUT/$1.log" 2>&1 & pid=$!
  for _ in $(seq 480); do curl -s -o /dev/null "http://127.0.0.1:$port/hello" && break; sleep 0.5; done
  wrk -t1 -c32 -d"$WARMUP"s "${H[@]}" "http://127.0.0.1:$port/hello" > /dev/null
  jcmd "$pid" JFR.start name=alloc settings=profile filename="$OUT/$1.jfr" > /dev/null
  wrk -t1 -c32 -d"$DURATION"s "${H[@]}" "http://127.0.0.1:$port/hello" > "$OUT/$1.wrk"
  jcmd "$pid" JFR.stop name=alloc > /dev/null
  kill "$pid"
  n=$(awk '/requests in/ {print $1}' "$OUT/$1.wrk")
  jfr print --json --events jdk.ThreadAllocationStatistics "$OUT/$1.jfr" | python3 -c '
import collections, json, sys
n, name = int(sys.argv[1]), sys.argv[2]
seen = collections.defaultdict(list)
for e in json.load(sys.stdin)["recording"]["events"]:
    thread = e["values"]["thread"]
    seen[thread["javaName"] if thread else "?"].append((e["values"]["startTime"], e["values"]["allocated"]))
server = sum(max(x)[1] - min(x)[1] for t, x in seen.items() if t.startswith(("reactor-http", "http-nio")))
print(f"{name}: {server / n / 1024:.1f} KB allocated per request on the request threads ({n} requests)")
' "$n" "$1"
}
one mvc-on "$MVC" true > "$OUT/r1" & one mvc-off "$MVC" false > "$OUT/r2" & one webflux-on "$FLUX" true > "$OUT/r3" &
one webflux-off "$FLUX" false > "$OUT/r4"
wait
cat "$OUT"/r1 "$OUT"/r2 "$OUT"/r3 "$OUT"/r4
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
