package dev.pgferry.notify;

import dev.pgferry.status.Alert;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What changed for one mapping between two ticks, as notifications: a database's phase, the
 * mapping's cutover-ready light, an alert raised or cleared, a failure. One message per change,
 * never one per tick: it remembers what it last saw (and told), so an unchanged status sends
 * nothing. The first status it sees is where it starts (after a restart pgferry does not tell
 * again what it told before). Not thread-safe: one per mapping, fed by that mapping's ticks.
 */
final class ChangeDetector {

    /** A failure told once is not told again with the same reason for this long (retries with backoff). */
    static final Duration SAME_FAILURE_QUIET = Duration.ofHours(1);

    private Map<String, Phase> phases;
    private Map<String, String> phaseReasons = new HashMap<>();
    private Boolean ready;
    private Set<String> alerts;
    private final Map<String, Alert> alertDetails = new HashMap<>();
    private final Map<String, Told> failures = new HashMap<>();

    private record Told(String reason, Instant at) {
    }

    List<Notification> next(MappingStatus status, Instant now) {
        String mapping = status.mapping().name();
        Map<String, Phase> seen = new LinkedHashMap<>();
        Map<String, String> reasons = new HashMap<>();
        for (DatabaseStatus database : status.databases()) {
            Phase phase = database.phase();
            if (phase == Phase.LOOKING) {
                // not looked at this tick: what it was stands
                if (phases != null && phases.containsKey(database.database())) {
                    seen.put(database.database(), phases.get(database.database()));
                    reasons.put(database.database(), phaseReasons.get(database.database()));
                }
                continue;
            }
            seen.put(database.database(), phase);
            reasons.put(database.database(), database.plan().reason());
        }
        Map<String, Alert> raised = new LinkedHashMap<>();
        status.alerts().forEach(a -> raised.put(a.kind() + "/" + (a.database() == null ? "" : a.database()), a));
        boolean readyNow = status.cutoverReady();
        List<Notification> out = new ArrayList<>();
        if (phases != null) {
            seen.forEach((database, phase) -> {
                Phase before = phases.get(database);
                if (phase != before) {
                    out.add(phase == Phase.FAILED ? failure(mapping, database, before, reasons.get(database), now)
                            : phaseChanged(mapping, database, before, phase, reasons.get(database), now));
                } else if (phase == Phase.FAILED && !sameFailure(database, reasons.get(database), now)) {
                    out.add(failure(mapping, database, before, reasons.get(database), now));
                }
            });
            out.removeIf(n -> n == null);
            // a completed mapping is not "no longer cutover-ready": its completion is told by phase and action
            boolean completed = !seen.isEmpty() && seen.values().stream().allMatch(p -> p == Phase.COMPLETE);
            if (readyNow != ready && !(completed && !readyNow)) {
                out.add(readiness(status, readyNow, now));
            }
            raised.forEach((key, alert) -> {
                if (!alerts.contains(key)) {
                    out.add(alert(mapping, alert, true, now));
                }
            });
            for (String key : alerts) {
                if (!raised.containsKey(key)) {
                    out.add(alert(mapping, alertDetails.get(key), false, now));
                }
            }
        } else {
            // the starting point: a FAILED database is not told now, but is remembered as told
            seen.forEach((database, phase) -> {
                if (phase == Phase.FAILED) {
                    failures.put(database, new Told(normalized(reasons.get(database)), now));
                }
            });
        }
        phases = seen;
        phaseReasons = reasons;
        ready = readyNow;
        alerts = raised.keySet().stream().collect(Collectors.toSet());
        alertDetails.keySet().retainAll(alerts);
        alertDetails.putAll(raised);
        return out;
    }

    private Notification phaseChanged(String mapping, String database, Phase before, Phase phase, String reason,
            Instant now) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("phase", phase.name());
        if (before != null) {
            facts.put("previousPhase", before.name());
        }
        String title = mapping + "/" + database + ": " + (before == null ? "now " : before.name() + " → ")
                + phase.name();
        return new Notification("phase", mapping, database, title, reason, now, facts);
    }

    /** Told when a database turns FAILED, or fails again for another reason; the same reason is told once an hour. */
    private Notification failure(String mapping, String database, Phase before, String reason, Instant now) {
        if (sameFailure(database, reason, now)) {
            return null;
        }
        failures.put(database, new Told(normalized(reason), now));
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("phase", Phase.FAILED.name());
        if (before != null) {
            facts.put("previousPhase", before.name());
        }
        return new Notification("failure", mapping, database, mapping + "/" + database + " FAILED", reason, now,
                facts);
    }

    private boolean sameFailure(String database, String reason, Instant now) {
        Told told = failures.get(database);
        return told != null && told.reason().equals(normalized(reason))
                && now.isBefore(told.at().plus(SAME_FAILURE_QUIET));
    }

    /** The retry's timing is not a new reason. */
    static String normalized(String reason) {
        return reason == null ? "" : reason.replace(" (trying again later)", "").replace(" (trying again now)", "");
    }

    private static Notification readiness(MappingStatus status, boolean ready, Instant now) {
        String mapping = status.mapping().name();
        String text = ready ? "every database is READY: the cutover may start (the mapping's cutover page)"
                : status.databases().stream().filter(d -> d.phase() != Phase.READY)
                        .map(d -> d.database() + ": " + d.phase() + " (" + d.plan().reason() + ")")
                        .collect(Collectors.joining("; "));
        return new Notification("ready", mapping, null, mapping + (ready ? " is cutover-ready"
                : " is no longer cutover-ready"), text, now, Map.of("cutoverReady", Boolean.toString(ready)));
    }

    private static Notification alert(String mapping, Alert alert, boolean raised, Instant now) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("alert", alert.kind());
        facts.put("severity", alert.severity().name());
        facts.put("state", raised ? "raised" : "cleared");
        String where = alert.database() == null ? mapping : mapping + "/" + alert.database();
        return new Notification("alert", mapping, alert.database(), where + ": " + alert.kind()
                + (raised ? " raised" : " cleared"), raised ? alert.message() + (alert.fix() == null ? ""
                        : " Fix: " + alert.fix()) : "no longer: " + alert.message(), now, facts);
    }
}
