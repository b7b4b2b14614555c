package io.heliograph.launcher;

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
import java.util.OptionalInt;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heliograph.launcher.process.JavaCommand;
import io.heliograph.launcher.process.ManagedProcess;
import io.heliograph.launcher.process.MeshProcess;

/**
 * One control-plane replica running as its own JVM ({@code io.heliograph.control.Main}), for {@code ./mesh up} and
 * system tests: builds its command (replica id, ports, the replicas' own Hazelcast cluster, the regions file written
 * by {@link #writeRegions(MeshPlan, Path)}), passes the admin token in the environment, waits until it has printed
 * {@code control-plane <http-url>} and answers {@code /health}, and reads {@code /health}. Like {@link EdgeProcess}
 * it knows the control plane only by its public surfaces.
 */
public final class ControlPlaneProcess extends MeshProcess {

    /** The control plane's entry point. */
    public static final String MAIN_CLASS = "io.heliograph.control.Main";
    private static final long HEALTH_POLL_MS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String replicaId;
    private final URI httpUrl;

    private ControlPlaneProcess(Builder settings, ManagedProcess process) {
        super(process);
        this.replicaId = settings.replicaId;
        this.httpUrl = settings.httpUrl();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String replicaId() {
        return replicaId;
    }

    /** Where the replica's API ({@code /v1/...}) and {@code /health} are. */
    public URI httpUrl() {
        return httpUrl;
    }

    /** The mesh's line for this replica, exactly {@code control-plane <http-url>}: what {@code ./mesh up} prints. */
    public String announcement() {
        return "control-plane " + httpUrl;
    }

    /**
     * Waits until the replica printed {@code control-plane <its url>} and {@code /health} answers 200. Fails at once
     * when the process exits, and after {@code timeout} otherwise, with the log's tail in the message.
     */
    public ControlPlaneProcess awaitReady(Duration timeout) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        process.awaitLine(Pattern.compile("^" + Pattern.quote(announcement()) + "$"), timeout);
        String last = "";
        while (true) {
            try {
                health();
                return this;
            } catch (UncheckedIOException e) {
                last = e.getMessage();
            }
            long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0) {
                break;
            }
            OptionalInt exit = process.awaitExit(Duration.ofNanos(Math.min(leftNs, HEALTH_POLL_MS * 1_000_000)));
            if (exit.isPresent()) {
                throw new IllegalStateException(replicaId + " exited with code " + exit.getAsInt() + "; last "
                        + ManagedProcess.TAIL_LINES + " lines of " + log() + ":\n" + tail(ManagedProcess.TAIL_LINES));
            }
        }
        throw new IllegalStateException(replicaId + " did not answer /health within " + timeout.toSeconds() + " s ("
                + last + "); last " + ManagedProcess.TAIL_LINES + " lines of " + log() + ":\n"
                + tail(ManagedProcess.TAIL_LINES));
    }

    /**
     * {@code /health}: {@code {"status":"UP","replica":..,"role":"leader|follower","leader":..,"tableVersion":n}}.
     *
     * @throws UncheckedIOException when it does not answer 200
     */
    public JsonNode health() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(httpUrl.resolve("/health"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("status " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(replicaId + ": /health did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + replicaId + " for /health", e);
        }
    }

    /**
     * Writes the regions of {@code plan} as the control plane's configuration file (JSON, which is YAML): every
     * region with its edges (id, http, ws), its bridge replicas (id, http of {@code /health}) and its preference.
     */
    public static Path writeRegions(MeshPlan plan, Path file) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode regions = root.putObject("heliograph").putArray("regions");
        for (String region : plan.regions()) {
            ObjectNode r = regions.addObject().put("name", region);
            ArrayNode edges = r.putArray("edges");
            for (MeshPlan.NodeSpec node : plan.nodesOf(region)) {
                edges.addObject().put("id", node.nodeId()).put("http", "http://" + node.host() + ":" + node.httpPort())
                        .put("ws", "ws://" + node.host() + ":" + node.wsPort() + "/v1/ws");
            }
            ArrayNode bridges = r.putArray("bridges");
            for (MeshPlan.BridgeSpec bridge : plan.bridgesOf(region)) {
                bridges.addObject().put("id", bridge.replicaId())
                        .put("http", "http://" + bridge.host() + ":" + bridge.httpPort());
            }
            ArrayNode preference = r.putArray("preference");
            plan.preferenceOf(region).forEach(preference::add);
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    @Override
    public String toString() {
        return replicaId + " " + process;
    }

    /** How to run one replica. Required: replica id, ports, members, regions file, classpath, log. */
    public static final class Builder {
        private String java = JavaCommand.currentJava();
        private List<String> jvmOptions = List.of();
        private String classpath;
        private String replicaId;
        private String host = "127.0.0.1";
        private int httpPort = -1;
        private int hazelcastPort = -1;
        private String clusterName = "hg-control";
        private List<String> members = List.of();
        private Path regionsFile;
        private Path auditLog;
        private String adminToken;
        private List<String> flags = List.of();
        private Path log;

        private Builder() {
        }

        /** Placement from a mesh plan: replica id, host, ports and the replicas' cluster. */
        public Builder spec(MeshPlan.ControlPlaneSpec spec) {
            return replicaId(spec.replicaId()).host(spec.host()).httpPort(spec.httpPort())
                    .hazelcastPort(spec.hazelcastPort()).clusterName(spec.clusterName()).members(spec.members());
        }

        public Builder java(String java) {
            this.java = java;
            return this;
        }

        public Builder jvmOptions(List<String> jvmOptions) {
            this.jvmOptions = List.copyOf(jvmOptions);
            return this;
        }

        /** Where control-plane's classes and libraries are ({@code classes:lib/*} of control-plane's target). */
        public Builder classpath(String classpath) {
            this.classpath = classpath;
            return this;
        }

        public Builder replicaId(String replicaId) {
            this.replicaId = replicaId;
            return this;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder httpPort(int httpPort) {
            this.httpPort = httpPort;
            return this;
        }

        public Builder hazelcastPort(int hazelcastPort) {
            this.hazelcastPort = hazelcastPort;
            return this;
        }

        public Builder clusterName(String clusterName) {
            this.clusterName = clusterName;
            return this;
        }

        /** Every replica's Hazelcast address, {@code host:port}, this one's included. */
        public Builder members(List<String> members) {
            this.members = List.copyOf(members);
            return this;
        }

        /** The configuration file naming the regions ({@link ControlPlaneProcess#writeRegions}). */
        public Builder regionsFile(Path regionsFile) {
            this.regionsFile = regionsFile;
            return this;
        }

        /** Where the replica appends the audit log when it leads; the control plane's default when not set. */
        public Builder auditLog(Path auditLog) {
            this.auditLog = auditLog;
            return this;
        }

        /** The admin token, passed in the environment ({@code HELIOGRAPH_ADMIN_TOKEN}) where ps does not show it. */
        public Builder adminToken(String adminToken) {
            this.adminToken = adminToken;
            return this;
        }

        /** Further flags ({@code --key=value}, docs/configuration.md "Control plane"), after the placing ones. */
        public Builder flags(List<String> flags) {
            this.flags = List.copyOf(flags);
            return this;
        }

        public Builder log(Path log) {
            this.log = log;
            return this;
        }

        URI httpUrl() {
            return URI.create("http://" + host + ":" + httpPort);
        }

        List<String> controlFlags() {
            List<String> all = new ArrayList<>(List.of("--config=" + regionsFile, "--replica-id=" + replicaId,
                    "--host=" + host, "--port=" + httpPort, "--hazelcast.cluster-name=" + clusterName,
                    "--hazelcast.port=" + hazelcastPort, "--hazelcast.members=" + String.join(",", members)));
            if (auditLog != null) {
                all.add("--audit-log=" + auditLog);
            }
            all.addAll(flags);
            return all;
        }

        public List<String> command() {
            List<String> missing = new ArrayList<>();
            if (replicaId == null) {
                missing.add("replicaId");
            }
            if (httpPort < 0) {
                missing.add("httpPort");
            }
            if (hazelcastPort < 0) {
                missing.add("hazelcastPort");
            }
            if (members.isEmpty()) {
                missing.add("members");
            }
            if (regionsFile == null) {
                missing.add("regionsFile");
            }
            if (classpath == null) {
                missing.add("classpath");
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("control-plane process " + replicaId + ": missing " + missing);
            }
            return new JavaCommand(List.of(), java, jvmOptions, classpath, MAIN_CLASS, controlFlags()).toList();
        }

        /** Starts the replica; it is not ready yet ({@link ControlPlaneProcess#awaitReady(Duration)}). */
        public ControlPlaneProcess start() {
            List<String> command = command();
            if (log == null) {
                throw new IllegalArgumentException("control-plane process " + replicaId + ": missing log");
            }
            ManagedProcess.Builder process = ManagedProcess.builder(replicaId).command(command).log(log);
            if (adminToken != null) {
                process.environment("HELIOGRAPH_ADMIN_TOKEN", adminToken);
            }
            return new ControlPlaneProcess(this, process.start());
        }
    }
}
