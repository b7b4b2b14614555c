package io.heliograph.bridge.process;

import io.heliograph.bridge.link.LinkSender;
import io.heliograph.bridge.outbound.OutboundLog;
import io.heliograph.bridge.outbound.OutboundStatus;

import java.util.Map;
import java.util.Optional;

/**
 * The body of {@code GET /health}: UP (200) while the replica is joined to its region's cluster, DOWN (503)
 * otherwise; its lease role and epoch; per peer the link's state, the circuit breaker's, whether this region dials
 * the pair's one stream or accepts it, whether the outbound log overflowed, and the last failure. A standby is UP: it is healthy, it just does not link.
 */
final class BridgeHealth {

    /** One answer: whether UP, and the JSON. */
    record Report(boolean up, String json) {
    }

    private final BridgeProcess process;

    BridgeHealth(BridgeProcess process) {
        this.process = process;
    }

    Report report() {
        boolean joined = process.member().getLifecycleService().isRunning();
        var lease = process.lease();
        StringBuilder json = new StringBuilder(512);
        json.append('{');
        field(json, "status", joined ? "UP" : "DOWN").append(',');
        field(json, "region", process.config().region()).append(',');
        field(json, "replica", process.config().replicaId()).append(',');
        json.append("\"members\":").append(joined ? process.member().getCluster().getMembers().size() : 0)
                .append(',');
        json.append("\"lease\":{");
        field(json, "name", process.config().leaseName()).append(',');
        field(json, "role", process.role()).append(',');
        json.append("\"epoch\":").append(lease.currentEpoch().orElse(0)).append("},");
        json.append("\"peers\":{");
        boolean first = true;
        for (Map.Entry<String, OutboundLog> peer : process.outbound().entrySet()) {
            if (!first) {
                json.append(',');
            }
            first = false;
            Optional<LinkSender> sender = process.links().sender(peer.getKey());
            json.append(quote(peer.getKey())).append(":{");
            field(json, "link", sender.map(s -> s.state().name()).orElse("STANDBY")).append(',');
            field(json, "circuit", sender.map(s -> s.circuitState().name()).orElse("NONE")).append(',');
            // Which side of the pair's one stream this region is: the same whether or not it holds the lease.
            field(json, "stream", LinkSender.dials(process.config().region(), peer.getKey()) ? "dials" : "accepts")
                    .append(',');
            field(json, "url", sender.map(LinkSender::peerUrl)
                    .orElse(process.links().replicas(peer.getKey()).currentUrl())).append(',');
            json.append("\"overflowed\":").append(overflowed(peer.getValue())).append(',');
            field(json, "lastFailure", sender.map(LinkSender::lastFailure).orElse(""));
            json.append('}');
        }
        json.append("}}");
        return new Report(joined, json.toString());
    }

    /** True, false, or null when the region cannot be asked (the log lives in the cluster). */
    private static String overflowed(OutboundLog log) {
        try {
            OutboundStatus status = log.status();
            return Boolean.toString(status.overflowed());
        } catch (RuntimeException e) {
            return "null";
        }
    }

    private static StringBuilder field(StringBuilder json, String name, String value) {
        return json.append(quote(name)).append(':').append(quote(value));
    }

    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
