package dev.pgferry.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgferry.config.NotifyTarget;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The body a target receives: pgferry's own JSON (docs/notifications.md), a Slack incoming
 * webhook's {@code text}, or a Teams workflow's Adaptive Card; and the HMAC signature of a JSON
 * body. Pure: no I/O.
 */
final class Payloads {

    /** The header that carries {@code sha256=<hex HMAC-SHA256 of the body>} when the target has a secret. */
    static final String SIGNATURE_HEADER = "X-Pgferry-Signature";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Payloads() {
    }

    static String body(NotifyTarget.Format format, Notification n) {
        return switch (format) {
            case JSON -> json(n);
            case SLACK -> slack(n);
            case TEAMS -> teams(n);
        };
    }

    static String json(Notification n) {
        ObjectNode body = JSON.createObjectNode();
        body.put("event", n.event());
        body.put("mapping", n.mapping());
        body.put("database", n.database());
        body.put("title", n.title());
        body.put("text", n.text());
        body.put("at", n.at().toString());
        ObjectNode facts = body.putObject("facts");
        n.facts().forEach(facts::put);
        return body.toString();
    }

    static String slack(Notification n) {
        ObjectNode body = JSON.createObjectNode();
        body.put("text", "*pgferry: " + escapeSlack(n.title()) + "*\n" + escapeSlack(n.text() == null ? "" : n.text()));
        return body.toString();
    }

    static String teams(Notification n) {
        ObjectNode body = JSON.createObjectNode();
        body.put("type", "message");
        ArrayNode attachments = body.putArray("attachments");
        ObjectNode attachment = attachments.addObject();
        attachment.put("contentType", "application/vnd.microsoft.card.adaptive");
        ObjectNode card = attachment.putObject("content");
        card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
        card.put("type", "AdaptiveCard");
        card.put("version", "1.4");
        ArrayNode blocks = card.putArray("body");
        blocks.addObject().put("type", "TextBlock").put("weight", "Bolder").put("wrap", true)
                .put("text", "pgferry: " + n.title());
        blocks.addObject().put("type", "TextBlock").put("wrap", true).put("text", n.text() == null ? "" : n.text());
        return body.toString();
    }

    /** Slack reads &, < and > as markup. */
    private static String escapeSlack(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String signature(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
