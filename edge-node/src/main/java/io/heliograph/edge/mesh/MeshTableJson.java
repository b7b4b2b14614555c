package io.heliograph.edge.mesh;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.protocol.HeliographException;
import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.sequencing.Home;

/**
 * The mesh table's JSON form (docs/control-plane.md, "The mesh table"), both ways. A malformed table is a 400 naming
 * the field, so a control plane with a bug is told exactly what it sent wrong, and nothing of it is kept.
 */
public final class MeshTableJson {

    private static final String REGION = "[a-z0-9-]{1,64}";

    private MeshTableJson() {
    }

    public static MeshTable parse(JsonNode root) {
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
            JsonNode entry = field.getValue();
            String state = entry.path("state").asText("");
            if (!MeshTable.STATES.contains(state)) {
                throw bad("regions." + name + ".state", "must be one of " + MeshTable.STATES);
            }
            List<MeshTable.EdgeAddress> edges = new ArrayList<>();
            JsonNode list = entry.path("edges");
            if (!list.isMissingNode() && !list.isArray()) {
                throw bad("regions." + name + ".edges", "must be an array");
            }
            int i = 0;
            for (JsonNode edge : list) {
                String where = "regions." + name + ".edges[" + i++ + "]";
                edges.add(new MeshTable.EdgeAddress(text(edge, "id", where), text(edge, "ws", where),
                        text(edge, "http", where)));
            }
            regions.put(name, new MeshTable.RegionEntry(state, edges));
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
            return new MeshTable(version, leaderId, leaderEpoch, homes, regions, preference);
        } catch (IllegalArgumentException e) {
            throw HeliographException.badRequest("mesh table: " + e.getMessage());
        }
    }

    public static Map<String, Object> toJson(MeshTable table) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", table.version());
        out.put("leader", Map.of("id", table.leaderId(), "epoch", table.leaderEpoch()));
        Map<String, Object> homes = new LinkedHashMap<>();
        table.homes().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                homes.put(e.getKey(), Map.of("region", e.getValue().region(), "epoch", e.getValue().epoch())));
        out.put("homes", homes);
        Map<String, Object> regions = new LinkedHashMap<>();
        table.regions().forEach((name, entry) -> {
            Map<String, Object> region = new LinkedHashMap<>();
            region.put("state", entry.state());
            region.put("edges", edges(entry.edges()));
            regions.put(name, region);
        });
        out.put("regions", regions);
        out.put("preference", new java.util.TreeMap<>(table.preference()));
        return out;
    }

    public static List<Map<String, Object>> edges(List<MeshTable.EdgeAddress> edges) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (MeshTable.EdgeAddress edge : edges) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", edge.id());
            e.put("ws", edge.ws());
            e.put("http", edge.http());
            out.add(e);
        }
        return out;
    }

    private static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode root, String name) {
        JsonNode node = root.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isObject()) {
            throw bad(name, "must be an object");
        }
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
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

    private static HeliographException bad(String field, String problem) {
        return HeliographException.badRequest("mesh table: " + field + " " + problem);
    }
}
