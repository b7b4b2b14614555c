package io.heliograph.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Predicate;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.heliograph.bridge.tls.BridgeTlsFiles;
import io.heliograph.launcher.process.JavaCommand;
import io.heliograph.launcher.process.ManagedProcess;
import io.heliograph.launcher.process.MeshProcess;

/**
 * One region-bridge replica running as its own JVM ({@code io.heliograph.bridge.process.BridgeMain}), for
 * {@code ./mesh up} and system tests: builds its command (region, replica id, ports, peers, TLS files, the region's
 * Hazelcast cluster it joins as a lite member, lease TTL), starts it with its output in a log file, waits until it
 * is ready, and reads its role and links from {@code /health}. Killing, freezing, stopping and tailing are the
 * generic {@link ManagedProcess}'s. Like {@link EdgeProcess} it knows the bridge only by its public surfaces: the
 * main class on a classpath it is given, flags, the ready line and {@code /health}.
 */
public final class RegionBridgeProcess extends MeshProcess {

    /** The region-bridge entry point. */
    public static final String MAIN_CLASS = "io.heliograph.bridge.process.BridgeMain";
    /** A link's state in {@code /health} while it streams to the peer. */
    public static final String STREAMING = "STREAMING";
    private static final long HEALTH_POLL_MS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String region;
    private final String replicaId;
    private final String grpcUrl;
    private final URI httpUrl;
    private final int grpcPort;
    private final List<String> peers;
    private volatile String readyLine;

    private RegionBridgeProcess(Builder settings, ManagedProcess process) {
        super(process);
        this.region = settings.region;
        this.replicaId = settings.replicaId;
        this.grpcUrl = settings.grpcUrl();
        this.httpUrl = settings.httpUrl();
        this.grpcPort = settings.grpcPort;
        this.peers = List.copyOf(settings.peers.keySet());
    }

    public static Builder builder() {
        return new Builder();
    }

    public String region() {
        return region;
    }

    public String replicaId() {
        return replicaId;
    }

    /** Where peers reach the replica's gRPC server, as it prints it: {@code https://127.0.0.1:<port>}. */
    public String grpcUrl() {
        return grpcUrl;
    }

    public int grpcPort() {
        return grpcPort;
    }

    /** Where {@code /health} and {@code /metrics} are served. */
    public URI httpUrl() {
        return httpUrl;
    }

    /** The peer regions this replica links to, in plan order. */
    public List<String> peers() {
        return peers;
    }

    /**
     * The mesh's line for this replica, {@code bridge <region> <replica-id> <grpc-url>}: what {@code ./mesh up}
     * prints. (The replica's own ready line, {@link #readyLine()}, also carries its HTTP URL and first role.)
     */
    public String announcement() {
        return "bridge " + region + " " + replicaId + " " + grpcUrl;
    }

    /**
     * The line BridgeMain printed when ready, {@code bridge <region> <replica-id> <grpc-url> <http-url>
     * <holder|standby>}; null until {@link #awaitReady(Duration)} has seen it.
     */
    public String readyLine() {
        return readyLine;
    }

    /**
     * Waits until the replica is ready: it has printed its ready line (with its own region, replica id and gRPC
     * URL) and {@code /health} answers 200, UP (joined to its region's cluster). Fails at once when the process
     * exits, and after {@code timeout} otherwise, with the log's tail in the message.
     */
    public RegionBridgeProcess awaitReady(Duration timeout) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        if (readyLine == null) {
            Pattern line = Pattern.compile("^bridge " + Pattern.quote(region) + " " + Pattern.quote(replicaId)
                    + " " + Pattern.quote(grpcUrl) + " http://\\S+ (holder|standby)$");
            MatchResult m = process.awaitLine(line, timeout);
            readyLine = m.group();
        }
        awaitHealth(health -> true, "UP", Duration.ofNanos(Math.max(0, deadlineNs - System.nanoTime())));
        return this;
    }

    /**
     * Waits until {@code /health} shows this replica holding its region's bridge lease with every peer's link
     * {@value #STREAMING}. Fails at once when the process exits.
     */
    public RegionBridgeProcess awaitLinked(Duration timeout) {
        awaitHealth(this::linked, "holder with every link " + STREAMING, timeout);
        return this;
    }

    /** One look at {@code /health}: UP, holding the lease, every peer's link {@value #STREAMING}. */
    public boolean isLinked() {
        try {
            JsonNode health = health();
            return "UP".equals(health.path("status").asText()) && linked(health);
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** {@code /health} as it answers now, or why it does not: for failure messages. */
    public String healthOrWhyNot() {
        try {
            return health().toString();
        } catch (UncheckedIOException e) {
            return e.getMessage();
        }
    }

    private boolean linked(JsonNode health) {
        Map<String, String> links = linksIn(health);
        return "holder".equals(role(health)) && links.keySet().containsAll(peers)
                && links.values().stream().allMatch(STREAMING::equals);
    }

    /**
     * {@code /health} as JSON: {@code {"status":"UP","region":..,"replica":..,"members":n,"lease":{"name":..,
     * "role":"holder|standby","epoch":n},"peers":{"<region>":{"link":..,"circuit":..,"url":..,"overflowed":..,
     * "lastFailure":..}}}} (any status code: 503 still carries the body).
     *
     * @throws UncheckedIOException when it does not answer
     */
    public JsonNode health() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(httpUrl.resolve("/health"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(replicaId + ": /health did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + replicaId + " for /health", e);
        }
    }

    /** {@code holder} or {@code standby}, from {@code /health}. */
    public String role() {
        return role(health());
    }

    /** Per peer region, its link's state from {@code /health} ({@code STREAMING}, …; {@code STANDBY} on standby). */
    public Map<String, String> linkStates() {
        return linksIn(health());
    }

    private static String role(JsonNode health) {
        return health.path("lease").path("role").asText("");
    }

    private static Map<String, String> linksIn(JsonNode health) {
        Map<String, String> links = new LinkedHashMap<>();
        health.path("peers").properties().forEach(peer -> links.put(peer.getKey(),
                peer.getValue().path("link").asText("")));
        return links;
    }

    /** Polls {@code /health} until it says UP and {@code condition} holds; the exit of the process ends it early. */
    private JsonNode awaitHealth(Predicate<JsonNode> condition, String what, Duration timeout) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        String last;
        while (true) {
            try {
                JsonNode health = health();
                if ("UP".equals(health.path("status").asText()) && condition.test(health)) {
                    return health;
                }
                last = health.toString();
            } catch (UncheckedIOException e) {
                last = e.getMessage();
            }
            long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0) {
                break;
            }
            OptionalInt exit = process.awaitExit(Duration.ofNanos(Math.min(leftNs, HEALTH_POLL_MS * 1_000_000)));
            if (exit.isPresent()) {
                throw new IllegalStateException(replicaId + " exited with code " + exit.getAsInt()
                        + " while waiting for it to be " + what + "; last " + ManagedProcess.TAIL_LINES + " lines of "
                        + log() + ":\n" + tail(ManagedProcess.TAIL_LINES));
            }
        }
        throw new IllegalStateException(replicaId + " not " + what + " within " + timeout.toSeconds() + " s (health: "
                + last + "); last " + ManagedProcess.TAIL_LINES + " lines of " + log() + ":\n"
                + tail(ManagedProcess.TAIL_LINES));
    }

    @Override
    public String toString() {
        return replicaId + " " + process;
    }

    /**
     * How to run one bridge replica. Required: region, replica id, ports, cluster name, members, at least one peer,
     * TLS files, classpath, log. The flags placing the replica come from these settings; {@link #flags(List)} adds
     * any others after them (BridgeMain's keys, docs/configuration.md "Region bridge").
     */
    public static final class Builder {
        private String java = JavaCommand.currentJava();
        private List<String> jvmOptions = List.of();
        private String classpath;
        private String region;
        private String replicaId;
        private String host = "127.0.0.1";
        private int grpcPort = -1;
        private int httpPort = -1;
        private int hazelcastPort = -1;
        private String clusterName;
        private List<String> members = List.of();
        private Map<String, List<String>> peers = Map.of();
        private BridgeTlsFiles tls;
        private Duration leaseTtl;
        private List<String> flags = List.of();
        private Path log;

        private Builder() {
        }

        /** Placement from a mesh plan: region, replica id, host, ports, membership and peers. */
        public Builder spec(MeshPlan.BridgeSpec spec) {
            return region(spec.region()).replicaId(spec.replicaId()).host(spec.host()).grpcPort(spec.grpcPort())
                    .httpPort(spec.httpPort()).hazelcastPort(spec.hazelcastPort()).clusterName(spec.clusterName())
                    .members(spec.members()).peers(spec.peers());
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

        /** Where region-bridge's classes and libraries are ({@code classes:lib/*} of region-bridge's target). */
        public Builder classpath(String classpath) {
            this.classpath = classpath;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder replicaId(String replicaId) {
            this.replicaId = replicaId;
            return this;
        }

        /** The address the gRPC server, HTTP and the Hazelcast member bind to ({@code --host}); 127.0.0.1. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The gRPC port peers dial ({@code --port}). */
        public Builder grpcPort(int grpcPort) {
            this.grpcPort = grpcPort;
            return this;
        }

        /** The port of {@code /health} and {@code /metrics} ({@code --http.port}). */
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

        /** The region's edge nodes' Hazelcast addresses, {@code host:port}: the replica joins them as a lite member. */
        public Builder members(List<String> members) {
            this.members = List.copyOf(members);
            return this;
        }

        /** Per peer region, the URLs of its replicas in the order to try them ({@code --peers.<region>=url,url}). */
        public Builder peers(Map<String, List<String>> peers) {
            Map<String, List<String>> copy = new LinkedHashMap<>();
            peers.forEach((peer, urls) -> copy.put(peer, List.copyOf(urls)));
            this.peers = copy;
            return this;
        }

        /** The region's certificate, key and the CA its peers' certificates must chain to. */
        public Builder tls(BridgeTlsFiles tls) {
            this.tls = tls;
            return this;
        }

        /** The TTL of the region's bridge lease ({@code --lease.ttl-ms}); the bridge's default when not set. */
        public Builder leaseTtl(Duration leaseTtl) {
            this.leaseTtl = leaseTtl;
            return this;
        }

        /** Further BridgeMain flags ({@code --key=value}), after the placing ones. */
        public Builder flags(List<String> flags) {
            this.flags = List.copyOf(flags);
            return this;
        }

        /** Where the replica's standard output and error go. */
        public Builder log(Path log) {
            this.log = log;
            return this;
        }

        String grpcUrl() {
            return "https://" + host + ":" + grpcPort;
        }

        URI httpUrl() {
            return URI.create("http://" + host + ":" + httpPort);
        }

        /** The replica's flags: placement, peers, TLS, lease first, then {@link #flags(List)}. */
        List<String> bridgeFlags() {
            List<String> all = new ArrayList<>(List.of("--region=" + region, "--replica-id=" + replicaId,
                    "--host=" + host, "--port=" + grpcPort, "--http.port=" + httpPort));
            peers.forEach((peer, urls) -> all.add("--peers." + peer + "=" + String.join(",", urls)));
            all.add("--tls.cert-chain=" + tls.certChain());
            all.add("--tls.private-key=" + tls.privateKey());
            all.add("--tls.trusted-ca=" + tls.trustedCa());
            all.add("--hazelcast.cluster-name=" + clusterName);
            all.add("--hazelcast.port=" + hazelcastPort);
            all.add("--hazelcast.members=" + String.join(",", members));
            if (leaseTtl != null) {
                all.add("--lease.ttl-ms=" + leaseTtl.toMillis());
            }
            all.addAll(flags);
            return all;
        }

        /** The whole command line this builder would start. */
        public List<String> command() {
            validate();
            return new JavaCommand(List.of(), java, jvmOptions, classpath, MAIN_CLASS, bridgeFlags()).toList();
        }

        private void validate() {
            List<String> missing = new ArrayList<>();
            if (region == null) {
                missing.add("region");
            }
            if (replicaId == null) {
                missing.add("replicaId");
            }
            if (grpcPort < 0) {
                missing.add("grpcPort");
            }
            if (httpPort < 0) {
                missing.add("httpPort");
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
            if (peers.isEmpty()) {
                missing.add("peers");
            }
            if (tls == null) {
                missing.add("tls");
            }
            if (classpath == null) {
                missing.add("classpath");
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("bridge process " + replicaId + ": missing " + missing);
            }
        }

        /** Starts the replica; it is not ready yet ({@link RegionBridgeProcess#awaitReady(Duration)}). */
        public RegionBridgeProcess start() {
            List<String> command = command();
            if (log == null) {
                throw new IllegalArgumentException("bridge process " + replicaId + ": missing log");
            }
            return new RegionBridgeProcess(this, ManagedProcess.builder(replicaId).command(command).log(log).start());
        }
    }
}
