package dev.pgferry.config;

import java.util.Map;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Binds and validates the configuration once; every feature receives {@link PgferryConfig}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PgferryProperties.class)
class ConfigurationSetup {

    @Bean
    PgferryConfig pgferryConfig(PgferryProperties properties) {
        return ConfigurationValidator.validate(properties, environment());
    }

    private static Map<String, String> environment() {
        return System.getenv();
    }
}
