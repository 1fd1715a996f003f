package dev.pgferry.demo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An application writing to the sample schema: inserts, updates and deletes across several
 * tables, a transaction every {@code pause}, until stopped or its time is up. It survives a
 * lost connection by reconnecting.
 */
public final class SampleWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SampleWriter.class);

    private final String url;
    private final Properties credentials = new Properties();
    private final Duration pause;
    private final Instant deadline;
    private final AtomicLong transactions = new AtomicLong();
    private volatile boolean running = true;
    private final Thread thread;

    public SampleWriter(String url, String user, String password, Duration pause, Duration maxDuration) {
        this.url = url;
        this.credentials.setProperty("user", user);
        this.credentials.setProperty("password", password);
        this.pause = pause;
        this.deadline = Instant.now().plus(maxDuration);
        this.thread = Thread.ofPlatform().daemon().name("sample-writer").start(this::loop);
    }

    public long transactions() {
        return transactions.get();
    }

    /** Stops and waits for the transaction under way to finish. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        while (running && Instant.now().isBefore(deadline)) {
            try (Connection c = DriverManager.getConnection(url, credentials)) {
                c.setAutoCommit(false);
                while (running && Instant.now().isBefore(deadline)) {
                    writeOnce(c);
                    c.commit();
                    transactions.incrementAndGet();
                    Thread.sleep(pause);
                }
            } catch (SQLException e) {
                log.debug("sample writer: {} (reconnecting)", e.getMessage());
                sleepQuietly(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void writeOnce(Connection c) throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long orderId;
        try (PreparedStatement s = c.prepareStatement("INSERT INTO orders (customer_id, total) "
                + "SELECT id, ? FROM customers ORDER BY id DESC LIMIT 1 OFFSET ? RETURNING id")) {
            s.setBigDecimal(1, java.math.BigDecimal.valueOf(random.nextInt(1, 100_000), 2));
            s.setInt(2, random.nextInt(0, 20));
            var rs = s.executeQuery();
            if (!rs.next()) {
                return;
            }
            orderId = rs.getLong(1);
        }
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO order_items (order_id, product_id, quantity) VALUES (?, ?, ?)")) {
            s.setLong(1, orderId);
            s.setInt(2, random.nextInt(1, 51));
            s.setInt(3, random.nextInt(1, 5));
            s.executeUpdate();
        }
        exec(c, "UPDATE orders SET status = 'paid' WHERE id = (SELECT id FROM orders WHERE status = 'new' "
                + "ORDER BY id LIMIT 1 OFFSET " + random.nextInt(0, 10) + ")");
        exec(c, "UPDATE customers SET name = name || '.' WHERE id = " + random.nextInt(1, 50));
        exec(c, "DELETE FROM orders WHERE id = (SELECT min(id) FROM orders WHERE status = 'shipped')");
        exec(c, "UPDATE orders SET status = 'shipped' WHERE id = (SELECT min(id) FROM orders WHERE status = 'paid')");
        exec(c, "INSERT INTO events (happened_at, kind, payload) VALUES (now(), 'order', "
                + "jsonb_build_object('order', " + orderId + "))");
        exec(c, "DELETE FROM events WHERE id = (SELECT min(id) FROM events WHERE kind = 'seed')");
        if (random.nextInt(20) == 0) {
            exec(c, "INSERT INTO customers (name, email) VALUES ('New customer', 'new' || "
                    + "nextval(pg_get_serial_sequence('orders', 'id')) || '@example.com')");
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (var s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
