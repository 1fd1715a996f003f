#!/usr/bin/env bash
# The initial copy, side by side on the same data in one run: pgferry snapshot, pgferry native,
# pg_dump -Fd -j N + pg_restore -j N, pgcopydb clone; prints each time, the median of the runs
# and the ratio pgferry-snapshot / each other method, after checking the row counts.
#   bash bench/copy.sh [--scale=50] [--runs=3] [--jobs=2] [--methods=snapshot,native,pgdump,pgcopydb,defaults]
#                      [--jvm="..."] [--poll=5s]
# Needs what the tests need (see .ci/run) plus pgbench and pgcopydb (Debian: postgresql-client,
# pgcopydb), and the postgres OS user when run as root. Scale 50 is about 1 GB.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME=$(ls -d /usr/lib/jvm/temurin-*-jdk* 2>/dev/null | sort -V | tail -1)
  export JAVA_HOME
fi
for tool in pgbench pgcopydb pg_dump pg_restore; do
  command -v "$tool" >/dev/null || { echo "bench/copy.sh: $tool is missing (apt-get install postgresql-client pgcopydb)"; exit 2; }
done
# pgferry runs with the client programs its image ships (18), as users run it; pgcopydb and
# pg_dump/pg_restore with the machine's own
PGFERRY_PG_BIN_DIR="${PGFERRY_PG_BIN_DIR:-$(bash .ci/pg-client-18)}"
export PGFERRY_PG_BIN_DIR
export MAVEN_ARGS="${MAVEN_ARGS:--B -q}"
./mvnw -DskipTests package
./mvnw dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench/classpath.txt
jar=$(ls target/pgferry-*.jar | grep -v original | head -1)
exec "$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat target/bench/classpath.txt)" \
  dev.pgferry.bench.CopyBench --jar="$jar" "$@"
