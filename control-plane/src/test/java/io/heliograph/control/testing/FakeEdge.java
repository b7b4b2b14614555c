package io.heliograph.control.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An edge node's HTTP surface as the control plane sees it (docs/control-plane.md, "Control plane → edge"): Helidon's
 * health JSON with the readiness check {@code edge} (region, node, draining, connections, channels,
 * meshTableVersion), and the admin calls with their token rules, recording every push. {@link #kill()} closes the
 * listener, so probes are refused like those of a dead process.
 */
public final class FakeEdge implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String region;
    private final String id;
    private final String adminToken;
    private final HttpServer server;
    private final List<JsonNode> pushes = new CopyOnWriteArrayList<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger drains = new AtomicInteger();
    private final AtomicInteger undrains = new AtomicInteger();
    /** Undrains still to refuse with 503, as an edge the call did not reach. */
    private final AtomicInteger undrainsToRefuse = new AtomicInteger();
    private volatile JsonNode held;
    private volatile String confirmNonce;
    private final List<String> confirmsReceived = new CopyOnWriteArrayList<>();
    private volatile boolean dead;

    public FakeEdge(String region, String id, String adminToken) {
        this.region = region;
        this.id = id;
        this.adminToken = adminToken;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/health", this::health);
        server.createContext("/v1/admin/mesh-table", this::table);
        server.createContext("/v1/admin/drain", this::drain);
        server.createContext("/v1/admin/undrain", this::undrain);
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

    public String ws() {
        return "ws://127.0.0.1:" + (server.getAddress().getPort() + 1) + "/v1/ws";
    }

    /** Every table pushed to this edge with the right token, in order. */
    public List<JsonNode> pushes() {
        return List.copyOf(pushes);
    }

    /** The version this edge's region holds (0 before any table). */
    public long heldVersion() {
        JsonNode table = held;
        return table == null ? 0 : table.path("version").asLong();
    }

    public JsonNode held() {
        return held;
    }

    /** Sets the table this edge holds, as if another leader had pushed it earlier. */
    public void hold(JsonNode table) {
        held = table;
    }

    /** Asks, through {@code /health}, for the table to be confirmed with {@code nonce}, as an edge woken from a pause. */
    public void askConfirmation(String nonce) {
        confirmNonce = nonce;
    }

    /** Whether the edge still waits for its confirmation. */
    public boolean awaitingConfirmation() {
        return confirmNonce != null;
    }

    /** Every confirm header a push carried, in order. */
    public List<String> confirmsReceived() {
        return List.copyOf(confirmsReceived);
    }

    public int drains() {
        return drains.get();
    }

    /**
     * Stops answering: the listener closes and a connection kept alive from earlier is closed without an answer
     * (the JDK's server would go on serving it), as a dead process's would be.
     */
    public void kill() {
        dead = true;
        server.stop(0);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void health(HttpExchange exchange) throws IOException {
        if (dead) {
            exchange.close();
            return;
        }
        boolean isDraining = draining.get();
        String body = "{\"status\":\"" + (isDraining ? "DOWN" : "UP") + "\",\"checks\":["
                + "{\"name\":\"region\",\"status\":\"UP\",\"data\":{\"engine\":\"hazelcast\"}},"
                + "{\"name\":\"edge\",\"status\":\"" + (isDraining ? "DOWN" : "UP") + "\",\"data\":{\"region\":\""
                + region + "\",\"node\":\"" + id + "\",\"draining\":" + isDraining + ",\"connections\":3,"
                + "\"channels\":2,\"meshTableVersion\":" + heldVersion()
                + (confirmNonce == null ? "" : ",\"meshTableConfirm\":\"" + confirmNonce + "\"") + "}}]}";
        send(exchange, isDraining ? 503 : 200, body);
    }

    private boolean authorized(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            send(exchange, 401, "{\"code\":\"unauthorized\",\"message\":\"no token\"}");
            return false;
        }
        if (!auth.substring(7).equals(adminToken)) {
            send(exchange, 403, "{\"code\":\"forbidden\",\"message\":\"wrong token\"}");
            return false;
        }
        return true;
    }

    private void table(HttpExchange exchange) throws IOException {
        if (dead) {
            exchange.close();
            return;
        }
        if (!authorized(exchange)) {
            return;
        }
        if ("GET".equals(exchange.getRequestMethod())) {
            JsonNode table = held;
            send(exchange, 200, "{\"table\":" + (table == null ? "null" : table.toString()) + ",\"version\":"
                    + heldVersion() + "}");
            return;
        }
        JsonNode table = JSON.readTree(exchange.getRequestBody().readAllBytes());
        pushes.add(table);
        String confirm = exchange.getRequestHeaders().getFirst("X-Heliograph-Confirm");
        if (confirm != null) {
            confirmsReceived.add(confirm);
            if (confirm.equals(confirmNonce)) {
                confirmNonce = null;
            }
        }
        boolean applied;
        synchronized (this) {
            applied = table.path("version").asLong() > heldVersion();
            if (applied) {
                held = table;
            }
        }
        send(exchange, 200, "{\"applied\":" + applied + ",\"version\":" + heldVersion() + "}");
    }

    private void drain(HttpExchange exchange) throws IOException {
        if (dead) {
            exchange.close();
            return;
        }
        if (!authorized(exchange)) {
            return;
        }
        draining.set(true);
        drains.incrementAndGet();
        send(exchange, 200, "{\"draining\":true}");
    }

    private void undrain(HttpExchange exchange) throws IOException {
        if (dead) {
            exchange.close();
            return;
        }
        if (!authorized(exchange)) {
            return;
        }
        if (undrainsToRefuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            send(exchange, 503, "{\"code\":\"unavailable\",\"message\":\"refused by the test\"}");
            return;
        }
        draining.set(false);
        undrains.incrementAndGet();
        send(exchange, 200, "{\"draining\":false}");
    }

    /** The next {@code count} undrains are answered 503 and change nothing. */
    public void refuseUndrains(int count) {
        undrainsToRefuse.set(count);
    }

    public int undrains() {
        return undrains.get();
    }

    public boolean draining() {
        return draining.get();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
