package io.heliograph.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import io.heliograph.launcher.process.JavaCommand;
import io.heliograph.launcher.process.ManagedProcess;
import io.heliograph.launcher.process.MeshProcess;

/**
 * One edge node running as its own JVM, for {@code ./mesh up}, the bench and edge-node's system tests: builds the
 * node's command (its flags from region, node id, ports and Hazelcast membership), starts it with its output in a
 * log file, waits until it is ready and knows where it is reached. Killing, freezing, stopping and tailing are the
 * generic {@link ManagedProcess}'s. It knows the node only by its public surfaces: the main class on a classpath it
 * is given, flags, the announcement line and {@code /health}; it never loads edge-node classes.
 */
public final class EdgeProcess extends MeshProcess {

    /** The edge-node entry point. */
    public static final String MAIN_CLASS = "io.heliograph.edge.Main";
    /** The name of the node's readiness check in {@code /health}, as the node reports it. */
    public static final String READINESS_CHECK = "edge";
    private static final long HEALTH_POLL_MS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String region;
    private final String nodeId;
    private final URI wsUrl;
    private final URI httpUrl;
    private final int port;
    private final int wsPort;
    private final int regionSize;
    private volatile String announcement;

    private EdgeProcess(Builder settings, ManagedProcess process) {
        super(process);
        this.region = settings.region;
        this.nodeId = settings.nodeId;
        this.wsUrl = settings.wsUrl();
        this.httpUrl = settings.httpUrl();
        this.port = settings.port;
        this.wsPort = settings.wsPort;
        this.regionSize = settings.members.size();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String region() {
        return region;
    }

    public String nodeId() {
        return nodeId;
    }

    /** The HTTP port: the HTTP API, {@code /health}, {@code /metrics}. */
    public int port() {
        return port;
    }

    public int wsPort() {
        return wsPort;
    }

    /** Where clients reach the node's WebSocket endpoint. */
    public URI wsUrl() {
        return wsUrl;
    }

    /** Where clients reach the node's HTTP API. */
    public URI httpUrl() {
        return httpUrl;
    }

    /**
     * The line the node printed when it came up, {@code edge <region> <node-id> <ws-url> <http-url>}, exactly as
     * printed (its URLs name the host it binds, which for {@code 0.0.0.0} is not where it is reached); null until
     * {@link #awaitReady(Duration)} has seen it.
     */
    public String announcement() {
        return announcement;
    }

    /**
     * Waits until the node is ready: it has printed its announcement line (with its own region and node id) and
     * {@code /health} answers 200, UP, with the whole region joined (as many members as it was given). Fails at once
     * when the process exits, and after {@code timeout} otherwise, with the log's tail in the message.
     */
    public EdgeProcess awaitReady(Duration timeout) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        if (announcement == null) {
            Pattern line = Pattern.compile("^edge " + Pattern.quote(region) + " "
                    + Pattern.quote(nodeId) + " ws://\\S+ http://\\S+$");
            MatchResult m = process.awaitLine(line, timeout);
            announcement = m.group();
        }
        return awaitHealthy(regionSize, Duration.ofNanos(Math.max(0, deadlineNs - System.nanoTime())));
    }

    /**
     * Waits until {@code /health} answers 200, UP, with exactly {@code regionMembers} members in the node's region
     * (after a kill or a partition, fewer than it started with). Fails at once when the process exits.
     */
    public EdgeProcess awaitHealthy(int regionMembers, Duration timeout) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        String lastState;
        while (true) {
            lastState = healthState(regionMembers);
            if (lastState == null) {
                return this;
            }
            long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0) {
                break;
            }
            OptionalInt exit = process.awaitExit(Duration.ofNanos(Math.min(leftNs, HEALTH_POLL_MS * 1_000_000)));
            if (exit.isPresent()) {
                throw new IllegalStateException(nodeId() + " exited with code " + exit.getAsInt()
                        + " while waiting for it to be UP with " + regionMembers + " members; last "
                        + ManagedProcess.TAIL_LINES + " lines of " + log() + ":\n" + tail(ManagedProcess.TAIL_LINES));
            }
        }
        throw new IllegalStateException(nodeId() + " not UP with " + regionMembers + " members within "
                + timeout.toSeconds() + " s (" + lastState + "); last " + ManagedProcess.TAIL_LINES + " lines of "
                + log() + ":\n" + tail(ManagedProcess.TAIL_LINES));
    }

    /** Null when {@code /health} says UP with {@code regionMembers} members, else what it says instead. */
    private String healthState(int regionMembers) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(httpUrl().resolve("/health"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() != 200 || !"UP".equals(body.path("status").asText())) {
                return "health " + response.statusCode() + " " + response.body();
            }
            int members = readinessData(body).path("cluster").path("members").asInt(-1);
            if (members != regionMembers) {
                return "region has " + members + " members, not " + regionMembers;
            }
            return null;
        } catch (IOException e) {
            return "health: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + nodeId(), e);
        }
    }

    /**
     * The {@code data} of an edge node's readiness check in its Helidon health JSON
     * ({@code {"status":..,"checks":[{"name":"edge","status":..,"data":{region, node, draining, connections,
     * channels, cluster}}]}}); a missing node when the check is absent.
     */
    public static JsonNode readinessData(JsonNode health) {
        for (JsonNode check : health.path("checks")) {
            if (READINESS_CHECK.equals(check.path("name").asText())) {
                return check.path("data");
            }
        }
        return MissingNode.getInstance();
    }

    @Override
    public String toString() {
        return nodeId() + " " + process;
    }

    /**
     * How to run one edge node. Required: region, node id, ports, classpath, log. The flags placing the node come
     * from these settings; {@link #flags(List)} adds any others after them.
     */
    public static final class Builder {
        private List<String> commandPrefix = List.of();
        private String java = JavaCommand.currentJava();
        private List<String> jvmOptions = List.of();
        private String classpath;
        private String region;
        private String nodeId;
        private String host = "127.0.0.1";
        private String reachHost;
        private int port = -1;
        private int wsPort = -1;
        private String hazelcastHost;
        private int hazelcastPort = -1;
        private String clusterName;
        private List<String> members = List.of();
        private List<String> peers = List.of();
        private List<String> flags = List.of();
        private String secret;
        private String adminToken;
        private Path log;

        private Builder() {
        }

        /** Placement from a mesh plan: region, node id, host, ports and Hazelcast membership. */
        public Builder spec(MeshPlan.NodeSpec spec) {
            return region(spec.region()).nodeId(spec.nodeId()).host(spec.host()).port(spec.httpPort())
                    .wsPort(spec.wsPort()).hazelcastPort(spec.hazelcastPort()).clusterName(spec.clusterName())
                    .members(spec.members()).peers(spec.peers());
        }

        /** A command the java command is run through, which must exec it (e.g. {@code ip netns exec <ns>}). */
        public Builder commandPrefix(List<String> commandPrefix) {
            this.commandPrefix = List.copyOf(commandPrefix);
            return this;
        }

        /** The java binary; this JVM's by default. */
        public Builder java(String java) {
            this.java = java;
            return this;
        }

        public Builder jvmOptions(List<String> jvmOptions) {
            this.jvmOptions = List.copyOf(jvmOptions);
            return this;
        }

        /** Where the edge node's classes and libraries are (e.g. {@code classes:lib/*} of edge-node's target). */
        public Builder classpath(String classpath) {
            this.classpath = classpath;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder nodeId(String nodeId) {
            this.nodeId = nodeId;
            return this;
        }

        /** The address the node's listeners bind to ({@code --host}); 127.0.0.1 by default. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** Where this handle and clients reach the node, when not at {@link #host(String)} (which may be 0.0.0.0). */
        public Builder reachHost(String reachHost) {
            this.reachHost = reachHost;
            return this;
        }

        /** The HTTP port ({@code --port}). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder wsPort(int wsPort) {
            this.wsPort = wsPort;
            return this;
        }

        /** The address the Hazelcast member binds to, when not the node's {@link #host(String)}. */
        public Builder hazelcastHost(String hazelcastHost) {
            this.hazelcastHost = hazelcastHost;
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

        /** Every member of the region, {@code host:port}, this node's own included: ready means all joined. */
        public Builder members(List<String> members) {
            this.members = List.copyOf(members);
            return this;
        }

        /**
         * The other regions this node's region replicates to ({@code --peers}): the node writes an outbound log per
         * peer for the region's bridge and gives {@code global} durability. Empty (the default): no flag, no peers.
         */
        public Builder peers(List<String> peers) {
            this.peers = List.copyOf(peers);
            return this;
        }

        /** Further edge-node flags ({@code --key=value}), after the placing ones (raised limits, say). */
        public Builder flags(List<String> flags) {
            this.flags = List.copyOf(flags);
            return this;
        }

        /** The JWT secret, passed in the environment ({@code HELIOGRAPH_JWT_SECRET}) where ps does not show it. */
        public Builder secret(String secret) {
            this.secret = secret;
            return this;
        }

        /**
         * The token of the node's admin API (the control plane's pushes and drains), passed in the environment
         * ({@code HELIOGRAPH_ADMIN_TOKEN}, docs/control-plane.md); none by default.
         */
        public Builder adminToken(String adminToken) {
            this.adminToken = adminToken;
            return this;
        }

        /** Where the node's standard output and error go. */
        public Builder log(Path log) {
            this.log = log;
            return this;
        }

        private String reachHost() {
            return reachHost != null ? reachHost : host;
        }

        URI wsUrl() {
            return URI.create("ws://" + reachHost() + ":" + wsPort + "/v1/ws");
        }

        URI httpUrl() {
            return URI.create("http://" + reachHost() + ":" + port);
        }

        /** The node's flags: placement and peers first, then {@link #flags(List)}. */
        List<String> edgeFlags() {
            List<String> all = new ArrayList<>(List.of("--region=" + region, "--node-id=" + nodeId, "--host=" + host,
                    "--port=" + port, "--ws-port=" + wsPort, "--hazelcast.port=" + hazelcastPort));
            if (hazelcastHost != null) {
                all.add("--hazelcast.host=" + hazelcastHost);
            }
            all.add("--hazelcast.cluster-name=" + clusterName);
            all.add("--hazelcast.members=" + String.join(",", members));
            if (!peers.isEmpty()) {
                all.add("--peers=" + String.join(",", peers));
            }
            all.addAll(flags);
            return all;
        }

        /** The whole command line this builder would start. */
        public List<String> command() {
            validate();
            return new JavaCommand(commandPrefix, java, jvmOptions, classpath, MAIN_CLASS, edgeFlags()).toList();
        }

        private void validate() {
            List<String> missing = new ArrayList<>();
            if (region == null) {
                missing.add("region");
            }
            if (nodeId == null) {
                missing.add("nodeId");
            }
            if (port < 0) {
                missing.add("port");
            }
            if (wsPort < 0) {
                missing.add("wsPort");
            }
            if (hazelcastPort < 0) {
                missing.add("hazelcastPort");
            }
            if (clusterName == null) {
                missing.add("clusterName");
            }
            if (members.isEmpty()) {
                missing.add("members");
            }
            if (classpath == null) {
                missing.add("classpath");
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("edge process " + nodeId + ": missing " + missing);
            }
        }

        /** Starts the node; it is not ready yet ({@link EdgeProcess#awaitReady(Duration)}). */
        public EdgeProcess start() {
            List<String> command = command();
            if (log == null) {
                throw new IllegalArgumentException("edge process " + nodeId + ": missing log");
            }
            ManagedProcess.Builder process = ManagedProcess.builder(nodeId).command(command).log(log);
            if (secret != null) {
                process.environment("HELIOGRAPH_JWT_SECRET", secret);
            }
            if (adminToken != null) {
                process.environment("HELIOGRAPH_ADMIN_TOKEN", adminToken);
            }
            return new EdgeProcess(this, process.start());
        }
    }
}
