package io.heliograph.meshctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code meshctl status}: the answer of {@code GET /v1/regions} as tables for a terminal. One row per region (state,
 * nodes up of total, connections summed over its nodes, the base regions homed there with their epochs, where it
 * fails over to), the nodes that are not healthy, then one row per bridge replica and peer (link and circuit
 * states, replication lag). A field the answer lacks shows as {@code -}, so a control plane that is newer or older
 * than this meshctl still renders.
 */
final class RegionsReport {

    private RegionsReport() {
    }

    static String render(JsonNode answer, String controlPlane) {
        StringBuilder out = new StringBuilder();
        out.append("control plane ").append(controlPlane).append(": leader ").append(orDash(text(answer, "leader")))
                .append(", mesh table version ").append(orDash(text(answer, "tableVersion"))).append("\n\n");

        JsonNode regions = answer.path("regions");
        TextTable table = new TextTable("REGION", "STATE", "NODES", "CONNECTIONS", "HOMES (EPOCH)", "FAILS OVER TO");
        List<String> unhealthyNodes = new ArrayList<>();
        TextTable links = new TextTable("REGION", "BRIDGE", "HEALTHY", "ROLE", "PEER", "LINK", "CIRCUIT",
                "LAG MSGS", "LAG MS");
        for (JsonNode region : regions) {
            String name = text(region, "name");
            table.row(name, text(region, "state"), nodesUp(region.path("nodes")),
                    connections(region.path("nodes")), homes(region), list(region.path("preference")));
            for (JsonNode node : region.path("nodes")) {
                if (!node.path("healthy").asBoolean(false)) {
                    unhealthyNodes.add(text(node, "id") + " (" + name + ")");
                }
            }
            for (JsonNode bridge : region.path("bridges")) {
                JsonNode peers = bridge.path("peers");
                if (!peers.isObject() || peers.isEmpty()) {
                    links.row(name, text(bridge, "id"), yesNo(bridge.path("healthy")), text(bridge, "role"),
                            null, null, null, null, null);
                    continue;
                }
                for (Map.Entry<String, JsonNode> peer : peers.properties()) {
                    JsonNode link = peer.getValue();
                    links.row(name, text(bridge, "id"), yesNo(bridge.path("healthy")), text(bridge, "role"),
                            peer.getKey(), text(link, "link"), text(link, "circuit"), text(link, "lagMessages"),
                            text(link, "lagMs"));
                }
            }
        }
        if (table.isEmpty()) {
            out.append("no regions\n");
            return out.toString();
        }
        out.append(table.render());
        if (!unhealthyNodes.isEmpty()) {
            out.append("\nnodes not healthy: ").append(String.join(", ", unhealthyNodes)).append('\n');
        }
        if (!links.isEmpty()) {
            out.append('\n').append(links.render());
        }
        return out.toString();
    }

    private static String nodesUp(JsonNode nodes) {
        if (!nodes.isArray()) {
            return null;
        }
        int up = 0;
        for (JsonNode node : nodes) {
            if (node.path("healthy").asBoolean(false)) {
                up++;
            }
        }
        return up + "/" + nodes.size();
    }

    private static String connections(JsonNode nodes) {
        if (!nodes.isArray()) {
            return null;
        }
        long sum = 0;
        boolean any = false;
        for (JsonNode node : nodes) {
            if (node.path("connections").isNumber()) {
                sum += node.path("connections").asLong();
                any = true;
            }
        }
        return any || nodes.isEmpty() ? Long.toString(sum) : null;
    }

    /** {@code eu-west (1), us-east (2)}: each base region homed here and its epoch, when the answer gives it. */
    private static String homes(JsonNode region) {
        JsonNode homes = region.path("homes");
        if (!homes.isArray()) {
            return null;
        }
        if (homes.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode home : homes) {
            JsonNode epoch = region.path("epochs").path(home.asText());
            parts.add(epoch.isMissingNode() || epoch.isNull() ? home.asText() : home.asText() + " (" + epoch.asText()
                    + ")");
        }
        return String.join(", ", parts);
    }

    private static String list(JsonNode array) {
        if (!array.isArray() || array.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        array.forEach(e -> parts.add(e.asText()));
        return String.join(", ", parts);
    }

    private static String yesNo(JsonNode flag) {
        return flag.isBoolean() ? (flag.asBoolean() ? "yes" : "no") : null;
    }

    static String orDash(String text) {
        return text == null ? "-" : text;
    }

    /** The field as text, or null (rendered {@code -}) when absent or null. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? null : value.asText();
    }
}
