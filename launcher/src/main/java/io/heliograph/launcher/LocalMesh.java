package io.heliograph.launcher;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * Runs the nodes of a {@link MeshPlan} as real edge-node processes (one JVM each), waits until every node reports
 * itself UP with its whole region joined, and stops them again: SIGTERM first so they drain their clients and hand
 * over their Hazelcast partitions, then SIGKILL for any that overstay. It only ever signals processes it started.
 */
public final class LocalMesh implements AutoCloseable {

    /** The edge-node entry point. */
    public static final String EDGE_MAIN = "io.heliograph.edge.Main";
    private static final Pattern ANNOUNCEMENT = Pattern.compile("^edge (\\S+) (\\S+) (ws://\\S+) (http://\\S+)$",
            Pattern.MULTILINE);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Builder settings;
    private final List<EdgeProcess> nodes = new CopyOnWriteArrayList<>();
    private final List<Process> started = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private LocalMesh(Builder settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A fresh random secret for a throw-away mesh: 32 random bytes, base64url. */
    public static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The repository root: {@code -Dheliograph.home} (set by {@code ./mesh}), else the working directory. */
    public static Path home() {
        return Path.of(System.getProperty("heliograph.home", System.getProperty("user.dir"))).toAbsolutePath();
    }

    public List<EdgeProcess> nodes() {
        return List.copyOf(nodes);
    }

    public MeshPlan plan() {
        return settings.plan;
    }

    /** True once {@link #close()} has begun; exits after that are expected. */
    public boolean closing() {
        return closing.get();
    }

    /**
     * Starts every node and returns once all are ready. On failure the nodes already started are stopped and the
     * exception names the node and its log. {@link #close()} may run concurrently (from a shutdown hook).
     */
    public LocalMesh start() {
        try {
            launch();
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void launch() {
        Path lib = settings.home.resolve("edge-node/target/lib");
        Path classes = settings.home.resolve("edge-node/target/classes");
        if (!Files.isDirectory(lib) || !Files.isDirectory(classes)) {
            throw new IllegalStateException("edge node is not built: " + classes + " and " + lib + " are needed "
                    + "(run ./mesh, or mvn -B install -DskipTests)");
        }
        for (int port : settings.plan.ports()) {
            requireFree(port);
        }
        try {
            Files.createDirectories(settings.logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + settings.logDir, e);
        }
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = classes + File.pathSeparator + lib + File.separator + "*";
        Map<String, Process> byNode = new java.util.LinkedHashMap<>();
        for (MeshPlan.NodeSpec spec : settings.plan.nodes()) {
            List<String> command = new ArrayList<>();
            command.add(javaBin);
            command.addAll(settings.jvmOptions);
            command.add("-cp");
            command.add(classpath);
            command.add(EDGE_MAIN);
            command.addAll(spec.flags());
            command.addAll(settings.extraFlags);
            Path log = settings.logDir.resolve(spec.nodeId() + ".log");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            // The secret travels in the environment, not on the command line where ps would show it.
            pb.environment().put("HELIOGRAPH_JWT_SECRET", settings.secret);
            synchronized (started) {
                if (closing.get()) {
                    throw new IllegalStateException("mesh is stopping");
                }
                try {
                    Process process = pb.start();
                    started.add(process);
                    byNode.put(spec.nodeId(), process);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start " + spec.nodeId(), e);
                }
            }
        }
        long deadlineNs = System.nanoTime() + settings.startTimeout.toNanos();
        for (MeshPlan.NodeSpec spec : settings.plan.nodes()) {
            nodes.add(awaitReady(spec, byNode.get(spec.nodeId()), deadlineNs));
        }
    }

    private EdgeProcess awaitReady(MeshPlan.NodeSpec spec, Process process, long deadlineNs) {
        Path log = settings.logDir.resolve(spec.nodeId() + ".log");
        int regionSize = spec.members().size();
        URI ws = null;
        URI httpUrl = null;
        String lastState = "no announcement yet";
        while (System.nanoTime() < deadlineNs) {
            if (closing.get()) {
                throw new IllegalStateException("mesh is stopping");
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(spec.nodeId() + " exited with code " + process.exitValue()
                        + " while starting; last lines of " + log + ":\n" + tail(log, 20));
            }
            if (ws == null) {
                Matcher m = ANNOUNCEMENT.matcher(readQuietly(log));
                if (m.find()) {
                    ws = URI.create(m.group(3));
                    httpUrl = URI.create(m.group(4));
                }
            }
            if (httpUrl != null) {
                lastState = healthState(httpUrl, regionSize);
                if (lastState == null) {
                    return new EdgeProcess(spec, process, log, ws, httpUrl);
                }
            }
            pause(200);
        }
        throw new IllegalStateException(spec.nodeId() + " not ready within " + settings.startTimeout.toSeconds()
                + " s (" + lastState + "); see " + log);
    }

    /**
     * The {@code data} of an edge node's readiness check in its Helidon health JSON
     * ({@code {"status":..,"checks":[{"name":"edge","status":..,"data":{region, node, draining, connections,
     * channels, cluster}}]}}); a missing node when the check is absent. Public for the bench, which reads the
     * same check.
     */
    public static JsonNode readinessData(JsonNode health) {
        for (JsonNode check : health.path("checks")) {
            if ("edge".equals(check.path("name").asText())) {
                return check.path("data");
            }
        }
        return MissingNode.getInstance();
    }

    /** Null when the node is UP with {@code regionSize} members, else what is still missing. */
    private String healthState(URI httpUrl, int regionSize) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(httpUrl.resolve("/health"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() != 200 || !"UP".equals(body.path("status").asText())) {
                return "health " + response.statusCode() + " " + response.body();
            }
            int members = readinessData(body).path("cluster").path("members").asInt(-1);
            if (members >= 0 && members < regionSize) {
                return "region has " + members + " of " + regionSize + " members";
            }
            return null;
        } catch (IOException e) {
            return "health: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the mesh", e);
        }
    }

    /**
     * Stops every process this mesh started: SIGTERM to all at once, a bounded wait for their graceful shutdown,
     * then SIGKILL for the rest. Safe to call twice (the shutdown hook and a normal exit may both call it).
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        synchronized (started) {
            started.forEach(Process::destroy);
        }
        long deadlineNs = System.nanoTime() + settings.stopTimeout.toNanos();
        for (Process p : started) {
            awaitExit(p, deadlineNs);
        }
        for (Process p : started) {
            if (p.isAlive()) {
                System.err.println("edge process " + p.pid() + " ignored SIGTERM for "
                        + settings.stopTimeout.toSeconds() + " s; killing it");
                p.destroyForcibly();
                awaitExit(p, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
            }
        }
    }

    private static void awaitExit(Process p, long deadlineNs) {
        try {
            p.waitFor(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void requireFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // Like the nodes themselves: TIME_WAIT leftovers of an earlier run do not block a listener.
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " is in use (another ./mesh up? choose --base-port)");
        }
    }

    static String tail(Path file, int lines) {
        List<String> all = readQuietly(file).lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // Not there yet, or caught mid-write: the caller polls again.
            return "";
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the mesh", e);
        }
    }

    /** Settings of a local mesh. */
    public static final class Builder {
        private MeshPlan plan = MeshPlan.create(List.of("us-east"), 2, 8080);
        private String secret;
        private Path home = LocalMesh.home();
        private Path logDir;
        private List<String> jvmOptions = List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError",
                "-Dhazelcast.phone.home.enabled=false");
        private List<String> extraFlags = List.of();
        private Duration startTimeout = Duration.ofSeconds(90);
        private Duration stopTimeout = Duration.ofSeconds(20);

        private Builder() {
        }

        public Builder plan(MeshPlan plan) {
            this.plan = plan;
            return this;
        }

        public Builder secret(String secret) {
            this.secret = secret;
            return this;
        }

        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        public Builder logDir(Path logDir) {
            this.logDir = logDir;
            return this;
        }

        public Builder jvmOptions(List<String> jvmOptions) {
            this.jvmOptions = List.copyOf(jvmOptions);
            return this;
        }

        /** Edge-node flags added to every node, after the plan's own (e.g. raised limits). */
        public Builder extraFlags(List<String> extraFlags) {
            this.extraFlags = List.copyOf(extraFlags);
            return this;
        }

        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        public Builder stopTimeout(Duration stopTimeout) {
            this.stopTimeout = stopTimeout;
            return this;
        }

        /** A mesh not yet started: register its {@link #close()} as a shutdown hook, then {@link #start()}. */
        public LocalMesh build() {
            if (secret == null || secret.length() < 16) {
                throw new IllegalArgumentException("JWT secret must be at least 16 characters");
            }
            if (logDir == null) {
                logDir = home.resolve(".mesh/logs");
            }
            return new LocalMesh(this);
        }
    }
}
