#!/usr/bin/env bash
# A PostgreSQL 15 -> 18 migration under a steady pgbench write load: prints the apply lag
# (p50/p95/max of the source walsender's replay_lag, sampled every second), the lag in bytes, the
# WAL the slot retains, pgferry's CPU and memory, and checks rows and balances at the end.
#   bash bench/soak.sh [--minutes=30] [--writes=500] [--scale=10]
# Needs what the tests need (see .ci/run) plus pgbench (Debian: postgresql-client), and the
# postgres OS user when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME=$(ls -d /usr/lib/jvm/temurin-*-jdk* 2>/dev/null | sort -V | tail -1)
  export JAVA_HOME
fi
command -v pgbench >/dev/null || { echo "bench/soak.sh: pgbench is missing (apt-get install postgresql-client)"; exit 2; }
export MAVEN_ARGS="${MAVEN_ARGS:--B -q}"
./mvnw -DskipTests package
./mvnw dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench/classpath.txt
jar=$(ls target/pgferry-*.jar | grep -v original | head -1)
exec "$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat target/bench/classpath.txt)" \
  dev.pgferry.bench.SoakBench --jar="$jar" "$@"
