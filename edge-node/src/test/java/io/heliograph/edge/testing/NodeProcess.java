package io.heliograph.edge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import io.heliograph.edge.observe.EdgeHealth;
import io.heliograph.protocol.Json;

/**
 * An edge node running as a real process (started with this JVM's java), for system tests that kill -9 and freeze
 * nodes. Its output goes to a log file under target/ for post-mortems.
 */
public final class NodeProcess implements AutoCloseable {

    private final Process process;
    private final String nodeId;
    private final String host;
    private final int port;
    private final int wsPort;
    private final Path log;

    private NodeProcess(Process process, String nodeId, String host, int port, int wsPort, Path log) {
        this.process = process;
        this.nodeId = nodeId;
        this.host = host;
        this.port = port;
        this.wsPort = wsPort;
        this.log = log;
    }

    public static NodeProcess start(String region, String nodeId, int port, int hzPort, List<Integer> hzMembers,
                                    String clusterName, String... extra) {
        return start(List.of(), List.of(), "127.0.0.1", region, nodeId, port, "127.0.0.1", hzPort,
                hzMembers.stream().map(p -> "127.0.0.1:" + p).toList(), clusterName, extra);
    }

    /**
     * Starts a node whose command is prefixed with {@code launcher} (e.g. {@code ip netns exec <ns>}, which execs,
     * so the process is the JVM itself), with extra {@code jvmOptions}, reached by tests at {@code host}, its
     * Hazelcast member on {@code hzHost:hzPort} joining {@code hzMembers} ({@code host:port}).
     */
    public static NodeProcess start(List<String> launcher, List<String> jvmOptions, String host, String region,
                                    String nodeId, int port, String hzHost, int hzPort, List<String> hzMembers,
                                    String clusterName, String... extra) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("edge.classpath", System.getProperty("java.class.path"));
        int wsPort = TestNodes.freePort();
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(java, "-Xmx512m", "-XX:+UseSerialGC"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Dhazelcast.phone.home.enabled=false", "-cp", classpath, "io.heliograph.edge.Main",
                "--region=" + region, "--node-id=" + nodeId, "--port=" + port, "--ws-port=" + wsPort,
                "--hazelcast.port=" + hzPort,
                "--hazelcast.host=" + hzHost, "--hazelcast.cluster-name=" + clusterName,
                "--hazelcast.members=" + String.join(",", hzMembers),
                "--jwt-secret=" + TestNodes.SECRET, "--warmup-iterations=0"));
        for (String e : extra) {
            command.add("--" + e);
        }
        try {
            Path dir = Path.of("target", "node-logs");
            Files.createDirectories(dir);
            Path log = dir.resolve(nodeId + "-" + System.currentTimeMillis() + ".log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new NodeProcess(p, nodeId, host, port, wsPort, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String wsUrl() {
        return "ws://" + host + ":" + wsPort + "/v1/ws";
    }

    public String httpUrl() {
        return "http://" + host + ":" + port;
    }

    public String nodeId() {
        return nodeId;
    }

    /** Whether the node's log has a line containing {@code text} so far. */
    public boolean logContains(String text) {
        try {
            return Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    public long pid() {
        return process.pid();
    }

    /** Waits until /health says UP with the given number of region members. */
    public void awaitHealthy(int members, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        TestNodes.await(nodeId + " healthy with " + members + " members (log: " + log + ")", timeout, () -> {
            if (!process.isAlive()) {
                throw new AssertionError(nodeId + " exited: " + tail());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(httpUrl() + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                var body = Json.parse(r.body());
                return r.statusCode() == 200
                        && readinessData(body).path("cluster").path("members").asInt() == members;
            } catch (IOException | RuntimeException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    /**
     * The {@code data} of the node's readiness check in Helidon's health JSON
     * ({@code {"status":..,"checks":[{"name":"edge","status":..,"data":{region, node, draining, connections,
     * channels, cluster}}]}}); a missing node when there is no such check.
     */
    public static JsonNode readinessData(JsonNode health) {
        for (JsonNode check : health.path("checks")) {
            if (EdgeHealth.READINESS_CHECK.equals(check.path("name").asText())) {
                return check.path("data");
            }
        }
        return MissingNode.getInstance();
    }

    /** SIGKILL: no shutdown hook, no goodbye to the cluster. */
    public void kill9() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGSTOP: the process stays, frozen, holding its sockets open but answering nothing. */
    public void freeze() {
        signal("STOP");
    }

    /** SIGCONT: a frozen process goes on where it stopped. */
    public void thaw() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits (bounded) for the process to exit by itself; answers its exit code, or null if it still runs. */
    public Integer awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    ? process.exitValue() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** SIGTERM, then waits (bounded) for the process to exit; answers whether it did. */
    public boolean terminate(Duration timeout) {
        process.destroy();
        try {
            return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void thawQuietly() {
        try {
            new ProcessBuilder("kill", "-CONT", Long.toString(process.pid())).start().waitFor(5,
                    java.util.concurrent.TimeUnit.SECONDS);
        } catch (IOException | InterruptedException ignored) {
            // best effort before the SIGKILL
        }
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            thawQuietly();
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
