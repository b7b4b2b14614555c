package io.heliograph.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.heliograph.launcher.EdgeProcess;
import io.heliograph.launcher.LocalMesh;
import io.heliograph.launcher.MeshPlan;
import io.heliograph.protocol.auth.Tokens;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mesh bench fanout}: first, on the freshly started nodes, a storm of idle connections (memory per
 * connection, connections per second, idle CPU); then one channel, many subscribers spread over a two-node region,
 * publishers at a fixed rate stepped up until p99 passes the limit. The edge nodes are separate processes started
 * here; this JVM is the load process. Every phase is bounded in count and time; {@link FanoutReport} writes it up.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true,
        description = "Fan-out benchmark: server CPU per delivery, deliveries/s and latency; memory per idle "
                + "connection, connections per second and idle CPU on fresh nodes.")
public final class FanoutBench implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_LATENCY_US = TimeUnit.SECONDS.toMicros(120);

    @Option(names = "--base-port", defaultValue = "9100", description = "First port of the bench region (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--subscribers", defaultValue = "2000", description = "Subscribers on the channel (default: ${DEFAULT-VALUE}).")
    int subscribers;

    @Option(names = "--publishers", defaultValue = "4", description = "Publishing connections (default: ${DEFAULT-VALUE}).")
    int publishers;

    @Option(names = "--rates", split = ",", defaultValue = "5,10,25,50,75,100,150,200,300",
            description = "Publish rates in messages/s, one per step (default: ${DEFAULT-VALUE}).")
    List<Integer> rates;

    @Option(names = "--step-seconds", defaultValue = "10", description = "Publishing time per step (default: ${DEFAULT-VALUE}).")
    int stepSeconds;

    @Option(names = "--drain-seconds", defaultValue = "5", description = "Longest wait for a step's last deliveries (default: ${DEFAULT-VALUE}).")
    int drainSeconds;

    @Option(names = "--p99-limit-ms", defaultValue = "100", description = "Stop stepping once p99 passes this (default: ${DEFAULT-VALUE}).")
    double p99LimitMs;

    @Option(names = "--idle-connections", defaultValue = "10000", description = "Idle connections for the memory figure; 0 skips it (default: ${DEFAULT-VALUE}).")
    int idleConnections;

    @Option(names = "--node-flags", split = " ",
            description = "Extra edge-node flags, space-separated, after the bench's own, e.g. "
                    + "--node-flags=--warmup-connections=0 (later flags win).")
    List<String> extraNodeFlags = new ArrayList<>();

    @Option(names = "--warmup-seconds", defaultValue = "15",
            description = "Unrecorded fan-out at 20 msg/s before the steps (and before the floor's): the JIT compiles "
                    + "the delivery path here instead of inside the first steps' CPU figures (default: "
                    + "${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--floor", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "After the edge steps, serve the same rates from two minimal servers (one write per "
                    + "delivery, nothing else) and report their CPU per delivery beside the edge nodes' "
                    + "(default: ${DEFAULT-VALUE}; --no-floor skips it).")
    boolean floor;

    @Option(names = "--idle-settle-seconds", defaultValue = "10",
            description = "Wait after the last idle connection is in, before RSS and idle CPU are read: the storm's "
                    + "after-effects (a GC, the JIT compiling the first heartbeat round) fall before it or into "
                    + "the window (default: ${DEFAULT-VALUE}).")
    int idleSettleSeconds;

    @Option(names = "--idle-window-seconds", defaultValue = "30",
            description = "Idle CPU is measured over this long; 30 s is two heartbeat periods of the bench nodes, so "
                    + "every connection is pinged twice (default: ${DEFAULT-VALUE}).")
    int idleWindowSeconds;

    @Option(names = "--payload-bytes", defaultValue = "100", description = "Size of each message's data (default: ${DEFAULT-VALUE}).")
    int payloadBytes;

    @Option(names = "--node-heap", defaultValue = "1g", description = "-Xmx of each edge node (default: ${DEFAULT-VALUE}).")
    String nodeHeap;

    @Option(names = "--node-java-opts", defaultValue = "",
            description = "Extra JVM options of each edge node, space-separated, e.g. a JFR recording: "
                    + "-XX:StartFlightRecording=filename=/tmp/edge-%%p.jfr,settings=profile")
    String nodeJavaOpts;

    private List<String> nodeJvmOptions() {
        List<String> options = new java.util.ArrayList<>(List.of("-Xmx" + nodeHeap, "-XX:+ExitOnOutOfMemoryError",
                "-Dhazelcast.phone.home.enabled=false"));
        for (String option : nodeJavaOpts.trim().split("\\s+")) {
            if (!option.isEmpty()) {
                options.add(option);
            }
        }
        return options;
    }

    @Option(names = "--time-limit-seconds", defaultValue = "330", description = "Whole-run budget; steps stop early to keep it (default: ${DEFAULT-VALUE}).")
    int timeLimitSeconds;

    @Option(names = "--load-clients", defaultValue = "2", description = "java.net.http clients (selector threads) in the load process (default: ${DEFAULT-VALUE}).")
    int loadClients;

    @Option(names = "--load-threads", defaultValue = "1", description = "Executor threads per load client; 0 keeps the JDK's default cached pool (default: ${DEFAULT-VALUE}).")
    int loadThreads;

    @Option(names = "--load-client", defaultValue = "nio",
            description = "Client for subscribers and idle connections: nio (lean java.nio selector loops) or jdk "
                    + "(java.net.http.WebSocket); publishers always use jdk (default: ${DEFAULT-VALUE}).")
    String loadClient;

    @Option(names = "--nio-threads", defaultValue = "2", description = "Selector threads of the nio load client (default: ${DEFAULT-VALUE}).")
    int nioThreads;

    @Option(names = "--out", description = "Markdown report (default: bench/target/benchmarks-fanout.md).")
    Path out;

    private final String channel = "fanout";
    private final long clockTicks = ProcStats.clockTicksPerSecond();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<HttpClient> wsClients = new ArrayList<>();
    private NioLoad nio;
    private final long startNs = System.nanoTime();

    // Written by the sockets' delivery threads, read by the step loop.
    private volatile int currentStep = -1;
    private final Recorder latencyUs = new Recorder(MAX_LATENCY_US, 3);
    private final LongAdder received = new LongAdder();
    private final LongAdder stragglers = new LongAdder();
    private final LongAccumulator lastReceiveNs = new LongAccumulator(Math::max, 0);
    private final LongAdder acks = new LongAdder();
    private final Map<String, LongAdder> controlFrames = new ConcurrentHashMap<>();

    /** One row of the results table. */
    record StepResult(int ratePerSecond, long published, long acked, long expected, long delivered,
                      double deliveriesPerSecond, double p50Ms, double p99Ms, double p999Ms, double maxMs,
                      double serverCpuSeconds, double serverCpuPercent, double loadCpuPercent,
                      long serverDrops, long stragglers) {

        double completeness() {
            return expected == 0 ? 1 : (double) delivered / expected;
        }

        double cpuSecondsPerMillion() {
            return delivered == 0 ? Double.NaN : serverCpuSeconds / (delivered / 1e6);
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FanoutBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (out == null) {
            out = LocalMesh.home().resolve("bench/target/benchmarks-fanout.md");
        }
        MachineDescription machine = MachineDescription.current();
        long openFiles = ProcStats.maxOpenFiles();
        int neededFiles = subscribers + publishers + idleConnections + 512;
        log("machine: " + machine.cpus() + " CPUs, " + machine.cpuModel() + "; open-files limit " + openFiles);
        String idleNote = null;
        if (openFiles >= 0 && openFiles < neededFiles) {
            idleNote = "open-files limit (ulimit -n) is " + openFiles + ", " + neededFiles + " needed; "
                    + "raise it with `ulimit -n " + neededFiles + "`";
            log("WARNING: " + idleNote);
        }

        String secret = LocalMesh.randomSecret();
        String token = new Tokens(secret).mintAll("bench", Duration.ofHours(2));
        MeshPlan plan = MeshPlan.create(List.of("bench"), 2, basePort);
        LocalMesh mesh = LocalMesh.builder().plan(plan).secret(secret)
                .logDir(LocalMesh.home().resolve(".mesh/logs/bench"))
                .jvmOptions(nodeJvmOptions())
                .extraFlags(nodeFlags())
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(mesh::close, "bench-mesh-stop"));
        for (int i = 0; i < loadClients; i++) {
            HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
            if (loadThreads > 0) {
                // A small fixed pool instead of the default cached one: fewer thread hand-offs per frame.
                client.executor(java.util.concurrent.Executors.newFixedThreadPool(loadThreads, r -> {
                    Thread t = new Thread(r, "load-ws");
                    t.setDaemon(true);
                    return t;
                }));
            }
            wsClients.add(client.build());
        }
        if (!loadClient.equals("jdk") && !loadClient.equals("nio")) {
            log("--load-client must be jdk or nio, not " + loadClient);
            return 2;
        }
        if (loadClient.equals("nio")) {
            nio = new NioLoad(nioThreads);
        }
        log("load client for subscribers and idle connections: " + loadClient
                + (nio != null ? " (" + nioThreads + " selector threads)" : ""));
        List<StepResult> steps = new ArrayList<>();
        IdleResult idle = null;
        String stopReason = "all steps ran";
        try {
            log("starting two edge nodes on ports " + basePort + ".." + (basePort + 1) + " (logs .mesh/logs/bench/)");
            try {
                mesh.start();
            } catch (IllegalStateException e) {
                log("cannot start the bench region: " + e.getMessage());
                return 1;
            }
            List<EdgeProcess> nodes = mesh.nodes();
            nodes.forEach(n -> log("  " + n.announcement() + " pid " + n.pid()));
            // Idle figures first, on fresh nodes: the fan-out steps grow the heaps and would hide a connection's cost.
            if (idleConnections > 0 && idleNote == null) {
                idle = measureIdle(nodes, token, openFiles);
            } else if (idleConnections > 0) {
                idle = IdleResult.skipped(idleConnections, openFiles, idleNote);
            }

            LoadSocket.MessageSink sink = new LoadSocket.MessageSink() {
                @Override
                public void onMessage(String frame) {
                    record(frame);
                }

                @Override
                public void onControl(String type, JsonNode frame) {
                    if ("ack".equals(type)) {
                        acks.increment();
                    } else {
                        String key = "error".equals(type) ? "error " + frame.path("code").asText() : type;
                        controlFrames.computeIfAbsent(key, k -> new LongAdder()).increment();
                    }
                }
            };

            log("opening " + subscribers + " subscribers on channel '" + channel + "'");
            List<BenchSocket> subs = openAll(nodes, subscribers, token, sink, Duration.ofSeconds(120),
                    this::openBench, s -> s.attach(channel, Duration.ofSeconds(30)).thenApply(a -> s));
            log("  " + subs.size() + " subscribers attached; per node " + connectionsPerNode(nodes));
            List<LoadSocket> pubs = openAll(nodes, publishers, token, sink, Duration.ofSeconds(30),
                    this::openJdk, CompletableFuture::completedFuture);

            log("warm-up: " + warmupSeconds + " s at 20 msg/s (not recorded)");
            runStep(0, 20, Duration.ofSeconds(warmupSeconds), pubs, subs.size(), nodes);

            int stepNo = 1;
            for (int rate : rates) {
                long remainingS = timeLimitSeconds - TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs);
                long reserveS = stepSeconds + drainSeconds + 20;
                if (remainingS < reserveS) {
                    stopReason = "time budget: " + remainingS + " s left, a step needs " + reserveS;
                    break;
                }
                StepResult r = runStep(stepNo++, rate, Duration.ofSeconds(stepSeconds), pubs, subs.size(), nodes);
                steps.add(r);
                log(String.format(Locale.ROOT, "  step %d msg/s: %.0f deliveries/s, complete %.2f%%, p50 %.1f ms, "
                                + "p99 %.1f ms, p99.9 %.1f ms, server CPU %.1f s/M deliveries",
                        rate, r.deliveriesPerSecond(), r.completeness() * 100, r.p50Ms(), r.p99Ms(), r.p999Ms(),
                        r.cpuSecondsPerMillion()));
                long lost = subs.stream().filter(s -> !s.isOpen()).count();
                if (lost > 0) {
                    stopReason = lost + " subscriber connections were closed by the server";
                    break;
                }
                if (r.p99Ms() > p99LimitMs) {
                    stopReason = String.format(Locale.ROOT, "p99 %.1f ms passed %.0f ms at %d msg/s", r.p99Ms(),
                            p99LimitMs, rate);
                    break;
                }
                if (r.completeness() < 0.95) {
                    stopReason = String.format(Locale.ROOT, "only %.1f%% of deliveries arrived within %d s at %d msg/s",
                            r.completeness() * 100, drainSeconds, rate);
                    break;
                }
                if (nodes.stream().anyMatch(n -> !n.isAlive())) {
                    stopReason = "an edge node exited";
                    break;
                }
            }
            log("stepping stopped: " + stopReason);
            closeAll(subs);
            closeAll(pubs);
            List<KernelFloor.Step> floorSteps = List.of();
            if (floor && !steps.isEmpty()) {
                // The edge nodes stop first: only the floor servers and the load process share the cores then.
                mesh.close();
                floorSteps = measureFloor(steps);
            }

            String report = new FanoutReport(nodeHeap, subscribers, publishers, payloadBytes, stepSeconds,
                    drainSeconds, loadClient, controlFrames).render(machine, steps, idle, stopReason, floorSteps);
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
            System.out.println();
            System.out.println(report);
            log("report written to " + out);
            return 0;
        } finally {
            log("stopping the bench region");
            mesh.close();
            wsClients.forEach(HttpClient::shutdownNow);
            if (nio != null) {
                nio.close();
            }
        }
    }

    /** The rates of the edge steps that ran, served again by two {@link FloorServer}s to the same subscribers. */
    private List<KernelFloor.Step> measureFloor(List<StepResult> edgeSteps) throws Exception {
        log("floor: the same rates from two minimal servers (ports " + (basePort + 400) + ".."
                + (basePort + 401) + ")");
        NioLoad floorClient = nio != null ? nio : new NioLoad(nioThreads);
        List<KernelFloor.Step> out = new ArrayList<>();
        try (KernelFloor kernelFloor = KernelFloor.start(2, basePort + 400,
                Runtime.getRuntime().availableProcessors(), LocalMesh.home().resolve(".mesh/logs/bench"),
                FanoutBench::log)) {
            int in = kernelFloor.openSubscribers(floorClient, subscribers, Duration.ofSeconds(60));
            log("  " + in + " floor subscribers connected");
            kernelFloor.run(0, 20, Duration.ofSeconds(warmupSeconds), payloadBytes, Duration.ofSeconds(drainSeconds));
            int step = 1_000;
            for (StepResult edge : edgeSteps) {
                KernelFloor.Step f = kernelFloor.run(step++, edge.ratePerSecond(), Duration.ofSeconds(stepSeconds),
                        payloadBytes, Duration.ofSeconds(drainSeconds));
                out.add(f);
                if (f.completeness() < 0.99) {
                    // One write per delivery cannot keep up any more: higher rates would only measure its backlog.
                    log("  the floor fell behind at " + edge.ratePerSecond() + " msg/s; no higher floor steps");
                    break;
                }
            }
        } finally {
            if (floorClient != nio) {
                floorClient.close();
            }
        }
        return out;
    }

    private List<String> nodeFlags() {
        List<String> flags = new ArrayList<>(List.of("--limits.rate-per-second=1000000",
                "--limits.rate-burst=1000000", "--limits.max-connections=1000000", "--heartbeat-ms=15000"));
        flags.addAll(extraNodeFlags);
        return flags;
    }

    /** Called on a socket's delivery thread for each message frame. */
    private void record(String frame) {
        long nowNs = System.nanoTime();
        long step = LatencyPayload.step(frame);
        if (step != currentStep) {
            stragglers.increment();
            return;
        }
        long us = (nowNs - LatencyPayload.sendNs(frame)) / 1000;
        latencyUs.recordValue(Math.min(Math.max(us, 0), MAX_LATENCY_US));
        received.increment();
        lastReceiveNs.accumulate(nowNs);
    }

    private StepResult runStep(int step, int rate, Duration duration, List<LoadSocket> pubs, int subscriberCount,
                               List<EdgeProcess> nodes) throws InterruptedException {
        Map<Long, Long> dropsBefore = scrapeAll(nodes, "heliograph_messages_dropped_total");
        long cpuBefore = serverTicks(nodes);
        long selfBefore = ProcStats.cpuTicks(ProcessHandle.current().pid());
        latencyUs.getIntervalHistogram();
        received.reset();
        stragglers.reset();
        long begunNs = System.nanoTime();
        lastReceiveNs.reset();
        lastReceiveNs.accumulate(begunNs);
        currentStep = step;

        AtomicLong published = new AtomicLong();
        long acksBefore = acks.sum();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < pubs.size(); i++) {
            LoadSocket pub = pubs.get(i);
            double perPublisher = (double) rate / pubs.size();
            int index = i;
            threads.add(Thread.ofPlatform().name("publisher-" + i).start(() ->
                    publish(pub, index, step, perPublisher, begunNs, duration, published)));
        }
        for (Thread t : threads) {
            t.join(duration.toMillis() + 15_000);
        }
        long expected = published.get() * subscriberCount;
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
        while (received.sum() < expected && System.nanoTime() < drainDeadline) {
            Thread.sleep(20);
        }
        long endNs = System.nanoTime();
        Histogram h = latencyUs.getIntervalHistogram();
        long delivered = received.sum();
        long cpuTicks = serverTicks(nodes) - cpuBefore;
        long selfTicks = ProcStats.cpuTicks(ProcessHandle.current().pid()) - selfBefore;
        Map<Long, Long> dropsAfter = scrapeAll(nodes, "heliograph_messages_dropped_total");
        long drops = dropsAfter.entrySet().stream()
                .mapToLong(e -> e.getValue() - dropsBefore.getOrDefault(e.getKey(), 0L)).sum();
        double activeS = Math.max(1e-3, (lastReceiveNs.get() - begunNs) / 1e9);
        double wallS = (endNs - begunNs) / 1e9;
        double cpuS = (double) cpuTicks / clockTicks;
        int cpus = Runtime.getRuntime().availableProcessors();
        return new StepResult(rate, published.get(), acks.sum() - acksBefore, expected, delivered,
                delivered / activeS, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0, cpuS,
                100 * cpuS / wallS / cpus, 100.0 * selfTicks / clockTicks / wallS / cpus, drops, stragglers.sum());
    }

    /** Open-loop pacing: the n-th message is due at start + n/rate whatever happened before it. */
    private void publish(LoadSocket pub, int index, int step, double ratePerSecond, long begunNs,
                         Duration duration, AtomicLong published) {
        long intervalNs = (long) (1e9 / ratePerSecond);
        long endNs = begunNs + duration.toNanos();
        long firstNs = begunNs + (intervalNs * index) / Math.max(1, publishers);
        for (long n = 0; ; n++) {
            long dueNs = firstNs + n * intervalNs;
            if (dueNs >= endNs) {
                return;
            }
            long waitNs = dueNs - System.nanoTime();
            if (waitNs > 0) {
                LockSupport.parkNanos(waitNs);
            }
            String frame = "{\"type\":\"publish\",\"id\":\"p" + index + "-" + step + "-" + n + "\",\"channel\":\""
                    + channel + "\",\"name\":\"tick\",\"data\":"
                    + LatencyPayload.json(System.nanoTime(), step, payloadBytes) + "}";
            try {
                pub.send(frame).get(10, TimeUnit.SECONDS);
                published.incrementAndGet();
            } catch (Exception e) {
                log("publisher " + index + " failed to send: " + e);
                return;
            }
        }
    }


    private IdleResult measureIdle(List<EdgeProcess> nodes, String token, long openFiles) throws Exception {
        log("idle: letting the fresh nodes settle");
        awaitConnections(nodes, 0, Duration.ofSeconds(20));
        Thread.sleep(3000); // start-up work (JIT, Hazelcast's first migrations) ends; nothing to await
        long before = serverRssKib(nodes);
        LoadSocket.MessageSink ignore = new LoadSocket.MessageSink() {
            @Override
            public void onMessage(String frame) {
            }

            @Override
            public void onControl(String type, JsonNode frame) {
            }
        };
        log("idle: opening " + idleConnections + " connections (RSS before " + before / 1024 + " MiB)");
        long openStart = System.nanoTime();
        List<BenchSocket> idle = openAll(nodes, idleConnections, token, ignore, Duration.ofSeconds(150),
                this::openBench, CompletableFuture::completedFuture);
        long openMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openStart);
        awaitConnections(nodes, idle.size(), Duration.ofSeconds(20));
        Thread.sleep(TimeUnit.SECONDS.toMillis(idleSettleSeconds)); // nothing to await: the storm's after-effects
        long after = serverRssKib(nodes);
        log("idle: " + idle.size() + " open in " + openMillis + " ms, RSS after " + after / 1024 + " MiB; per node "
                + connectionsPerNode(nodes) + "; measuring idle CPU for " + idleWindowSeconds + " s");
        long ticksBefore = serverTicks(nodes);
        long windowStart = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(idleWindowSeconds));
        double seconds = (System.nanoTime() - windowStart) / 1e9;
        double cpuSeconds = (double) (serverTicks(nodes) - ticksBefore) / clockTicks;
        double idleCpuPercent = 100 * cpuSeconds / (seconds * Runtime.getRuntime().availableProcessors());
        closeAll(idle);
        String note = idle.size() < idleConnections ? "only " + idle.size() + " of " + idleConnections + " opened" : null;
        return new IdleResult(idleConnections, idle.size(), before, after, openMillis, idleCpuPercent,
                idleSettleSeconds, idleWindowSeconds, openFiles, note);
    }

    /**
     * Opens {@code count} sockets alternating over the nodes, at most 200 handshakes in flight, within {@code timeout}
     * overall; {@code then} runs on each (e.g. attach). Returns the ones that made it.
     */
    private <S extends BenchSocket> List<S> openAll(List<EdgeProcess> nodes, int count, String token,
                                                    LoadSocket.MessageSink sink, Duration timeout, Opener<S> opener,
                                                    Function<S, CompletableFuture<S>> then) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        List<S> open = new ArrayList<>();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        int batch = 200;
        for (int from = 0; from < count && System.nanoTime() < deadlineNs; from += batch) {
            List<CompletableFuture<S>> inFlight = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + batch); i++) {
                URI ws = nodes.get(i % nodes.size()).wsUrl();
                inFlight.add(opener.open(i, ws, token, sink, Duration.ofSeconds(30))
                        .thenCompose(socket -> then.apply(socket).whenComplete((ok, failed) -> {
                            if (failed != null) {
                                socket.abort();
                            }
                        })));
            }
            for (CompletableFuture<S> f : inFlight) {
                try {
                    open.add(f.get(Math.max(1, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (Exception e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    failures.merge(cause.getClass().getSimpleName() + ": " + cause.getMessage(), 1, Integer::sum);
                }
            }
        }
        if (!failures.isEmpty()) {
            log("  " + (count - open.size()) + " of " + count + " connections failed: " + failures);
        }
        return open;
    }

    /** Opens the i-th connection of a batch. */
    @FunctionalInterface
    private interface Opener<S extends BenchSocket> {
        CompletableFuture<S> open(int i, URI ws, String token, LoadSocket.MessageSink sink, Duration timeout);
    }

    private CompletableFuture<LoadSocket> openJdk(int i, URI ws, String token, LoadSocket.MessageSink sink,
                                                  Duration timeout) {
        return LoadSocket.open(wsClients.get(i % wsClients.size()), ws, token, sink, timeout);
    }

    /** A subscriber or idle connection on the client chosen by {@code --load-client}. */
    private CompletableFuture<BenchSocket> openBench(int i, URI ws, String token, LoadSocket.MessageSink sink,
                                                     Duration timeout) {
        if (nio != null) {
            return nio.open(ws, token, sink, timeout).thenApply(s -> s);
        }
        return openJdk(i, ws, token, sink, timeout).thenApply(s -> s);
    }

    private static void closeAll(List<? extends BenchSocket> sockets) {
        List<CompletableFuture<?>> closing = sockets.stream().<CompletableFuture<?>>map(BenchSocket::close).toList();
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log("  some sockets did not close politely within 10 s; aborting them");
        }
        sockets.forEach(BenchSocket::abort);
    }

    private void awaitConnections(List<EdgeProcess> nodes, int total, Duration timeout) throws InterruptedException {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadlineNs) {
            int open = nodes.stream().mapToInt(n -> connections(n)).sum();
            if (open == total) {
                return;
            }
            Thread.sleep(200);
        }
        log("  nodes report " + connectionsPerNode(nodes) + " connections, expected " + total + " in total");
    }

    private String connectionsPerNode(List<EdgeProcess> nodes) {
        StringBuilder sb = new StringBuilder();
        nodes.forEach(n -> sb.append(sb.isEmpty() ? "" : ", ").append(n.nodeId()).append('=')
                .append(connections(n)));
        return sb.toString();
    }

    /** The node's readiness details from /health (connections, channels, cluster, ...). */
    /** Open connections a node reports in /health (wherever the body nests the field), or -1. */
    private int connections(EdgeProcess node) {
        JsonNode value = health(node).findValue("connections");
        return value == null ? -1 : value.asInt(-1);
    }

    private JsonNode health(EdgeProcess node) {
        try {
            return EdgeProcess.readinessData(JSON.readTree(get(node.httpUrl().resolve("/health"))));
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private Map<Long, Long> scrapeAll(List<EdgeProcess> nodes, String metric) {
        Map<Long, Long> out = new java.util.HashMap<>();
        for (EdgeProcess n : nodes) {
            out.put(n.pid(), (long) sumMetric(get(n.httpUrl().resolve("/metrics")), metric));
        }
        return out;
    }

    /** Sum of every sample of {@code metric} (all label sets) in Prometheus text. */
    static double sumMetric(String text, String metric) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(metric) && line.length() > metric.length()
                    && (line.charAt(metric.length()) == '{' || line.charAt(metric.length()) == ' ')) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private String get(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            log("  GET " + uri + " failed: " + e);
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static long serverTicks(List<EdgeProcess> nodes) {
        return nodes.stream().mapToLong(n -> ProcStats.cpuTicks(n.pid())).sum();
    }

    private static long serverRssKib(List<EdgeProcess> nodes) {
        return nodes.stream().mapToLong(n -> ProcStats.rssKib(n.pid())).sum();
    }

    static void log(String line) {
        System.err.println("[fanout] " + line);
    }
}
