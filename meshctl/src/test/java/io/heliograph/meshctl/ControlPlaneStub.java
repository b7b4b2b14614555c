package io.heliograph.meshctl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for the control plane on a loopback port: answers what a test told it per {@code METHOD path}, 404 with
 * the contract's error shape otherwise, and records every request it is sent.
 */
final class ControlPlaneStub implements AutoCloseable {

    /** A request as the stub received it. */
    record Recorded(String method, String target, Map<String, List<String>> headers, String body) {
        /** The first value of header {@code name} (case-insensitive), or null. */
        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                    return e.getValue().getFirst();
                }
            }
            return null;
        }
    }

    private record Reply(int status, String body, boolean stall) {
    }

    private final HttpServer server;
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    /** Released on close, so a stalled answer never outlives its test. */
    private final CountDownLatch closed = new CountDownLatch(1);

    private ControlPlaneStub(HttpServer server) {
        this.server = server;
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    static ControlPlaneStub start() {
        try {
            return new ControlPlaneStub(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers {@code method path} (the path without its query) with {@code status} and {@code body}. */
    ControlPlaneStub answer(String method, String path, int status, String body) {
        replies.put(method + " " + path, new Reply(status, body, false));
        return this;
    }

    /** Holds {@code method path}'s answer back until the stub is closed. */
    ControlPlaneStub stall(String method, String path) {
        replies.put(method + " " + path, new Reply(200, "{}", true));
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Recorded> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    Map.copyOf(exchange.getRequestHeaders()), body));
            Reply reply = replies.getOrDefault(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath(),
                    new Reply(404, "{\"code\":\"not_found\",\"message\":\"no such route\"}", false));
            if (reply.stall()) {
                try {
                    closed.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (IOException e) {
            // The client went away (a timeout test): nothing to answer.
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
