package dev.pgferry.notify;

import dev.pgferry.config.NotifyTarget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one target's notifications in order, from a bounded queue, on a thread of its own:
 * the reconcile loop only queues, so a receiver that fails or hangs slows nothing but its own
 * messages. A message is tried {@link Delivery#attempts} times with doubling waits (a 5xx,
 * 408, 429, a timeout or a connection error is worth another try; any other 4xx is not); when
 * the queue is full the oldest message gives way. Every outcome is counted
 * ({@code pgferry_notifications_total{target,outcome}}). The target's URL is never logged.
 */
final class WebhookSender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

    /** What is counted. */
    enum Outcome {
        SENT, RETRIED, FAILED, DROPPED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** How a message is delivered: tries, the first wait between them (then doubled), one request's time limit. */
    record Delivery(int attempts, Duration firstRetry, Duration timeout, int queue) {
        static final Delivery DEFAULT = new Delivery(5, Duration.ofSeconds(2), Duration.ofSeconds(10), 500);
    }

    private final NotifyTarget target;
    private final Delivery delivery;
    private final Clock clock;
    private final HttpClient http;
    private final BlockingDeque<Notification> queue;
    private final Map<Outcome, AtomicLong> counts = new EnumMap<>(Outcome.class);
    private final Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);
    private final Thread worker;
    private volatile Instant lastSentAt;
    private volatile Instant lastFailedAt;
    private volatile String lastError;

    WebhookSender(NotifyTarget target, Delivery delivery, Clock clock, MeterRegistry registry) {
        this.target = target;
        this.delivery = delivery;
        this.clock = clock;
        this.queue = new LinkedBlockingDeque<>(delivery.queue());
        this.http = HttpClient.newBuilder().connectTimeout(delivery.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        for (Outcome outcome : Outcome.values()) {
            counts.put(outcome, new AtomicLong());
            counters.put(outcome, Counter.builder("pgferry.notifications")
                    .description("notifications by target and outcome: sent, retried (one more try), failed (given "
                            + "up), dropped (the queue was full)")
                    .tag("target", target.name()).tag("outcome", outcome.label()).register(registry));
        }
        this.worker = Thread.ofPlatform().daemon().name("notify-" + target.name()).start(this::deliverAll);
    }

    NotifyTarget target() {
        return target;
    }

    /** Queues a message; never blocks: a full queue drops its oldest message. */
    void offer(Notification notification) {
        while (!queue.offerLast(notification)) {
            if (queue.pollFirst() != null) {
                count(Outcome.DROPPED);
                log.warn("notification target {}: queue full ({} messages), the oldest dropped", target.name(),
                        delivery.queue());
            }
        }
    }

    TargetState state() {
        return new TargetState(target.name(), target.shownUrl(), target.format().label(),
                String.join(", ", target.events()), target.signed(), counts.get(Outcome.SENT).get(),
                counts.get(Outcome.RETRIED).get(), counts.get(Outcome.FAILED).get(), counts.get(Outcome.DROPPED).get(),
                queue.size(), lastSentAt, lastFailedAt, lastError);
    }

    private void deliverAll() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Notification next = queue.takeFirst();
                try {
                    deliver(next);
                } catch (RuntimeException e) {
                    // one message that cannot be sent must not end the target's sender
                    count(Outcome.FAILED);
                    lastFailedAt = clock.instant();
                    lastError = e.getClass().getSimpleName() + " (" + next.title() + ")";
                    log.warn("notification target {}: {} not sent: {}", target.name(), next.event(),
                            e.getClass().getSimpleName());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(Notification notification) throws InterruptedException {
        String body = Payloads.body(target.format(), notification);
        HttpRequest.Builder request = HttpRequest.newBuilder(target.url()).timeout(delivery.timeout())
                .header("Content-Type", "application/json").header("User-Agent", "pgferry")
                .header("X-Pgferry-Event", notification.event())
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (target.signed()) {
            request.header(Payloads.SIGNATURE_HEADER, Payloads.signature(target.secret().reveal(), body));
        }
        Duration wait = delivery.firstRetry();
        for (int attempt = 1; ; attempt++) {
            String problem;
            boolean worthRetrying;
            try {
                HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
                int code = response.statusCode();
                if (code >= 200 && code < 300) {
                    count(Outcome.SENT);
                    lastSentAt = clock.instant();
                    return;
                }
                problem = "HTTP " + code;
                worthRetrying = code >= 500 || code == 408 || code == 429;
            } catch (IOException e) {
                problem = describe(e);
                worthRetrying = true;
            }
            if (!worthRetrying || attempt >= delivery.attempts()) {
                count(Outcome.FAILED);
                lastFailedAt = clock.instant();
                lastError = problem + " (" + notification.title() + ")";
                log.warn("notification target {} ({}): {} not delivered after {} attempt(s): {}", target.name(),
                        target.shownUrl(), notification.event(), attempt, problem);
                return;
            }
            count(Outcome.RETRIED);
            lastError = problem + " (trying again)";
            Thread.sleep(wait.toMillis());
            wait = wait.multipliedBy(2);
        }
    }

    /** An exception's message without the URL (its path is the webhook's secret). */
    private String describe(IOException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
        return message.replace(target.url().toString(), target.shownUrl());
    }

    private void count(Outcome outcome) {
        counts.get(outcome).incrementAndGet();
        counters.get(outcome).increment();
    }

    @Override
    public void close() {
        worker.interrupt();
        http.shutdownNow();
        if (!queue.isEmpty()) {
            log.info("notification target {}: {} message(s) not sent: pgferry stops", target.name(), queue.size());
        }
    }
}
