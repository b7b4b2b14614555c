package io.heliograph.control.probe;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Turns an edge's and a bridge's {@code /health} JSON and a bridge's {@code /metrics} text into probe records. The
 * shapes are the edge's {@code EdgeHealth} (Helidon's health JSON, readiness check {@code edge}) and the bridge's
 * {@code BridgeHealth}; an answer that is not that JSON is a failed probe.
 */
public final class HealthParsers {

    /** The edge's readiness check, whose data carries region, node, draining, connections, channels. */
    public static final String EDGE_READINESS_CHECK = "edge";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LAG = Pattern.compile(
            "^heliograph_bridge_replication_lag_(messages|ms)\\{peer=\"([^\"]+)\"\\}\\s+(-?\\d+)", Pattern.MULTILINE);

    private HealthParsers() {
    }

    public static EdgeProbe edge(String edgeId, String body) {
        JsonNode health;
        try {
            health = JSON.readTree(body);
        } catch (IOException e) {
            return EdgeProbe.failed(edgeId, "health is not JSON: " + e.getMessage());
        }
        if (health == null || !health.has("status")) {
            return EdgeProbe.failed(edgeId, "health has no status");
        }
        for (JsonNode check : health.path("checks")) {
            if (EDGE_READINESS_CHECK.equals(check.path("name").asText())) {
                JsonNode data = check.path("data");
                return new EdgeProbe(edgeId, true, "UP".equals(check.path("status").asText()),
                        data.path("draining").asBoolean(false), data.path("connections").asLong(0),
                        data.path("channels").asLong(0), data.path("meshTableVersion").asLong(-1), null,
                        data.path("meshTableConfirm").isTextual() ? data.path("meshTableConfirm").asText() : null);
            }
        }
        // Answered, but without the readiness check: reachable, not ready.
        return new EdgeProbe(edgeId, true, false, false, 0, 0, -1, null);
    }

    public static BridgeProbe bridge(String bridgeId, String body) {
        JsonNode health;
        try {
            health = JSON.readTree(body);
        } catch (IOException e) {
            return BridgeProbe.failed(bridgeId, "health is not JSON: " + e.getMessage());
        }
        if (health == null || !health.has("status")) {
            return BridgeProbe.failed(bridgeId, "health has no status");
        }
        Map<String, BridgeProbe.PeerLink> peers = new LinkedHashMap<>();
        health.path("peers").properties().forEach(peer -> peers.put(peer.getKey(), new BridgeProbe.PeerLink(
                peer.getValue().path("link").asText(""), peer.getValue().path("circuit").asText(""), -1, -1)));
        return new BridgeProbe(bridgeId, true, "UP".equals(health.path("status").asText()),
                health.path("lease").path("role").asText(""), health.path("lease").path("epoch").asLong(0), peers,
                null);
    }

    /** Per peer, {messages, ms} of {@code heliograph_bridge_replication_lag_messages / _ms}. */
    public static Map<String, long[]> bridgeLag(String metrics) {
        Map<String, long[]> lag = new HashMap<>();
        Matcher m = LAG.matcher(metrics);
        while (m.find()) {
            long[] values = lag.computeIfAbsent(m.group(2), p -> new long[] {-1, -1});
            values["messages".equals(m.group(1)) ? 0 : 1] = Long.parseLong(m.group(3));
        }
        return lag;
    }

    /** The probe with lag figures added from {@code /metrics}. */
    public static BridgeProbe withLag(BridgeProbe probe, Map<String, long[]> lag) {
        Map<String, BridgeProbe.PeerLink> peers = new LinkedHashMap<>();
        probe.peers().forEach((peer, link) -> {
            long[] values = lag.get(peer);
            peers.put(peer, values == null ? link : link.withLag(values[0], values[1]));
        });
        return new BridgeProbe(probe.bridgeId(), probe.reachable(), probe.up(), probe.role(), probe.leaseEpoch(),
                peers, probe.error());
    }
}
