package dev.pgferry.demo;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A small shop application for the demo and the tests: tables with primary keys, identity,
 * serial and bigserial ids, foreign keys, a jsonb column and a range-partitioned table.
 */
public final class SampleSchema {

    public static final String[] TABLES = {"customers", "products", "orders", "order_items", "events"};

    private static final String DDL = """
            CREATE TABLE customers (
                id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name       text NOT NULL,
                email      text UNIQUE,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE products (
                id    serial PRIMARY KEY,
                title text NOT NULL,
                price numeric(10, 2) NOT NULL CHECK (price >= 0)
            );
            CREATE TABLE orders (
                id          bigserial PRIMARY KEY,
                customer_id bigint NOT NULL REFERENCES customers (id),
                status      text NOT NULL DEFAULT 'new',
                total       numeric(12, 2) NOT NULL DEFAULT 0,
                created_at  timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE order_items (
                order_id   bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
                product_id int NOT NULL REFERENCES products (id),
                quantity   int NOT NULL CHECK (quantity > 0),
                PRIMARY KEY (order_id, product_id)
            );
            CREATE TABLE events (
                id          bigserial,
                happened_at timestamptz NOT NULL,
                kind        text NOT NULL,
                payload     jsonb,
                PRIMARY KEY (id, happened_at)
            ) PARTITION BY RANGE (happened_at);
            CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
            CREATE TABLE events_other PARTITION OF events DEFAULT;
            CREATE INDEX orders_customer_idx ON orders (customer_id);
            """;

    private static final String SEED = """
            INSERT INTO customers (name, email)
                SELECT 'Customer ' || g, 'customer' || g || '@example.com' FROM generate_series(1, %1$d) g;
            INSERT INTO products (title, price)
                SELECT 'Product ' || g, (g %% 97) + 0.99 FROM generate_series(1, 50) g;
            INSERT INTO orders (customer_id, status, total)
                SELECT 1 + (g %% %1$d), (ARRAY['new', 'paid', 'shipped'])[1 + g %% 3], g %% 500
                FROM generate_series(1, %2$d) g;
            INSERT INTO order_items (order_id, product_id, quantity)
                SELECT o.id, 1 + (o.id %% 50), 1 + (o.id %% 4) FROM orders o;
            INSERT INTO events (happened_at, kind, payload)
                SELECT timestamptz '2025-06-01' + g * interval '1 hour', 'seed', jsonb_build_object('n', g)
                FROM generate_series(1, %2$d) g;
            """;

    private SampleSchema() {
    }

    /** Creates the tables only, empty (a destination schema prepared by hand, for data-only moves). */
    public static void createEmpty(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(DDL);
        }
    }

    /** Creates the tables and fills them with {@code rows} orders (and as many events). */
    public static void create(Connection connection, int rows) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(DDL);
            // no ANALYZE here: run before this session's statistics are flushed, it would make
            // the live-row estimates count the seed twice
            s.execute(SEED.formatted(Math.max(1, rows / 2), rows));
        }
    }
}
