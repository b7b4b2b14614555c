package io.heliograph.region.mesh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heliograph.protocol.Json;
import io.heliograph.region.sequencing.Home;

/**
 * The mesh table's JSON, both ways, exactly as docs/control-plane.md ("The mesh table") shows it: the one codec of
 * the control plane (which writes it, and reads it back from its replicas' store and from edges) and of the edge
 * (which takes it in a push). A malformed table is refused naming the field, so a control plane with a bug is told
 * exactly what it sent wrong, and nothing of it is kept. Fields it does not know are ignored.
 */
public final class MeshTableJson {

    /** How region names are spelled: the configuration's rule, checked again on every table read. */
    private static final String REGION = "[a-z0-9-]{1,64}";

    /** A text that is not a mesh table; the message names the field ("mesh table: homes.us-east.epoch ..."). */
    public static final class MalformedTable extends IllegalArgumentException {
        MalformedTable(String message) {
            super(message);
        }
    }

    private MeshTableJson() {
    }

    // ---- writing ----

    /** The table as JSON text. */
    public static String write(MeshTable table) {
        try {
            return Json.MAPPER.writeValueAsString(tree(table));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a mesh table that cannot be written as JSON", e);
        }
    }

    /** The table as a JSON tree: version, leader, homes, regions, preference, each map in the table's order. */
    public static ObjectNode tree(MeshTable table) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("version", table.version());
        out.putObject("leader").put("id", table.leader().id()).put("epoch", table.leader().epoch());
        ObjectNode homes = out.putObject("homes");
        table.homes().forEach((base, home) ->
                homes.putObject(base).put("region", home.region()).put("epoch", home.epoch()));
        ObjectNode regions = out.putObject("regions");
        table.regions().forEach((name, entry) -> {
            ObjectNode region = regions.putObject(name);
            region.put("state", entry.state().wire());
            region.set("edges", edges(entry.edges()));
        });
        ObjectNode preference = out.putObject("preference");
        table.preference().forEach((name, others) -> others.forEach(preference.putArray(name)::add));
        return out;
    }

    /** Edges as every answer carries them ({@code [{"id", "ws", "http"}]}): the table, route, negotiate. */
    public static ArrayNode edges(List<MeshTable.EdgeAddress> edges) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (MeshTable.EdgeAddress edge : edges) {
            out.addObject().put("id", edge.id()).put("ws", edge.ws()).put("http", edge.http());
        }
        return out;
    }

    // ---- reading ----

    /** @throws MalformedTable when the text is not JSON or not a mesh table */
    public static MeshTable read(String json) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new MalformedTable("mesh table: not JSON (" + e.getOriginalMessage() + ")");
        }
        return read(root);
    }

    /**
     * The table a JSON tree holds. {@code version} is required (an integer from 1); {@code homes}, {@code regions}
     * and {@code preference} may be missing (empty); a missing leader reads as id {@code ""}, epoch 0.
     *
     * @throws MalformedTable naming the first field that is wrong
     */
    public static MeshTable read(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw bad("the body", "must be a JSON object");
        }
        long version = positive(root, "version");
        JsonNode leader = root.path("leader");
        String leaderId = leader.path("id").isTextual() ? leader.path("id").asText() : "";
        long leaderEpoch = leader.path("epoch").canConvertToLong() ? leader.path("epoch").asLong() : 0;

        Map<String, Home> homes = new LinkedHashMap<>();
        for (var field : fields(root, "homes")) {
            String base = region("homes", field.getKey());
            JsonNode home = field.getValue();
            String at = home.path("region").isTextual() ? home.path("region").asText() : null;
            if (at == null || !at.matches(REGION)) {
                throw bad("homes." + base + ".region", "must name a region");
            }
            homes.put(base, new Home(at, positive(home, "epoch", "homes." + base + ".epoch")));
        }
        Map<String, MeshTable.RegionEntry> regions = new LinkedHashMap<>();
        for (var field : fields(root, "regions")) {
            String name = region("regions", field.getKey());
            regions.put(name, regionEntry(name, field.getValue()));
        }
        Map<String, List<String>> preference = new LinkedHashMap<>();
        for (var field : fields(root, "preference")) {
            String name = region("preference", field.getKey());
            if (!field.getValue().isArray()) {
                throw bad("preference." + name, "must be an array of region names");
            }
            List<String> others = new ArrayList<>();
            for (JsonNode other : field.getValue()) {
                others.add(region("preference." + name, other.asText("")));
            }
            preference.put(name, others);
        }
        try {
            return new MeshTable(version, new MeshTable.Leader(leaderId, leaderEpoch), homes, regions, preference);
        } catch (IllegalArgumentException e) {
            // What only the whole table can tell: a home at a region the table does not list.
            throw new MalformedTable("mesh table: " + e.getMessage());
        }
    }

    private static MeshTable.RegionEntry regionEntry(String name, JsonNode entry) {
        String state = entry.path("state").asText("");
        if (!RegionState.wireNames().contains(state)) {
            throw bad("regions." + name + ".state", "must be one of " + RegionState.wireNames());
        }
        JsonNode list = entry.path("edges");
        if (!list.isMissingNode() && !list.isArray()) {
            throw bad("regions." + name + ".edges", "must be an array");
        }
        List<MeshTable.EdgeAddress> edges = new ArrayList<>();
        int i = 0;
        for (JsonNode edge : list) {
            String where = "regions." + name + ".edges[" + i++ + "]";
            edges.add(new MeshTable.EdgeAddress(text(edge, "id", where), text(edge, "ws", where),
                    text(edge, "http", where)));
        }
        return new MeshTable.RegionEntry(RegionState.fromWire(state), edges);
    }

    private static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode root, String name) {
        JsonNode node = root.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isObject()) {
            throw bad(name, "must be an object");
        }
        return node.properties();
    }

    private static String region(String where, String name) {
        if (name == null || !name.matches(REGION)) {
            throw bad(where, "'" + name + "' is not a region name (" + REGION + ")");
        }
        return name;
    }

    private static long positive(JsonNode node, String field) {
        return positive(node, field, field);
    }

    private static long positive(JsonNode node, String field, String where) {
        JsonNode value = node.path(field);
        if (!value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < 1) {
            throw bad(where, "must be an integer >= 1");
        }
        return value.asLong();
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw bad(where + "." + field, "must be a non-empty string");
        }
        return value.asText();
    }

    private static MalformedTable bad(String field, String problem) {
        return new MalformedTable("mesh table: " + field + " " + problem);
    }
}
