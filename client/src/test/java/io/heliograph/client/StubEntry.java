package io.heliograph.client;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.heliograph.protocol.Json;

/**
 * An edge's HTTP port as a client's negotiation sees it, on the JDK's HttpServer: {@code GET /v1/negotiate} answers
 * what the test's function makes of {@code near} (by default, like an edge without a mesh table: its own region and
 * its own edges, whatever was asked), and {@code GET /health} answers 200 after an optional delay (a distance).
 */
final class StubEntry implements AutoCloseable {

    /** An answer: status and JSON body. */
    record Reply(int status, Object body) {
    }

    private final HttpServer server;
    private final String region;
    private final List<URI> wsUrls;
    /** The {@code near} of every negotiate asked, "" when absent. */
    final List<String> asked = new CopyOnWriteArrayList<>();
    final List<Long> healthChecks = new CopyOnWriteArrayList<>();
    private volatile Function<String, Reply> negotiate;
    private volatile long healthDelayMs;

    StubEntry(String region, List<URI> wsUrls) throws IOException {
        this.region = region;
        this.wsUrls = List.copyOf(wsUrls);
        this.negotiate = near -> ownRegion();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/negotiate", this::negotiate);
        server.createContext("/health", this::health);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** What an edge without a mesh table answers: its own region and its own edges. */
    Reply ownRegion() {
        return answer(region, "default", wsUrls);
    }

    static Reply answer(String region, String reason, List<URI> edges) {
        return new Reply(200, Map.of("region", region, "reason", reason, "tableVersion", 0,
                "edges", edges.stream().map(u -> Map.of("id", region + "-x", "ws", u.toString(),
                        "http", "http://unused")).toList()));
    }

    /** @param answer given {@code near} (null when absent) */
    void onNegotiate(Function<String, Reply> answer) {
        this.negotiate = answer;
    }

    void healthDelay(long delayMs) {
        this.healthDelayMs = delayMs;
    }

    private void negotiate(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        String near = null;
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("near=")) {
                    near = java.net.URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
                }
            }
        }
        asked.add(near == null ? "" : near);
        Reply reply = negotiate.apply(near);
        send(exchange, reply.status(), Json.write(reply.body()));
    }

    private void health(HttpExchange exchange) throws IOException {
        healthChecks.add(System.nanoTime());
        long delay = healthDelayMs;
        if (delay > 0) {
            try {
                Thread.sleep(delay); // the distance being simulated, not a wait for a condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        send(exchange, 200, "{\"status\":\"UP\"}");
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
