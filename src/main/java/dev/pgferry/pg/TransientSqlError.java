package dev.pgferry.pg;

import java.sql.SQLException;
import java.util.function.Predicate;

/** Resilience4j retry predicate: retry only errors that may pass by themselves. */
public class TransientSqlError implements Predicate<Throwable> {

    @Override
    public boolean test(Throwable error) {
        return error instanceof SQLException sql && PgErrors.isTransient(sql);
    }
}
