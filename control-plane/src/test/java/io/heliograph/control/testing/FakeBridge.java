package io.heliograph.control.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A bridge replica's {@code /health} and {@code /metrics} as region-bridge's BridgeHealth and BridgeMetrics write
 * them: status, lease role, and per peer the link's state ({@code STREAMING} while connected) and the circuit's; a
 * test sets each link's state to say a link is cut.
 */
public final class FakeBridge implements AutoCloseable {

    private final String region;
    private final String id;
    private final HttpServer server;
    private final Map<String, String> links = new ConcurrentHashMap<>();
    private volatile String role = "holder";

    public FakeBridge(String region, String id, List<String> peers) {
        this.region = region;
        this.id = id;
        peers.forEach(p -> links.put(p, "STREAMING"));
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/health", this::health);
        server.createContext("/metrics", this::metrics);
        server.start();
    }

    public String id() {
        return id;
    }

    public String region() {
        return region;
    }

    public String http() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Sets the state of this replica's link to {@code peer} ({@code STREAMING}, {@code BACKING_OFF}, ...). */
    public void link(String peer, String state) {
        links.put(peer, state);
    }

    public void role(String newRole) {
        role = newRole;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void health(HttpExchange exchange) throws IOException {
        StringBuilder peers = new StringBuilder();
        links.forEach((peer, state) -> {
            if (!peers.isEmpty()) {
                peers.append(',');
            }
            String link = "standby".equals(role) ? "STANDBY" : state;
            peers.append('"').append(peer).append("\":{\"link\":\"").append(link).append("\",\"circuit\":\"")
                    .append("STREAMING".equals(link) ? "CLOSED" : "OPEN").append("\",\"url\":\"https://x\","
                            + "\"overflowed\":false,\"lastFailure\":\"\"}");
        });
        send(exchange, 200, "{\"status\":\"UP\",\"region\":\"" + region + "\",\"replica\":\"" + id
                + "\",\"members\":2,\"lease\":{\"name\":\"bridge." + region + "\",\"role\":\"" + role
                + "\",\"epoch\":1},\"peers\":{" + peers + "}}");
    }

    private void metrics(HttpExchange exchange) throws IOException {
        StringBuilder out = new StringBuilder("# TYPE heliograph_bridge_replication_lag_messages gauge\n");
        links.keySet().forEach(p -> out.append("heliograph_bridge_replication_lag_messages{peer=\"").append(p)
                .append("\"} 7\n"));
        out.append("# TYPE heliograph_bridge_replication_lag_ms gauge\n");
        links.keySet().forEach(p -> out.append("heliograph_bridge_replication_lag_ms{peer=\"").append(p)
                .append("\"} 42\n"));
        send(exchange, 200, out.toString());
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
