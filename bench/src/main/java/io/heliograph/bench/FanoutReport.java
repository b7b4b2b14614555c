package io.heliograph.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The Markdown report of a fan-out run: the headline figures first (what docs/benchmarks.md tracks against the
 * targets), then the machine, the setup and every step.
 */
final class FanoutReport {

    /** The range of delivery rates over which the CPU-per-delivery target is stated. */
    static final double TARGET_RANGE_LOW = 20_000;
    static final double TARGET_RANGE_HIGH = 80_000;

    private final String nodeHeap;
    private final int subscribers;
    private final int publishers;
    private final int payloadBytes;
    private final int stepSeconds;
    private final int drainSeconds;
    private final String loadClient;
    private final Map<String, LongAdder> controlFrames;

    FanoutReport(String nodeHeap, int subscribers, int publishers, int payloadBytes, int stepSeconds,
                 int drainSeconds, String loadClient, Map<String, LongAdder> controlFrames) {
        this.nodeHeap = nodeHeap;
        this.subscribers = subscribers;
        this.publishers = publishers;
        this.payloadBytes = payloadBytes;
        this.stepSeconds = stepSeconds;
        this.drainSeconds = drainSeconds;
        this.loadClient = loadClient;
        this.controlFrames = controlFrames;
    }

    String render(MachineDescription machine, List<FanoutBench.StepResult> steps, IdleResult idle,
                  String stopReason) {
        return render(machine, steps, idle, stopReason, List.of());
    }

    /** @param floor the same rates served by minimal servers ({@link KernelFloor}); empty when not run */
    String render(MachineDescription machine, List<FanoutBench.StepResult> steps, IdleResult idle,
                  String stopReason, List<KernelFloor.Step> floor) {
        StringBuilder md = new StringBuilder();
        md.append("### Fan-out run of ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append("\n\n");
        headline(md, steps, idle, floor);
        md.append("| Machine | |\n|---|---|\n").append(machine.markdown()).append('\n');
        md.append(String.format(Locale.ROOT, "Setup: 2 edge nodes (separate JVMs, -Xmx%s) and this load process on "
                        + "the same machine; %d subscribers on one channel spread over both nodes, %d publishers, "
                        + "%d-byte payloads, %d s per step (+ up to %d s drain). Latency is publish-to-receive in the "
                        + "load process (one clock); load client for subscribers and idle connections: %s. "
                        + "Stepping stopped: %s.%n%n",
                nodeHeap, subscribers, publishers, payloadBytes, stepSeconds, drainSeconds, loadClient, stopReason));
        md.append("| publish msg/s | offered deliveries/s | delivered/s | complete | p50 ms | p99 ms | p99.9 ms "
                + "| max ms | server CPU µs per delivery | server CPU % of machine | load CPU % of machine "
                + "| server drops |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (FanoutBench.StepResult r : steps) {
            md.append(String.format(Locale.ROOT,
                    "| %d | %,d | %,.0f | %.2f%% | %.1f | %.1f | %.1f | %.1f | %.2f | %.0f | %.0f | %d |%n",
                    r.ratePerSecond(), (long) r.ratePerSecond() * subscribers, r.deliveriesPerSecond(),
                    r.completeness() * 100, r.p50Ms(), r.p99Ms(), r.p999Ms(), r.maxMs(), r.cpuSecondsPerMillion(),
                    r.serverCpuPercent(), r.loadCpuPercent(), r.serverDrops()));
        }
        if (idle != null) {
            md.append('\n');
            if (idle.opened() > 0) {
                md.append(String.format(Locale.ROOT, "Idle connections, on freshly started nodes: %,d opened (%,d "
                                + "requested) in %,d ms; server RSS (both nodes) %,d KiB before, %,d KiB after; server "
                                + "CPU over %d s idle, from %d s after the last one was in, %.1f %% of the machine.%n",
                        idle.opened(), idle.requested(), idle.openMillis(), idle.rssBeforeKib(), idle.rssAfterKib(),
                        idle.idleWindowSeconds(), idle.idleSettleSeconds(), idle.idleCpuPercent()));
            }
            if (idle.note() != null) {
                md.append("Idle-connection note: ").append(idle.note()).append(".\n");
            }
            md.append("Open-files limit of the load process: ").append(idle.openFilesLimit()).append(".\n");
        }
        if (!floor.isEmpty()) {
            floorSection(md, steps, floor);
        }
        if (!controlFrames.isEmpty()) {
            md.append("\nOther frames seen by the load process: ").append(new TreeMap<>(
                    controlFrames.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                            e -> e.getValue().sum())))).append(".\n");
        }
        return md.toString();
    }

    /** The figures issue 7 sets targets for, one line each. */
    private static void headline(StringBuilder md, List<FanoutBench.StepResult> steps, IdleResult idle,
                                 List<KernelFloor.Step> floor) {
        md.append("| Headline | |\n|---|---|\n");
        List<FanoutBench.StepResult> inRange = steps.stream()
                .filter(r -> r.deliveriesPerSecond() >= TARGET_RANGE_LOW * 0.95
                        && r.deliveriesPerSecond() <= TARGET_RANGE_HIGH * 1.05)
                .toList();
        md.append("| Server CPU µs per delivery, 20,000–80,000 deliveries/s | ")
                .append(inRange.isEmpty() ? "no step in that range"
                        : inRange.stream().map(r -> String.format(Locale.ROOT, "%.1f at %,.0f/s",
                                r.cpuSecondsPerMillion(), r.deliveriesPerSecond()))
                        .collect(Collectors.joining(", ")))
                .append(" |\n");
        if (!floor.isEmpty()) {
            md.append("| Floor: a minimal server's CPU µs per delivery (one write each, same run; steps it kept up "
                    + "with) | ")
                    .append(floor.stream().filter(f -> f.completeness() >= 0.999).map(f -> String.format(
                            Locale.ROOT, "%.1f at %,.0f/s",
                            f.cpuMicrosPerDelivery(), f.deliveriesPerSecond())).collect(Collectors.joining(", ")))
                    .append(" |\n");
        }
        FanoutBench.StepResult best = bestStep(steps);
        md.append("| Highest rate with p99 ≤ 50 ms, nothing lost | ")
                .append(best == null ? "none"
                        : String.format(Locale.ROOT, "%,.0f deliveries/s (p99 %.1f ms)", best.deliveriesPerSecond(),
                                best.p99Ms()))
                .append(" |\n");
        if (idle != null && idle.opened() > 0) {
            md.append(String.format(Locale.ROOT, "| Memory per idle connection (fresh nodes) | %.1f KiB |%n",
                    idle.kibPerConnection()));
            md.append(String.format(Locale.ROOT, "| Connections per second (%,d at once, token checked) | %,.0f/s "
                    + "(%.1f s for all) |%n", idle.opened(), idle.connectionsPerSecond(), idle.openMillis() / 1000.0));
            md.append(String.format(Locale.ROOT, "| Server CPU with %,d idle connections (heartbeats included) | %.1f "
                    + "%% of the machine |%n", idle.opened(), idle.idleCpuPercent()));
        }
        md.append('\n');
    }

    /**
     * The floor beside the edge steps at the same publish rates: what two minimal servers ({@link FloorServer}) spend
     * per delivery for the same subscribers, and what the edge nodes spend beyond it.
     */
    private void floorSection(StringBuilder md, List<FanoutBench.StepResult> steps, List<KernelFloor.Step> floor) {
        md.append(String.format(Locale.ROOT, "%nFloor, same run: two minimal server processes (`FloorServer`: upgrade, "
                + "then one non-blocking write per subscriber per message from a writer thread per core; no queue, "
                + "no JSON, no sequencing) serving the same %d subscribers on the same load client, after the edge "
                + "nodes stopped. What they spend is what one write per delivery costs on this machine. Where the edge "
                + "nodes spend less, their event loops wrote several queued frames per socket in one call; where "
                + "the floor is below 100%% complete, one write per delivery could not keep up and its figures "
                + "measure its backlog.%n%n",
                subscribers));
        md.append("| publish msg/s | delivered/s | complete | p50 ms | p99 ms | floor CPU µs per delivery "
                + "| edge CPU µs per delivery | edge beyond the floor | floor partial writes |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (KernelFloor.Step f : floor) {
            FanoutBench.StepResult edge = steps.stream().filter(r -> r.ratePerSecond() == f.ratePerSecond())
                    .findFirst().orElse(null);
            md.append(String.format(Locale.ROOT, "| %d | %,.0f | %.2f%% | %.1f | %.1f | %.2f | %s | %s | %d |%n",
                    f.ratePerSecond(), f.deliveriesPerSecond(), f.completeness() * 100, f.p50Ms(), f.p99Ms(),
                    f.cpuMicrosPerDelivery(),
                    edge == null ? "—" : String.format(Locale.ROOT, "%.2f", edge.cpuSecondsPerMillion()),
                    edge == null ? "—" : String.format(Locale.ROOT, "%.2f",
                            edge.cpuSecondsPerMillion() - f.cpuMicrosPerDelivery()),
                    f.partialWrites()));
        }
    }

    /** The step with the highest delivery rate that kept p99 within 50 ms with every delivery made. */
    static FanoutBench.StepResult bestStep(List<FanoutBench.StepResult> steps) {
        return steps.stream().filter(r -> r.p99Ms() <= 50 && r.completeness() >= 0.999)
                .max(Comparator.comparingDouble(FanoutBench.StepResult::deliveriesPerSecond)).orElse(null);
    }
}
