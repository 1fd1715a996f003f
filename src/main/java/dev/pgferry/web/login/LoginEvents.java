package dev.pgferry.web.login;

import dev.pgferry.config.PgferryConfig;
import dev.pgferry.config.User;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.AuthenticationFailureBadCredentialsEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.stereotype.Component;

/**
 * Spring Security's authentication events, for the throttle, the log and the metrics. A user
 * name that is not one of pgferry's users is logged as unknown, not as typed: people type a
 * password into the name field.
 */
@Component
public class LoginEvents {

    private static final Logger log = LoggerFactory.getLogger(LoginEvents.class);

    private final LoginThrottle throttle;
    private final LoginMetrics metrics;
    private final Set<String> users;

    public LoginEvents(LoginThrottle throttle, LoginMetrics metrics, PgferryConfig config) {
        this.throttle = throttle;
        this.metrics = metrics;
        this.users = config.users().stream().map(User::name).collect(Collectors.toUnmodifiableSet());
    }

    @EventListener
    public void failed(AuthenticationFailureBadCredentialsEvent event) {
        String address = address(event.getAuthentication());
        String user = event.getAuthentication().getName();
        int failures = throttle.failed(user, address);
        metrics.failed();
        log.warn("login failed: {} from {} ({} failure(s) in a row for that name)",
                users.contains(user) ? "user " + user : "an unknown user name", address, failures);
    }

    @EventListener
    public void succeeded(AuthenticationSuccessEvent event) {
        throttle.succeeded(event.getAuthentication().getName());
    }

    private static String address(Authentication authentication) {
        return authentication.getDetails() instanceof WebAuthenticationDetails details ? details.getRemoteAddress()
                : "an unknown address";
    }
}
