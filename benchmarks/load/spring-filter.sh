#!/usr/bin/env bash
# The servlet filter's cost in a Spring MVC application: examples/spring-boot-app started twice, with
# gatehouse.enabled=false and =true, warmed and then loaded *at the same time* by two wrk processes, so that
# both see the same (shared, noisy) machine. Prints requests/s and the JVM's CPU time per request
# (utime+stime from /proc/PID/stat divided by the requests served) for each.
#
#   benchmarks/load/spring-filter.sh            # DURATION=10 CONNECTIONS=8 WARMUP=20 by default
#
# The client is an allowed browser: a consumer ISP address (2.160.10.20, via X-Forwarded-For; the example
# trusts loopback) with Firefox's headers; every request ends in default/allow after every rule is tested.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10}; CONNECTIONS=${CONNECTIONS:-8}; WARMUP=${WARMUP:-20}
JAR=examples/spring-boot-app/target/gatehouse-spring-boot-app.jar
command -v wrk > /dev/null || apt-get install -y wrk > /dev/null
[ -f "$JAR" ] || mvn -q -DskipTests -pl examples/spring-boot-app -am package
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
POFF=$(free_port); PON=$(free_port)
java -Xmx512m -jar "$JAR" --server.port="$POFF" --gatehouse.enabled=false --logging.level.root=WARN > /dev/null 2>&1 & OFF=$!
java -Xmx512m -jar "$JAR" --server.port="$PON" --gatehouse.enabled=true --logging.level.root=WARN > /dev/null 2>&1 & ON=$!
trap 'kill $OFF $ON 2> /dev/null || true' EXIT
for p in "$POFF" "$PON"; do
  for _ in $(seq 1 240); do curl -s -o /dev/null "http://127.0.0.1:$p/hello" && break; sleep 0.5; done
done
UA='Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
H=(-H "User-Agent: $UA" -H 'X-Forwarded-For: 2.160.10.20' -H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
   -H 'Accept-Language: en-US,en;q=0.5' -H 'Accept-Encoding: gzip, deflate, br')
load() { wrk -t1 -c"$CONNECTIONS" -d"$1"s "${H[@]}" "http://127.0.0.1:$2/hello"; }
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
load "$WARMUP" "$POFF" > /dev/null & load "$WARMUP" "$PON" > /dev/null; wait %3 2> /dev/null || true
A0=$(cpu $OFF); B0=$(cpu $ON)
OUT_OFF=$(mktemp); OUT_ON=$(mktemp)
load "$DURATION" "$POFF" > "$OUT_OFF" & W=$!
load "$DURATION" "$PON" > "$OUT_ON"; wait $W
A1=$(cpu $OFF); B1=$(cpu $ON)
HZ=$(getconf CLK_TCK)
report() {
  local n r; n=$(awk '/requests in/ {print $1}' "$2"); r=$(awk '/Requests\/sec/ {print $2}' "$2")
  echo "gatehouse.enabled=$1 requests/s=$r requests=$n non-2xx=$(awk '/Non-2xx/ {print $NF}' "$2" | grep . || echo 0)" \
       "cpu-us/request=$(( ($4 - $3) * 1000000 / HZ / n ))"
}
report false "$OUT_OFF" "$A0" "$A1"
report true "$OUT_ON" "$B0" "$B1"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
