package dev.pgferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pgferry's pages as a browser session sees them: logs in through the form (with its CSRF token
 * and session cookie), then fetches pages as HTML text. For tests that read what a page shows
 * without a browser.
 */
public final class Pages {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    private final HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final String base;

    private Pages(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** A session logged in as that user. */
    public static Pages loggedIn(int port, String user, String password) {
        Pages pages = new Pages(port);
        HttpResponse<String> login = pages.post("/login", user, password);
        if (login.uri().getPath().equals("/login")) {
            throw new AssertionError("login as " + user + " refused: " + login.statusCode());
        }
        return pages;
    }

    /**
     * Posts the login form with a fresh CSRF token and returns where the answer ended up (after
     * redirects): the login page again on a refusal.
     */
    public HttpResponse<String> post(String path, String user, String password) {
        Matcher token = CSRF.matcher(get("/login"));
        if (!token.find()) {
            throw new AssertionError("no CSRF token on the login page");
        }
        String form = "username=" + encode(user) + "&password=" + encode(password) + "&_csrf=" + encode(token.group(1));
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
    }

    /** The page's HTML; fails on any status but 200. */
    public String get(String path) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + ": " + response.statusCode());
        }
        return response.body();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
