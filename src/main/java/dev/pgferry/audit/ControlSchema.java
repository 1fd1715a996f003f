package dev.pgferry.audit;

import dev.pgferry.config.Instance;
import dev.pgferry.pg.PgConnector;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.flywaydb.core.Flyway;
import org.springframework.stereotype.Component;

/**
 * pgferry's control schema ({@code pgferry}) in a destination instance's maintenance database,
 * created and migrated by Flyway the first time pgferry writes there: plan mode writes nothing.
 */
@Component
public class ControlSchema {

    private final PgConnector connector;
    private final Set<String> migrated = ConcurrentHashMap.newKeySet();

    public ControlSchema(PgConnector connector) {
        this.connector = connector;
    }

    public void ensure(Instance destination) throws java.sql.SQLException {
        if (migrated.contains(destination.name())) {
            return;
        }
        Flyway.configure()
                .dataSource(connector.dataSource(destination, destination.maintenanceDatabase()))
                .schemas("pgferry")
                .createSchemas(true)
                .locations("classpath:db/control")
                .load()
                .migrate();
        migrated.add(destination.name());
    }
}
