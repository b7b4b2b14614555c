package io.heliograph.edge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.heliograph.edge.testing.WsProbe;
import io.heliograph.launcher.EdgeProcess;
import io.heliograph.launcher.LocalMesh;
import io.heliograph.launcher.MeshPlan;

/** What the system tests of linked regions share: where the build is, free ports, quick JVMs and the HTTP API. */
final class MeshFixture {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private MeshFixture() {
    }

    /** The module's parent: failsafe runs in edge-node/, and LocalMesh finds the built modules from the root. */
    static Path repositoryRoot() {
        Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
        assertTrue(Files.isDirectory(root.resolve("region-bridge")), "no repository root at " + root);
        return root;
    }

    /**
     * JVM options for processes that need to start, not to run fast: C1 only and the serial collector halve the
     * mesh's start on two cores (23.5 s to 10.5 s), since start-up is mostly JIT compiling Hazelcast and Helidon.
     */
    static List<String> quickStart(String heap) {
        return List.of(heap, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-Dhazelcast.phone.home.enabled=false");
    }

    /**
     * Starts a linked mesh for a system test: quick-start JVMs, no JIT warm-up, logs under
     * {@code edge-node/target/<logName>}, certificates in {@code tls}, {@code edgeFlags} added to every edge node.
     * Prints how long it took to be ready.
     */
    static LocalMesh startMesh(MeshPlan plan, String secret, Path tls, String logName, List<String> edgeFlags) {
        return startMesh(plan, secret, null, tls, logName, edgeFlags);
    }

    /** As above, with an admin token for the edge nodes and control-plane replicas (null: none). */
    static LocalMesh startMesh(MeshPlan plan, String secret, String adminToken, Path tls, String logName,
                               List<String> edgeFlags) {
        Path root = repositoryRoot();
        List<String> flags = new ArrayList<>(List.of("--warmup-iterations=0", "--warmup-connections=0"));
        flags.addAll(edgeFlags);
        LocalMesh mesh = LocalMesh.builder().plan(plan).secret(secret).adminToken(adminToken).home(root)
                .logDir(root.resolve("edge-node/target/" + logName)).tlsDir(tls)
                .extraFlags(flags)
                .jvmOptions(quickStart("-Xmx384m")).bridgeJvmOptions(quickStart("-Xmx256m"))
                .startTimeout(Duration.ofSeconds(150)).build();
        long startNs = System.nanoTime();
        try {
            mesh.start();
        } catch (RuntimeException e) {
            mesh.close();
            throw e;
        }
        System.err.printf("%s: mesh ready in %.1f s%n", logName, (System.nanoTime() - startNs) / 1e9);
        return mesh;
    }

    /** The plan {@code planAt} makes for the first base port whose every planned port is free now. */
    static MeshPlan planOnFreePorts(IntFunction<MeshPlan> planAt) {
        for (int base = 24_000; base <= 40_000; base += 2_000) {
            MeshPlan candidate = planAt.apply(base);
            if (candidate.ports().stream().allMatch(MeshFixture::isFree)) {
                return candidate;
            }
        }
        throw new AssertionError("no free range of ports for the mesh between 24000 and 42000");
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** One HTTP publish; the response as it came. */
    static HttpResponse<String> publishOnce(EdgeProcess edge, String token, String channel, String msgId,
                                            String durability, Duration timeout)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(edge.httpUrl().resolve("/v1/channels/" + channel + "/messages"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of(
                        "name", "note", "data", "{\"n\":1}", "msgId", msgId, "durability", durability))))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A global publish that must succeed at once (201); its answer. */
    static JsonNode publish(EdgeProcess edge, String token, String channel, String msgId) throws Exception {
        HttpResponse<String> response = publishOnce(edge, token, channel, msgId, "global", Duration.ofSeconds(15));
        assertEquals(201, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    /** The msgIds of {@code channel}'s history as {@code edge} answers it, oldest first. */
    static List<String> msgIds(EdgeProcess edge, String token, String channel) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                            edge.httpUrl().resolve("/v1/channels/" + channel + "/messages?limit=1000"))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            List<String> ids = new ArrayList<>();
            JSON.readTree(response.body()).path("messages").forEach(m -> ids.add(m.path("msgId").asText()));
            return ids;
        } catch (IOException e) {
            throw new AssertionError("history of " + channel + " on " + edge.nodeId() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadlineNs) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(100);
        }
    }

    /** The messages a subscriber received, per channel in arrival order; checks their serials run 1:1, 1:2, ... */
    static Map<String, List<String>> received(WsProbe subscriber, int expected, Duration within) {
        List<JsonNode> messages = subscriber.collect("message", expected, within);
        Map<String, List<String>> byChannel = new LinkedHashMap<>();
        Map<String, Integer> nextSeq = new LinkedHashMap<>();
        for (JsonNode message : messages) {
            String channel = message.get("channel").asText();
            int seq = nextSeq.merge(channel, 1, Integer::sum);
            assertEquals("1:" + seq, message.get("serial").asText(), channel + ": consecutive serials " + message);
            byChannel.computeIfAbsent(channel, c -> new ArrayList<>()).add(message.get("msgId").asText());
        }
        assertEquals(expected, messages.size(), "messages received: " + nextSeq);
        return byChannel;
    }

    /** A global publish retried with its msgId (503, no answer) until acked, for at most 90 s. */
    static void publishUntilAcked(EdgeProcess edge, String token, String channel, String msgId)
            throws Exception {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String last = "";
        while (System.nanoTime() < deadlineNs) {
            try {
                HttpResponse<String> response = publishOnce(edge, token, channel, msgId, "global",
                        Duration.ofSeconds(20));
                if (response.statusCode() == 201) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
                if (response.statusCode() != 503) {
                    throw new AssertionError(msgId + " refused: " + last);
                }
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError(msgId + " not acked within 90 s; last answer " + last);
    }
}
