package dev.pgferry.web;

import dev.pgferry.config.PgferryConfig;
import dev.pgferry.config.User;
import dev.pgferry.web.login.LoginMetrics;
import dev.pgferry.web.login.LoginThrottle;
import dev.pgferry.web.login.LoginThrottleFilter;
import dev.pgferry.web.login.VerifiedPasswords;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;

/**
 * Every page and API call needs a login. Pages: form login, CSRF on every POST form. API: HTTP
 * Basic, stateless, answers 401 without credentials, exempt from CSRF (no cookie to ride on).
 * Viewers read; actions need the operator role. Health probes stay open for Kubernetes. Failed
 * logins are throttled per user name and per client address ({@link LoginThrottle}).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    static final String OPERATOR = "OPERATOR";
    static final String VIEWER = "VIEWER";

    /** bcrypt (with its {id} prefix), and a password just verified is not hashed again for a few minutes. */
    @Bean
    PasswordEncoder passwordEncoder() {
        return new VerifiedPasswords(PasswordEncoderFactories.createDelegatingPasswordEncoder());
    }

    /**
     * Users from PGFERRY_USERS_* (passwords hashed at start-up, never kept in clear text by
     * Spring) and from PGFERRY_USER_FILE (bcrypt hashes already).
     */
    @Bean
    UserDetailsService users(PgferryConfig config, PasswordEncoder encoder) {
        InMemoryUserDetailsManager manager = new InMemoryUserDetailsManager();
        for (User user : config.users()) {
            String[] roles = user.role() == User.Role.OPERATOR ? new String[] {VIEWER, OPERATOR} : new String[] {VIEWER};
            manager.createUser(org.springframework.security.core.userdetails.User.withUsername(user.name())
                    .password(user.encodedPassword() != null ? user.encodedPassword()
                            : encoder.encode(user.password().reveal()))
                    .roles(roles).build());
        }
        return manager;
    }

    @Bean
    @Order(1)
    SecurityFilterChain api(HttpSecurity http, LoginThrottle throttle, LoginMetrics metrics) throws Exception {
        http.securityMatcher("/api/**")
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers(HttpMethod.GET, "/api/**").hasRole(VIEWER)
                        .anyRequest().hasRole(OPERATOR));
        return basicAndStateless(http, throttle, metrics).build();
    }

    /** Health probes open (Kubernetes); metrics and the rest of actuator for users, with HTTP Basic for scrapers. */
    @Bean
    @Order(2)
    SecurityFilterChain actuator(HttpSecurity http, LoginThrottle throttle, LoginMetrics metrics) throws Exception {
        http.securityMatcher("/actuator/**")
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .anyRequest().hasRole(VIEWER));
        return basicAndStateless(http, throttle, metrics).build();
    }

    /**
     * For machine clients: HTTP Basic, 401 without credentials, no session, and so no CSRF token
     * (there is no cookie for a forged request to ride on); throttled like the login form.
     */
    private static HttpSecurity basicAndStateless(HttpSecurity http, LoginThrottle throttle, LoginMetrics metrics)
            throws Exception {
        HttpStatusEntryPoint unauthorized = new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED);
        return http.addFilterBefore(new LoginThrottleFilter(throttle, metrics), BasicAuthenticationFilter.class)
                .httpBasic(basic -> basic.authenticationEntryPoint(unauthorized))
                .exceptionHandling(e -> e.authenticationEntryPoint(unauthorized))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable());
    }

    /**
     * What the browser may do with pgferry's pages: scripts and styles only from pgferry itself
     * (htmx from its webjar; no inline script or style anywhere), no framing, no sniffing, no
     * referrer beyond pgferry. The session cookie is HttpOnly and SameSite=Lax (application.yml);
     * Tomcat marks it Secure when the request came over TLS (X-Forwarded-Proto from the ingress).
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private static HttpSecurity securityHeaders(HttpSecurity http) throws Exception {
        return http.headers(headers -> headers
                .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                .referrerPolicy(referrer -> referrer.policy(
                        org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy
                                .SAME_ORIGIN))
                .frameOptions(frames -> frames.deny())
                .contentTypeOptions(Customizer.withDefaults()));
    }

    @Bean
    @Order(3)
    SecurityFilterChain pages(HttpSecurity http, LoginThrottle throttle, LoginMetrics metrics) throws Exception {
        return securityHeaders(http)
                .addFilterBefore(new LoginThrottleFilter(throttle, metrics), UsernamePasswordAuthenticationFilter.class)
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/login", "/css/**", "/js/**", "/webjars/**", "/favicon.ico", "/error").permitAll()
                        .requestMatchers(HttpMethod.POST, "/mappings/**").hasRole(OPERATOR)
                        .anyRequest().hasRole(VIEWER))
                .formLogin(form -> form.loginPage("/login").defaultSuccessUrl("/", false).permitAll())
                .logout(Customizer.withDefaults())
                .build();
    }
}
