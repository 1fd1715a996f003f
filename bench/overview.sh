#!/usr/bin/env bash
# The overview at scale: N databases (default 100) on S sources (default 2), of which --streaming
# (default all) stream in one run-mode mapping per source and the rest are observed by one plan-mode
# mapping per source; prints each tick's mean, p99 and max, the pages' response times and pgferry's
# memory, and counts stale actions in pgferry's log.
#   bash bench/overview.sh [--databases=100] [--sources=2] [--streaming=N] [--rows=200] [--seconds=180]
#                          [--jvm="..."] [--nmt] [--histogram] [--statements]
# Needs what the tests need (see .ci/run): a JDK 21+, pg_dump, and the postgres OS user when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME=$(ls -d /usr/lib/jvm/temurin-*-jdk* 2>/dev/null | sort -V | tail -1)
  export JAVA_HOME
fi
export MAVEN_ARGS="${MAVEN_ARGS:--B -q}"
# the application jar as users run it, and the test classes that drive it
./mvnw -DskipTests package
./mvnw dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench/classpath.txt
jar=$(ls target/pgferry-*.jar | grep -v original | head -1)
exec "$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat target/bench/classpath.txt)" \
  dev.pgferry.bench.OverviewBench --jar="$jar" "$@"
