#!/usr/bin/env bash
# One database of many tables (by default 1,800 plain tables of mixed sizes and 20 partitioned
# tables of 10 partitions: 2,000 tables with rows), copied by pgferry's snapshot copy and by
# pgcopydb clone in one run on the same servers: each time, pgferry's peak memory and CPU, its
# database page's response times, and whether every table has the source's rows.
#   bash bench/tables.sh [--tables=1800] [--partitioned=20] [--jobs=2] [--jvm="..."]
# Needs what the tests need (see .ci/run) plus pgcopydb (Debian: pgcopydb), and the postgres OS
# user when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME=$(ls -d /usr/lib/jvm/temurin-*-jdk* 2>/dev/null | sort -V | tail -1)
  export JAVA_HOME
fi
command -v pgcopydb >/dev/null || { echo "bench/tables.sh: pgcopydb is missing (apt-get install pgcopydb)"; exit 2; }
# pgferry runs with the client programs its image ships (18), as users run it
PGFERRY_PG_BIN_DIR="${PGFERRY_PG_BIN_DIR:-$(bash .ci/pg-client-18)}"
export PGFERRY_PG_BIN_DIR
export MAVEN_ARGS="${MAVEN_ARGS:--B -q}"
./mvnw -DskipTests package
./mvnw dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench/classpath.txt
jar=$(ls target/pgferry-*.jar | grep -v original | head -1)
exec "$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat target/bench/classpath.txt)" \
  dev.pgferry.bench.TablesBench --jar="$jar" "$@"
