package io.heliograph.bridge.process;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.heliograph.bridge.BridgeConfigException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code GET /health} and {@code GET /metrics} of a bridge replica, on the JDK's own HTTP server.
 *
 * <p>Why not Helidon's WebServer and metrics as on the edge: a bridge serves two read-only pages, and Helidon's
 * metrics keep one registry per JVM (its observer even registers meters in a static map while a server is built),
 * so two replicas of two regions in one test JVM would share and overwrite each other's meters. Hand-written
 * Prometheus text over {@code com.sun.net.httpserver} keeps each replica's figures its own, and adds no dependency.
 */
final class BridgeHttp implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    private BridgeHttp(HttpServer server) {
        this.server = server;
    }

    /** @throws BridgeConfigException naming {@code http.port} when it cannot be bound */
    static BridgeHttp start(String host, int port, BridgeHealth health, BridgeMetrics metrics) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (IOException e) {
            throw new BridgeConfigException("http.port: cannot listen on " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
        BridgeHttp http = new BridgeHttp(server);
        server.setExecutor(http.executor);
        server.createContext("/health", exchange -> {
            BridgeHealth.Report report = health.report();
            http.answer(exchange, report.up() ? 200 : 503, "application/json", report.json());
        });
        server.createContext("/metrics", exchange ->
                http.answer(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        server.start();
        return http;
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (!path.equals(exchange.getHttpContext().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, "HEAD".equals(exchange.getRequestMethod()) ? -1 : bytes.length);
            if (!"HEAD".equals(exchange.getRequestMethod())) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
