package io.heliograph.meshctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Audit-log events ({@code GET /v1/events}, and the {@code event} a change answers) for a terminal: what happened,
 * who did it, and which homes changed epoch.
 */
final class EventText {

    private EventText() {
    }

    /** One line: {@code event 12: failover eu-west -> us-east by admin; epochs eu-west 1->2; mesh table version 5}. */
    static String line(JsonNode event) {
        StringBuilder out = new StringBuilder("event ").append(orDash(RegionsReport.text(event, "seq"))).append(": ")
                .append(orDash(RegionsReport.text(event, "what")));
        String region = RegionsReport.text(event, "region");
        if (region != null) {
            out.append(' ').append(region);
        }
        String to = RegionsReport.text(event, "to");
        if (to != null) {
            out.append(" -> ").append(to);
        }
        String who = RegionsReport.text(event, "who");
        if (who != null) {
            out.append(" by ").append(who);
        }
        String reason = RegionsReport.text(event, "reason");
        if (reason != null) {
            out.append(" (").append(reason).append(')');
        }
        out.append("; epochs ").append(epochChanges(event));
        String version = RegionsReport.text(event, "tableVersion");
        if (version != null) {
            out.append("; mesh table version ").append(version);
        }
        return out.toString();
    }

    static String table(JsonNode events) {
        TextTable table = new TextTable("SEQ", "AT", "WHO", "WHAT", "REGION", "TO", "EPOCHS", "TABLE", "REASON");
        for (JsonNode e : events) {
            table.row(RegionsReport.text(e, "seq"), RegionsReport.text(e, "at"), RegionsReport.text(e, "who"),
                    RegionsReport.text(e, "what"), RegionsReport.text(e, "region"), RegionsReport.text(e, "to"),
                    epochChanges(e), RegionsReport.text(e, "tableVersion"), RegionsReport.text(e, "reason"));
        }
        return table.isEmpty() ? "no events\n" : table.render();
    }

    /** {@code eu-west 1->2, us-east 1->3}: each base region whose epoch differs before and after; else {@code none}. */
    static String epochChanges(JsonNode event) {
        JsonNode before = event.path("epochsBefore");
        JsonNode after = event.path("epochsAfter");
        if (!before.isObject() && !after.isObject()) {
            return "-";
        }
        TreeSet<String> bases = new TreeSet<>();
        for (Map.Entry<String, JsonNode> e : before.properties()) {
            bases.add(e.getKey());
        }
        for (Map.Entry<String, JsonNode> e : after.properties()) {
            bases.add(e.getKey());
        }
        List<String> changes = new ArrayList<>();
        for (String base : bases) {
            String from = orDash(RegionsReport.text(before, base));
            String to = orDash(RegionsReport.text(after, base));
            if (!from.equals(to)) {
                changes.add(base + " " + from + "->" + to);
            }
        }
        return changes.isEmpty() ? "none" : String.join(", ", changes);
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }
}
