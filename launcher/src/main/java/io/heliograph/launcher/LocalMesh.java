package io.heliograph.launcher;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the nodes of a {@link MeshPlan} as real edge-node processes (one JVM each, an {@link EdgeProcess} per node),
 * waits until every node reports itself UP with its whole region joined, and stops them again: SIGTERM first so they
 * drain their clients and hand over their Hazelcast partitions, then SIGKILL for any that overstay. It only ever
 * signals processes it started.
 */
public final class LocalMesh implements AutoCloseable {

    private final Builder settings;
    private final List<EdgeProcess> nodes = new CopyOnWriteArrayList<>();
    private final List<EdgeProcess> started = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();

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

    /** The nodes that are ready, in plan order. */
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
     * exception names the node and carries its log's tail. {@link #close()} may run concurrently (from a shutdown
     * hook).
     */
    public LocalMesh start() {
        try {
            launch();
            return this;
        } catch (RuntimeException e) {
            boolean stopping = closing.get();
            close();
            throw stopping ? new IllegalStateException("mesh is stopping", e) : e;
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
        String classpath = classes + File.pathSeparator + lib + File.separator + "*";
        for (MeshPlan.NodeSpec spec : settings.plan.nodes()) {
            EdgeProcess.Builder node = EdgeProcess.builder()
                    .spec(spec)
                    .jvmOptions(settings.jvmOptions)
                    .classpath(classpath)
                    .flags(settings.extraFlags)
                    .secret(settings.secret)
                    .log(settings.logDir.resolve(spec.nodeId() + ".log"));
            synchronized (started) {
                if (closing.get()) {
                    throw new IllegalStateException("mesh is stopping");
                }
                started.add(node.start());
            }
        }
        long deadlineNs = System.nanoTime() + settings.startTimeout.toNanos();
        for (EdgeProcess node : started) {
            if (closing.get()) {
                throw new IllegalStateException("mesh is stopping");
            }
            nodes.add(node.awaitReady(Duration.ofNanos(Math.max(0, deadlineNs - System.nanoTime()))));
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
            started.forEach(EdgeProcess::terminate);
        }
        long deadlineNs = System.nanoTime() + settings.stopTimeout.toNanos();
        for (EdgeProcess node : started) {
            node.awaitExit(Duration.ofNanos(Math.max(0, deadlineNs - System.nanoTime())));
        }
        for (EdgeProcess node : started) {
            if (node.isAlive()) {
                System.err.println("edge process " + node.pid() + " ignored SIGTERM for "
                        + settings.stopTimeout.toSeconds() + " s; killing it");
                try {
                    node.kill9();
                } catch (IllegalStateException e) {
                    System.err.println(e.getMessage());
                }
            }
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
