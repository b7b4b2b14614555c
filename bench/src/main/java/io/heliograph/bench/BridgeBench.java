package io.heliograph.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.heliograph.launcher.EdgeProcess;
import io.heliograph.launcher.LocalMesh;
import io.heliograph.launcher.MeshPlan;
import io.heliograph.launcher.RegionBridgeProcess;
import io.heliograph.protocol.auth.Tokens;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mesh bench bridge}: linked regions through WAN proxies that add {@code --wan-delay-ms} each way, one
 * subscriber per region, publishers in the home region of the bench channels and in a second region. Phases, each
 * bounded in count and time: an unmeasured warm-up; publish-to-receive and publish-to-ack at a modest fixed rate,
 * once per durability; a fixed-rate step at the target rate per link; closed-loop replication throughput; and a link
 * outage between the home and the second region with publishing going on, then the catch-up ({@link BridgeOutage}).
 * Figures are printed and written ({@link BridgeReport}), never asserted.
 */
@Command(name = "bridge", mixinStandardHelpOptions = true,
        description = "Region-bridge benchmark: publish-to-receive and publish-to-ack latency across regions and the "
                + "bridge's overhead beyond the injected WAN delay, replication throughput per link, and catch-up "
                + "after a link outage.")
public final class BridgeBench implements Callable<Integer> {

    @Option(names = "--regions", split = ",", defaultValue = "us-east,eu-west,ap-south",
            description = "Regions; the first is the bench channels' home, the second publishes from afar and is "
                    + "the one cut off in the outage (default: ${DEFAULT-VALUE}).")
    List<String> regions;

    @Option(names = "--nodes", defaultValue = "1", description = "Edge nodes per region (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--bridges", defaultValue = "1", description = "Bridge replicas per region (default: ${DEFAULT-VALUE}).")
    int bridges;

    @Option(names = "--wan-delay-ms", defaultValue = "40", description = "One-way delay of every link between regions (default: ${DEFAULT-VALUE}).")
    long wanDelayMs;

    @Option(names = "--base-port", defaultValue = "12000", description = "First port of the bench mesh; it uses base..base+1999 (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--rate", defaultValue = "100", description = "Total msg/s of the latency phases, from the home region and the second (--remote-share) (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--remote-share", defaultValue = "0.5", description = "Share of --rate published from the second region (forwarded to the home) in the latency phases (default: ${DEFAULT-VALUE}).")
    double remoteShare;

    @Option(names = "--seconds", defaultValue = "10", description = "Publishing time of each latency phase (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--durabilities", split = ",", defaultValue = "global,region", description = "One latency phase per durability (default: ${DEFAULT-VALUE}).")
    List<String> durabilities;

    @Option(names = "--target-rate", defaultValue = "5000", description = "The issue's rate per link, the last step unless --step-rates says otherwise; 0 skips the steps (default: ${DEFAULT-VALUE}).")
    double targetRate;

    @Option(names = "--step-rates", split = ",", description = "msg/s of each step published in the home region (region durability; each link carries all of it), stepping up until the remote regions fall behind (default: 250,500,1000,2000 and --target-rate).")
    List<Double> stepRates;

    @Option(names = "--step-seconds", defaultValue = "10", description = "Publishing time of each step (default: ${DEFAULT-VALUE}).")
    int stepSeconds;

    @Option(names = "--throughput-seconds", defaultValue = "5", description = "Closed-loop publishing in the home region (region durability); 0 skips (default: ${DEFAULT-VALUE}).")
    int throughputSeconds;

    @Option(names = "--outage-seconds", defaultValue = "60", description = "How long the link between the first two regions is cut; 0 skips the outage (default: ${DEFAULT-VALUE}).")
    int outageSeconds;

    @Option(names = "--skip-outage", description = "No outage phase.")
    boolean skipOutage;

    @Option(names = "--outage-rate", description = "msg/s published in the home region during the outage phase (default: --rate).")
    Double outageRate;

    @Option(names = "--outage-live-rate", defaultValue = "50", description = "msg/s published in the third region on its own channels during the outage phase: live traffic into the cut-off region over a link that stays up (default: ${DEFAULT-VALUE}).")
    double outageLiveRate;

    @Option(names = "--catchup-limit-seconds", defaultValue = "90", description = "Longest wait for the cut-off region to catch up after the restore (default: ${DEFAULT-VALUE}).")
    int catchupLimitSeconds;

    @Option(names = "--warmup-seconds", defaultValue = "30", description = "Unmeasured publishing before the latency phases (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--idle-seconds", defaultValue = "10", description = "CPU of the linked mesh with no traffic, measured before the warm-up and again before the outage; 0 skips (default: ${DEFAULT-VALUE}).")
    int idleSeconds;

    @Option(names = "--drain-seconds", defaultValue = "10", description = "Longest wait for a phase's last receipts and acks (default: ${DEFAULT-VALUE}).")
    int drainSeconds;

    @Option(names = "--channels", defaultValue = "8", description = "Bench channels per home region, published in turn (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--publishers", defaultValue = "48", description = "Publisher connections per publishing region; each has one publish unanswered at most (default: ${DEFAULT-VALUE}).")
    int publishers;

    @Option(names = "--payload-bytes", defaultValue = "100", description = "Size of each message's data (default: ${DEFAULT-VALUE}).")
    int payloadBytes;

    @Option(names = "--node-heap", defaultValue = "512m", description = "-Xmx of each edge node (default: ${DEFAULT-VALUE}).")
    String nodeHeap;

    @Option(names = "--bridge-heap", defaultValue = "256m", description = "-Xmx of each bridge replica (default: ${DEFAULT-VALUE}).")
    String bridgeHeap;

    @Option(names = "--node-java-opts", defaultValue = "",
            description = "Extra JVM options of each edge node, space-separated (e.g. a JFR recording: "
                    + "-XX:StartFlightRecording=filename=/tmp/edge-%%p.jfr,settings=profile).")
    String nodeJavaOpts;

    @Option(names = "--bridge-java-opts", defaultValue = "", description = "Extra JVM options of each bridge replica, space-separated.")
    String bridgeJavaOpts;

    @Option(names = "--edge-warmup-iterations", description = "The edge nodes' warmup-iterations (default: theirs).")
    Integer edgeWarmupIterations;

    @Option(names = "--edge-flag", description = "An extra edge-node flag, repeatable (e.g. --edge-flag=--durability.global-timeout-ms=8000).")
    List<String> edgeFlags = new ArrayList<>();

    @Option(names = "--bridge-flag", description = "An extra BridgeMain flag, repeatable (e.g. --bridge-flag=--link.ack-delay-ms=5).")
    List<String> bridgeFlags = new ArrayList<>();

    @Option(names = "--nio-threads", defaultValue = "1", description = "Selector threads of the subscribers' client (default: ${DEFAULT-VALUE}).")
    int nioThreads;

    @Option(names = "--time-limit-seconds", defaultValue = "900", description = "Whole-run budget; later phases are skipped to keep it (default: ${DEFAULT-VALUE}).")
    int timeLimitSeconds;

    @Option(names = "--out", description = "Markdown report (default: bench/target/benchmarks-bridge.md).")
    Path out;

    /** Phase ids, carried in every msgId. */
    static final int WARMUP_GLOBAL = 0;
    static final int WARMUP_REGION = 1;
    static final int FIRST_LATENCY = 2;
    static final int THROUGHPUT = 12;
    static final int OUTAGE = 13;
    /** Steps are FIRST_STEP, FIRST_STEP + 1, ... */
    static final int FIRST_STEP = 20;
    /** Longest wait before a phase for the last one's messages to arrive everywhere. */
    static final int SETTLE_SECONDS = 60;

    private final long startNs = System.nanoTime();
    LocalMesh mesh;
    BridgeTraffic traffic;
    CpuMeter cpu;
    final Map<Integer, BridgeTraffic.Pool> pools = new LinkedHashMap<>();
    List<String> homeChannels;
    List<String> thirdChannels = List.of();

    public static void main(String[] args) {
        System.exit(new CommandLine(new BridgeBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (regions.size() < 2) {
            log("--regions: at least two regions are needed");
            return 2;
        }
        if (out == null) {
            out = LocalMesh.home().resolve("bench/target/benchmarks-bridge.md");
        }
        MachineDescription machine = MachineDescription.current();
        String loadBefore = CpuMeter.loadAverage();
        log("machine: " + machine.cpus() + " CPUs, " + machine.cpuModel() + "; load average " + loadBefore);
        String home = regions.get(0);
        homeChannels = channelNames("bench-home-");
        List<String> homes = new ArrayList<>(List.of("--homes=bench-home-*=" + home));
        if (regions.size() >= 3) {
            thirdChannels = channelNames("bench-third-");
            homes.set(0, homes.get(0) + ",bench-third-*=" + regions.get(2));
        }
        List<String> flags = new ArrayList<>(homes);
        flags.addAll(List.of("--limits.rate-per-second=1000000", "--limits.rate-burst=1000000"));
        if (edgeWarmupIterations != null) {
            flags.add("--warmup-iterations=" + edgeWarmupIterations);
        }
        flags.addAll(edgeFlags);

        String secret = LocalMesh.randomSecret();
        String token = new Tokens(secret).mintAll("bench", Duration.ofHours(2));
        MeshPlan plan;
        try {
            plan = MeshPlan.builder().regions(regions).nodesPerRegion(nodes).bridgesPerRegion(bridges)
                    .basePort(basePort).wanProxies(wanDelayMs).build();
        } catch (IllegalArgumentException e) {
            log(e.getMessage());
            return 2;
        }
        Path dir = LocalMesh.home().resolve(".mesh/bench-bridge");
        mesh = LocalMesh.builder().plan(plan).secret(secret).logDir(dir.resolve("logs")).tlsDir(dir.resolve("tls"))
                .jvmOptions(jvmOptions(nodeHeap, nodeJavaOpts))
                .bridgeJvmOptions(jvmOptions(bridgeHeap, bridgeJavaOpts))
                .extraFlags(flags).bridgeFlags(bridgeFlags).build();
        Runtime.getRuntime().addShutdownHook(new Thread(mesh::close, "bench-mesh-stop"));
        BridgeReport report = new BridgeReport(this, machine, plan);
        try {
            log("starting " + plan.nodes().size() + " edge nodes, " + plan.bridges().size() + " bridge replicas and "
                    + plan.wanLinks().size() + " WAN proxies (" + wanDelayMs + " ms each way) on ports " + basePort
                    + ".. (logs " + dir.resolve("logs") + ")");
            long meshNs = System.nanoTime();
            try {
                mesh.start();
            } catch (IllegalStateException e) {
                log("cannot start the bench mesh: " + e.getMessage());
                return 1;
            }
            report.meshStartSeconds = (System.nanoTime() - meshNs) / 1e9;
            log(String.format(Locale.ROOT, "mesh linked in %.1f s", report.meshStartSeconds));
            Map<String, Long> pids = new LinkedHashMap<>();
            mesh.nodes().forEach(n -> pids.put("edge " + n.nodeId(), n.pid()));
            mesh.bridges().forEach(b -> pids.put("bridge " + b.replicaId(), b.pid()));
            pids.put("bench", ProcessHandle.current().pid());
            cpu = new CpuMeter(pids);

            traffic = new BridgeTraffic(token, payloadBytes, nioThreads);
            List<String> all = new ArrayList<>(homeChannels);
            all.addAll(thirdChannels);
            for (int r = 0; r < regions.size(); r++) {
                traffic.subscribe(r, firstNode(r).wsUrl(), all);
            }
            pools.put(0, traffic.pool(0, firstNode(0).wsUrl(), publishers));
            pools.put(1, traffic.pool(1, firstNode(1).wsUrl(), publishers));
            if (regions.size() >= 3) {
                pools.put(2, traffic.pool(2, firstNode(2).wsUrl(), Math.max(4, publishers / 4)));
            }
            log("subscribers: one per region on " + all.size() + " channels; publishers: " + publishers + " in "
                    + home + " and in " + regions.get(1));

            if (idleSeconds > 0) {
                CpuMeter.Snapshot idle = cpu.snapshot();
                Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
                report.idle = cpu.since(idle);
                log(String.format(Locale.ROOT, "idle: edge nodes %.1f %%, bridges %.1f %% of one core in all",
                        report.idle.sum("edge"), report.idle.sum("bridge")));
            }
            if (warmupSeconds > 0) {
                log("warm-up: " + warmupSeconds + " s at " + rate + " msg/s, global then region (not recorded)");
                double homeRate = rate * (1 - remoteShare);
                double remote = rate * remoteShare;
                runRate(WARMUP_GLOBAL, "warm-up", "global", homeRate, remote, Math.max(1, warmupSeconds / 2));
                runRate(WARMUP_REGION, "warm-up", "region", homeRate, remote, Math.max(1, warmupSeconds - warmupSeconds / 2));
            }
            List<Run> runs = new ArrayList<>();
            int id = FIRST_LATENCY;
            for (String durability : durabilities) {
                if (budgetLeft() < seconds + drainSeconds + 30) {
                    report.notes.add("latency phase " + durability + " skipped: time budget");
                    continue;
                }
                log("latency, " + durability + ": " + rate + " msg/s for " + seconds + " s");
                runs.add(runRate(id++, "latency", durability, rate * (1 - remoteShare), rate * remoteShare,
                        seconds));
            }
            if (targetRate > 0) {
                List<Double> steps = stepRates != null ? stepRates
                        : List.of(250.0, 500.0, 1000.0, 2000.0, targetRate).stream().filter(r -> r <= targetRate)
                        .distinct().toList();
                int stepId = FIRST_STEP;
                for (double stepRate : steps) {
                    if (budgetLeft() < stepSeconds + drainSeconds + SETTLE_SECONDS + 40) {
                        report.notes.add("steps from " + stepRate + " msg/s skipped: time budget");
                        break;
                    }
                    log("step: " + stepRate + " msg/s in " + home + " (region durability) for " + stepSeconds + " s");
                    Run run = runRate(stepId++, "step", "region", stepRate, 0, stepSeconds);
                    runs.add(run);
                    String stop = stepStop(run, stepRate);
                    if (stop != null) {
                        report.stepStop = stop;
                        log("  stepping stopped: " + stop);
                        break;
                    }
                }
            }
            if (throughputSeconds > 0 && budgetLeft() >= throughputSeconds + drainSeconds + 40) {
                log("throughput: closed loop on " + publishers + " connections in " + home + " for "
                        + throughputSeconds + " s");
                runs.add(runClosedLoop(THROUGHPUT, throughputSeconds));
            }
            if (idleSeconds > 0) {
                settle(SETTLE_SECONDS);
                CpuMeter.Snapshot idle = cpu.snapshot();
                Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
                report.idleAfter = cpu.since(idle);
                log(String.format(Locale.ROOT, "idle again: edge nodes %.1f %%, bridges %.1f %% of one core in all",
                        report.idleAfter.sum("edge"), report.idleAfter.sum("bridge")));
            }
            if (!skipOutage && outageSeconds > 0) {
                int need = outageSeconds + catchupLimitSeconds + drainSeconds + 30;
                settle(SETTLE_SECONDS);
                if (budgetLeft() < need) {
                    report.notes.add("outage skipped: " + budgetLeft() + " s of budget left, it needs up to " + need);
                } else {
                    report.outage = new BridgeOutage(this, plan).run(OUTAGE, outageRate == null ? rate : outageRate,
                            outageLiveRate, outageSeconds, catchupLimitSeconds);
                }
            }
            settle(30);
            runs.forEach(run -> report.phases.add(collect(run)));
            report.totalSeconds = (System.nanoTime() - startNs) / 1e9;
            report.loadBefore = loadBefore;
            report.loadAfter = CpuMeter.loadAverage();
            String text = report.render();
            Files.createDirectories(out.getParent());
            Files.writeString(out, text);
            System.out.println();
            System.out.println(text);
            log("report written to " + out);
            return 0;
        } finally {
            log("stopping the bench mesh");
            if (traffic != null) {
                traffic.close();
            }
            mesh.close();
            log(String.format(Locale.ROOT, "done in %.0f s", (System.nanoTime() - startNs) / 1e9));
        }
    }

    private static List<String> jvmOptions(String heap, String extra) {
        List<String> options = new ArrayList<>(List.of("-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError",
                "-Dhazelcast.phone.home.enabled=false"));
        for (String option : extra.trim().split("\\s+")) {
            if (!option.isEmpty()) {
                options.add(option);
            }
        }
        return options;
    }

    private List<String> channelNames(String prefix) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < channels; i++) {
            names.add(prefix + i);
        }
        return names;
    }

    EdgeProcess firstNode(int region) {
        String name = regions.get(region);
        return mesh.nodes().stream().filter(n -> n.region().equals(name)).findFirst().orElseThrow();
    }

    RegionBridgeProcess holder(int region) {
        String name = regions.get(region);
        List<RegionBridgeProcess> replicas = mesh.bridges().stream().filter(b -> b.region().equals(name)).toList();
        for (RegionBridgeProcess b : replicas) {
            try {
                if ("holder".equals(b.role())) {
                    return b;
                }
            } catch (RuntimeException e) {
                // not answering: try the next
            }
        }
        return replicas.getFirst();
    }

    long budgetLeft() {
        return timeLimitSeconds - TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs);
    }

    /** A phase as it ran; its receipts are counted at the end of the run ({@link #collect}), late ones included. */
    record Run(int phase, String name, String durability, Map<Integer, Double> offered, double publishSeconds,
               long beginNs, long drainMs, Map<Integer, Long> waited, CpuMeter.Usage usage, long settleMs,
               boolean complete) {
    }

    /** Every (phase, publishing region) published so far, for {@link #settle}. */
    final List<int[]> published = new ArrayList<>();

    /**
     * Before a phase: waits, at most {@code maxSeconds}, until every subscriber holds every message acked in the
     * phases before, so that a phase does not queue behind the last one's backlog. Returns how long it waited.
     */
    long settle(int maxSeconds) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadlineNs = t0 + TimeUnit.SECONDS.toNanos(maxSeconds);
        while (System.nanoTime() < deadlineNs && !published.stream().allMatch(pp -> allReceived(pp[0], List.of(pp[1])))) {
            Thread.sleep(50);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (ms > 1000) {
            log(String.format(Locale.ROOT, "  waited %.1f s for the last phase's messages to arrive everywhere%s",
                    ms / 1000.0, System.nanoTime() >= deadlineNs ? " (gave up: some are still missing)" : ""));
        }
        return ms;
    }

    BridgeReport.Phase collect(Run run) {
        return BridgeReport.Phase.collect(this, run.phase(), run.name(), run.durability(), run.offered(),
                run.publishSeconds(), run.beginNs(), run.drainMs(), run.waited(), run.usage(), run.settleMs(),
                run.complete());
    }

    /**
     * A fixed-rate phase: {@code homeRate} msg/s from the home region's pool and {@code remoteRate} from the second
     * region's, open loop on the home channels, then a drain until every subscriber holds every acked message.
     */
    Run runRate(int phase, String name, String durability, double homeRate, double remoteRate, int publishSeconds)
            throws InterruptedException {
        long settleMs = settle(SETTLE_SECONDS);
        CpuMeter.Snapshot before = cpu.snapshot();
        long beginNs = System.nanoTime();
        Map<Integer, Double> offered = new LinkedHashMap<>();
        List<Thread> threads = new ArrayList<>();
        Map<Integer, Long> waitedBefore = new LinkedHashMap<>();
        double[] rates = {homeRate, remoteRate};
        for (int pub = 0; pub < 2; pub++) {
            if (rates[pub] <= 0) {
                continue;
            }
            BridgeTraffic.Pool pool = pools.get(pub);
            double r = rates[pub];
            offered.put(pub, r);
            published.add(new int[] {phase, pub});
            waitedBefore.put(pub, pool.waitedForConnection.sum());
            AtomicLong seqs = new AtomicLong();
            threads.add(Thread.ofPlatform().name("publish-" + phase + "-" + pub).start(() -> {
                try {
                    pool.openLoop(phase, r, Duration.ofSeconds(publishSeconds), homeChannels, durability, seqs,
                            () -> false);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(publishSeconds + 15));
        }
        long publishedNs = System.nanoTime();
        long drainMs = drain(phase, offered.keySet());
        CpuMeter.Usage usage = cpu.since(before);
        Map<Integer, Long> waited = new LinkedHashMap<>();
        waitedBefore.forEach((pub, w) -> waited.put(pub, pools.get(pub).waitedForConnection.sum() - w));
        Run run = new Run(phase, name, durability, offered, (publishedNs - beginNs) / 1e9, beginNs, drainMs, waited,
                usage, settleMs, allReceived(phase, offered.keySet()));
        if (phase >= FIRST_LATENCY) {
            log(collect(run).summary());
        }
        return run;
    }

    /** Why stepping stops after {@code run}, or null to go on: the remote regions fell behind or publishing did. */
    String stepStop(Run run, double stepRate) {
        BridgeReport.Phase p = collect(run);
        BridgeReport.Ack ack = p.acks().getFirst();
        if (ack.sentRate() < 0.9 * stepRate) {
            return String.format(Locale.ROOT, "the home region took %.0f msg/s of the %.0f offered", ack.sentRate(),
                    stepRate);
        }
        for (BridgeReport.Path path : p.paths()) {
            if (path.lost() > 0) {
                return String.format(Locale.ROOT, "at %.0f msg/s %s still lacked %d messages %d s after publishing "
                        + "ended", stepRate, regions.get(path.sub()), path.lost(), drainSeconds);
            }
        }
        return null;
    }

    /** Closed loop in the home region, region durability: as fast as the publisher connections are answered. */
    Run runClosedLoop(int phase, int publishSeconds) throws InterruptedException {
        long settleMs = settle(SETTLE_SECONDS);
        CpuMeter.Snapshot before = cpu.snapshot();
        long beginNs = System.nanoTime();
        BridgeTraffic.Pool pool = pools.get(0);
        published.add(new int[] {phase, 0});
        AtomicLong seqs = new AtomicLong();
        pool.closedLoop(phase, Duration.ofSeconds(publishSeconds), homeChannels, "region", seqs);
        long publishedNs = System.nanoTime();
        long drainMs = drain(phase, List.of(0));
        CpuMeter.Usage usage = cpu.since(before);
        Run run = new Run(phase, "throughput", "region", Map.of(0, Double.NaN), (publishedNs - beginNs) / 1e9,
                beginNs, drainMs, Map.of(0, 0L), usage, settleMs, allReceived(phase, List.of(0)));
        log(collect(run).summary());
        return run;
    }

    /**
     * After publishing: waits until every pool has its answers and every subscriber holds every acked message of
     * {@code phase} from {@code pubs}, at most {@code --drain-seconds}. Returns how long it took.
     */
    long drain(int phase, Iterable<Integer> pubs) throws InterruptedException {
        return drain(phase, pubs, drainSeconds);
    }

    long drain(int phase, Iterable<Integer> pubs, int seconds) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadlineNs = t0 + TimeUnit.SECONDS.toNanos(seconds);
        for (int pub : pubs) {
            pools.get(pub).awaitIdle(Duration.ofNanos(Math.max(0, deadlineNs - System.nanoTime())));
        }
        while (System.nanoTime() < deadlineNs && !allReceived(phase, pubs)) {
            Thread.sleep(20);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    boolean allReceived(int phase, Iterable<Integer> pubs) {
        for (int pub : pubs) {
            BitSet acked = seen(phase, pub, BridgeTraffic.ACK);
            for (int sub = 0; sub < regions.size(); sub++) {
                BitSet missing = (BitSet) acked.clone();
                missing.andNot(seen(phase, pub, sub));
                if (!missing.isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }

    BitSet seen(int phase, int pub, int sub) {
        BridgeTraffic.Samples s = traffic.existing(new BridgeTraffic.Key(phase, pub, sub));
        return s == null ? new BitSet() : s.seen();
    }

    static void log(String line) {
        System.err.println("[bridge] " + line);
    }
}
