package dev.pgferry.web.login;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Placed before the authentication filters of a security chain: a login attempt (HTTP Basic
 * credentials, or the login form posted) whose user name or client address is barred by
 * {@link LoginThrottle} is answered 429 with Retry-After, without checking its password.
 * Anything else passes. Not a bean: Spring Boot would register a Filter bean for every request
 * as well.
 */
public class LoginThrottleFilter extends OncePerRequestFilter {

    private static final String BASIC = "basic ";

    private final LoginThrottle throttle;
    private final LoginMetrics metrics;

    public LoginThrottleFilter(LoginThrottle throttle, LoginMetrics metrics) {
        this.throttle = throttle;
        this.metrics = metrics;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<String> user = attemptedUser(request);
        Optional<Duration> barred = user.flatMap(name -> throttle.barred(name, request.getRemoteAddr()));
        if (barred.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        long seconds = Math.max(1, (barred.get().toMillis() + 999) / 1000);
        metrics.throttled();
        response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write("Too many failed logins for this user or from this address: try again in "
                + seconds + " s.\n");
    }

    /** The user name of a login attempt in this request, if it is one. */
    static Optional<String> attemptedUser(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(BASIC.length()).strip()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return Optional.of(colon < 0 ? decoded : decoded.substring(0, colon));
            } catch (IllegalArgumentException e) {
                return Optional.empty(); // not Base64: Spring Security refuses it as it stands
            }
        }
        if ("POST".equals(request.getMethod()) && (request.getContextPath() + "/login").equals(request.getRequestURI())) {
            return Optional.of(Optional.ofNullable(request.getParameter("username")).orElse(""));
        }
        return Optional.empty();
    }
}
