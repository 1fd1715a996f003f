package dev.pgferry;

import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** pgferry: moves PostgreSQL databases to new servers with native logical replication. */
@SpringBootApplication
public class PgferryApplication {

    public static void main(String[] args) {
        SpringApplication.run(PgferryApplication.class, args);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
