package dev.pgferry.notify;

import dev.pgferry.audit.Audited;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.StatusBoard;
import dev.pgferry.status.TickEnded;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Tells the configured webhooks ({@code PGFERRY_NOTIFY_<N>_*}, docs/notifications.md) what
 * changed: after every tick, what {@link ChangeDetector} finds; after every audited action,
 * the action. Only the pgferry that holds a mapping's lease tells about its ticks (another one
 * looks at the same servers and would tell the same); an action is told by the pgferry that
 * did it. Listening only queues: delivery is {@link WebhookSender}'s, beside the loop.
 */
@Component
public class Notifications implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(Notifications.class);

    private final StatusBoard board;
    private final Clock clock;
    private final List<WebhookSender> senders;
    private final Map<String, ChangeDetector> detectors = new ConcurrentHashMap<>();

    @Autowired
    public Notifications(PgferryConfig config, StatusBoard board, Clock clock, MeterRegistry registry) {
        this(config, board, clock, registry, WebhookSender.Delivery.DEFAULT);
    }

    Notifications(PgferryConfig config, StatusBoard board, Clock clock, MeterRegistry registry,
            WebhookSender.Delivery delivery) {
        this.board = board;
        this.clock = clock;
        this.senders = config.webhooks().stream().map(t -> new WebhookSender(t, delivery, clock, registry)).toList();
    }

    @EventListener
    public void tickEnded(TickEnded ended) {
        if (senders.isEmpty()) {
            return;
        }
        try {
            // the board's copy carries the alerts the tick's status does not have yet
            MappingStatus status = board.get(ended.status().mapping().name())
                    .filter(s -> s.observedAt().equals(ended.status().observedAt())).orElse(ended.status());
            ChangeDetector detector = detectors.computeIfAbsent(status.mapping().name(), m -> new ChangeDetector());
            List<Notification> changes;
            synchronized (detector) {
                changes = detector.next(status, clock.instant());
            }
            boolean acting = status.lease() == null || status.lease().held();
            if (acting) {
                changes.forEach(this::send);
            }
        } catch (RuntimeException e) {
            // a notification must never stop a tick
            log.warn("mapping {}: notifications of this tick not sent: {}", ended.status().mapping().name(),
                    e.toString());
        }
    }

    @EventListener
    public void audited(Audited entry) {
        if (senders.isEmpty()) {
            return;
        }
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("action", entry.action());
        facts.put("actor", entry.actor());
        String where = entry.mapping() + (entry.database() == null ? "" : "/" + entry.database());
        send(new Notification("action", entry.mapping(), entry.database(), where + ": " + entry.action() + " by "
                + entry.actor(), entry.detail(), entry.at(), facts));
    }

    private void send(Notification notification) {
        for (WebhookSender sender : senders) {
            if (sender.target().wants(notification.event())) {
                sender.offer(notification);
            }
        }
    }

    /** Each target with its counts, for the configuration page. */
    public List<TargetState> targets() {
        return senders.stream().map(WebhookSender::state).toList();
    }

    @Override
    public void destroy() {
        senders.forEach(WebhookSender::close);
    }
}
