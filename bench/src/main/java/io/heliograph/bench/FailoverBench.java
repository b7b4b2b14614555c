package io.heliograph.bench;

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
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.heliograph.launcher.ControlPlaneProcess;
import io.heliograph.launcher.EdgeProcess;
import io.heliograph.launcher.LocalMesh;
import io.heliograph.launcher.MeshPlan;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mesh bench failover}: regions linked through WAN proxies ({@code --wan-delay-ms} each way) with a control
 * plane; {@code --clients} Java SDK clients spread over the regions, each on one channel (one channel homed in each
 * region), and steady global publishing from every region. Every process of one region is killed with SIGKILL, and
 * the bench prints the time to detection (the control plane says {@code down}), to the homes' move, until every
 * client of that region was connected elsewhere and until each had been handed everything acked before the kill;
 * then, once publishing stopped, the messages lost and the duplicates handed to the application (both must be 0).
 * Figures are printed and written, never asserted.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = "Failover benchmark: kill -9 one region under traffic and time its detection and its clients' "
                + "resumption elsewhere; count lost and duplicated messages.")
public final class FailoverBench implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--regions", split = ",", defaultValue = "us-east,eu-west,ap-south",
            description = "Regions; the first is killed (default: ${DEFAULT-VALUE}).")
    List<String> regions;

    @Option(names = "--wan-delay-ms", defaultValue = "40", description = "One-way delay between regions (default: ${DEFAULT-VALUE}).")
    long wanDelayMs;

    @Option(names = "--clients", defaultValue = "1000", description = "Subscriber clients over all regions (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--connect-parallel", defaultValue = "50", description = "Clients connecting at once at the start (default: ${DEFAULT-VALUE}).")
    int connectParallel;

    @Option(names = "--rate", defaultValue = "3", description = "msg/s of each publishing thread: one per region and channel (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--steady-seconds", defaultValue = "10", description = "Publishing before the kill (default: ${DEFAULT-VALUE}).")
    int steadySeconds;

    @Option(names = "--after-seconds", defaultValue = "15", description = "Publishing after the kill (default: ${DEFAULT-VALUE}).")
    int afterSeconds;

    @Option(names = "--resume-limit-seconds", defaultValue = "60", description = "Longest wait for the killed region's clients (default: ${DEFAULT-VALUE}).")
    int resumeLimitSeconds;

    @Option(names = "--base-port", defaultValue = "14000", description = "First port of the bench mesh (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--node-heap", defaultValue = "512m", description = "-Xmx of each edge node (default: ${DEFAULT-VALUE}).")
    String nodeHeap;

    @Option(names = "--freeze", description = "Freeze the region (SIGSTOP) instead of killing it: its sockets stay "
            + "open, so clients notice only by silence (see --silence-ms); it is thawed at the end.")
    boolean freeze;

    @Option(names = "--silence-ms", defaultValue = "0", description = "The clients' silenceTimeout (0: the edge's "
            + "heartbeat decides, about 37 s) (default: ${DEFAULT-VALUE}).")
    long silenceMs;

    @Option(names = "--control-flag", description = "An extra control-plane flag, repeatable (e.g. --control-flag=--failover.down-after-ms=2000).")
    List<String> controlFlags = new ArrayList<>();

    @Option(names = "--edge-flag", description = "An extra edge-node flag, repeatable.")
    List<String> edgeFlags = new ArrayList<>();

    @Option(names = "--out", description = "Markdown report (default: bench/target/benchmarks-failover.md).")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FailoverBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (regions.size() < 2) {
            log("--regions: at least two regions are needed");
            return 2;
        }
        if (out == null) {
            out = LocalMesh.home().resolve("bench/target/benchmarks-failover.md");
        }
        long benchStartNs = System.nanoTime();
        MachineDescription machine = MachineDescription.current();
        String killed = regions.get(0);
        List<String> channels = regions.stream().map(r -> "fo-" + r).toList();
        List<String> homes = new ArrayList<>();
        for (String region : regions) {
            homes.add("fo-" + region + "=" + region);
        }
        List<String> flags = new ArrayList<>(List.of("--homes=" + String.join(",", homes)));
        flags.addAll(edgeFlags);
        String secret = LocalMesh.randomSecret();
        String adminToken = LocalMesh.randomSecret();
        MeshPlan plan = MeshPlan.builder().regions(regions).nodesPerRegion(1).bridgesPerRegion(1).controlPlanes(1)
                .basePort(basePort).wanProxies(wanDelayMs).build();
        Path dir = LocalMesh.home().resolve(".mesh/bench-failover");
        LocalMesh mesh = LocalMesh.builder().plan(plan).secret(secret).adminToken(adminToken)
                .logDir(dir.resolve("logs")).tlsDir(dir.resolve("tls"))
                .jvmOptions(List.of("-Xmx" + nodeHeap, "-XX:+ExitOnOutOfMemoryError",
                        "-Dhazelcast.phone.home.enabled=false"))
                .extraFlags(flags).controlPlaneFlags(controlFlags).build();
        Runtime.getRuntime().addShutdownHook(new Thread(mesh::close, "bench-mesh-stop"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        FailoverFleet fleet = null;
        try {
            log("starting " + plan.nodes().size() + " edge nodes, " + plan.bridges().size() + " bridges, a control "
                    + "plane and " + plan.wanLinks().size() + " WAN proxies (" + wanDelayMs + " ms each way); logs "
                    + dir.resolve("logs"));
            mesh.start();
            ControlPlaneProcess controlPlane = mesh.controlPlanes().getFirst();
            await(() -> regions.stream().allMatch(r -> "healthy".equals(state(http, controlPlane, r))), 60,
                    "every region healthy");
            List<URI> entries = mesh.nodes().stream().map(EdgeProcess::httpUrl).toList();
            fleet = new FailoverFleet(entries, secret, Duration.ofMillis(silenceMs));
            double connectSeconds = fleet.subscribe(regions, channels, clients, connectParallel);
            log(String.format(Locale.ROOT, "%d clients connected and attached in %.1f s", clients, connectSeconds));
            fleet.publish(regions, channels, rate);
            Thread.sleep(TimeUnit.SECONDS.toMillis(steadySeconds)); // the steady phase's length
            Map<String, Set<String>> ackedBeforeKill = fleet.ackedIds();
            long ackedBefore = ackedBeforeKill.values().stream().mapToLong(Set::size).sum();
            log("steady: " + ackedBefore + " messages acked; " + (freeze ? "freezing" : "killing")
                    + " every process of " + killed);

            fleet.killing(killed);
            long killNs = System.nanoTime();
            if (freeze) {
                mesh.freezeRegion(killed);
            } else {
                mesh.killRegion(killed);
            }
            long detectedNs = 0;
            long movedNs = 0;
            long allReconnectedNs = 0;
            long allCaughtUpNs = 0;
            long limitNs = killNs + TimeUnit.SECONDS.toNanos(resumeLimitSeconds);
            List<FailoverFleet.Subscriber> displaced = fleet.subscribers.stream()
                    .filter(s -> s.region.equals(killed)).toList();
            long stopPublishingNs = killNs + TimeUnit.SECONDS.toNanos(afterSeconds);
            boolean stopped = false;
            while (System.nanoTime() < limitNs) {
                long now = System.nanoTime();
                if (detectedNs == 0 && "down".equals(state(http, controlPlane, killed))) {
                    detectedNs = now;
                    log(String.format(Locale.ROOT, "  %s down after %.2f s", killed, (now - killNs) / 1e9));
                }
                if (movedNs == 0 && movedAway(http, controlPlane, killed)) {
                    movedNs = now;
                    log(String.format(Locale.ROOT, "  %s's homes moved after %.2f s", killed, (now - killNs) / 1e9));
                }
                fleet.markCaughtUp(killed, ackedBeforeKill);
                if (allReconnectedNs == 0 && displaced.stream().allMatch(s -> s.reconnectedNs != 0)) {
                    allReconnectedNs = displaced.stream().mapToLong(s -> s.reconnectedNs).max().orElse(now);
                }
                if (allCaughtUpNs == 0 && displaced.stream().allMatch(s -> s.caughtUpNs != 0)) {
                    allCaughtUpNs = now;
                }
                if (!stopped && now >= stopPublishingNs) {
                    fleet.stopPublishing();
                    stopped = true;
                }
                if (stopped && detectedNs != 0 && movedNs != 0 && allCaughtUpNs != 0) {
                    break;
                }
                Thread.sleep(50); // the measuring resolution
            }
            if (!stopped) {
                fleet.stopPublishing();
            }
            Map<String, Set<String>> everything = fleet.ackedIds();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!fleet.allHold(everything) && System.nanoTime() < deadline) {
                Thread.sleep(100); // waiting for the last deliveries, bounded
            }
            long acked = everything.values().stream().mapToLong(Set::size).sum();
            String report = report(machine, killed, killNs, detectedNs, movedNs, allReconnectedNs, allCaughtUpNs,
                    displaced, fleet, acked, connectSeconds, (System.nanoTime() - benchStartNs) / 1e9);
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
            System.out.println();
            System.out.println(report);
            log("report written to " + out);
            return 0;
        } finally {
            if (fleet != null) {
                fleet.close();
            }
            if (freeze) {
                try {
                    mesh.thawRegion(regions.get(0));
                } catch (RuntimeException e) {
                    log("thawing failed: " + e.getMessage());
                }
            }
            mesh.close();
            http.shutdownNow();
        }
    }

    private String report(MachineDescription machine, String killed, long killNs, long detectedNs, long movedNs,
                          long allReconnectedNs, long allCaughtUpNs, List<FailoverFleet.Subscriber> displaced,
                          FailoverFleet fleet, long acked, double connectSeconds, double totalSeconds) {
        StringBuilder out = new StringBuilder("## Failover (`./mesh bench failover`)\n\n");
        out.append(machine.markdown()).append('\n');
        out.append(String.format(Locale.ROOT, "%d regions (%s), WAN %d ms each way, %d clients (%d in %s), "
                        + "%d publishing threads at %.1f msg/s, global durability; %s %s (edge node and bridge); "
                        + "clients' silenceTimeout %s.%n%n", regions.size(), String.join(", ", regions), wanDelayMs,
                clients, displaced.size(), killed, regions.size() * regions.size(), rate, killed,
                freeze ? "frozen with SIGSTOP" : "killed with SIGKILL",
                silenceMs > 0 ? silenceMs + " ms" : "off (the edge's heartbeat)"));
        out.append("| figure | value | target |\n|---|---|---|\n");
        out.append("| time to detection (`down` in /v1/regions) | ").append(seconds(detectedNs, killNs))
                .append(" | < 3 s |\n");
        out.append("| time until its homes moved (epoch + 1) | ").append(seconds(movedNs, killNs)).append(" | |\n");
        out.append("| time until every client of ").append(killed).append(" was connected elsewhere | ")
                .append(seconds(allReconnectedNs, killNs)).append(" | < 5 s |\n");
        out.append("| loss noticed by the client, min / p50 / p99 | ")
                .append(percentiles(displaced.stream().mapToLong(s -> s.lostNs).toArray(), killNs)).append(" | |\n");
        out.append("| connected elsewhere, min / p50 / p99 | ")
                .append(percentiles(displaced.stream().mapToLong(s -> s.reconnectedNs).toArray(), killNs))
                .append(" | |\n");
        out.append("| time until each had every message acked before the kill, max | ")
                .append(seconds(allCaughtUpNs, killNs)).append(" | |\n");
        out.append("| caught up, min / p50 / p99 | ")
                .append(percentiles(displaced.stream().mapToLong(s -> s.caughtUpNs).toArray(), killNs))
                .append(" | |\n");
        out.append("| messages acked in all | ").append(acked).append(" | |\n");
        out.append("| acked messages lost (summed over subscribers) | ").append(fleet.lost()).append(" | 0 |\n");
        out.append("| duplicates handed to the application | ").append(fleet.duplicates()).append(" | 0 |\n");
        out.append("| subscribers whose order differs from their channel's first | ").append(fleet.orderMismatches())
                .append(" | 0 |\n");
        out.append("| continuity losses (410) | ").append(fleet.continuityLosses()).append(" | 0 |\n");
        out.append("| errors surfaced to the application | ").append(fleet.errors.size()).append(" | 0 |\n");
        out.append(String.format(Locale.ROOT, "| clients connected and attached at the start | %.1f s | |%n",
                connectSeconds));
        out.append(String.format(Locale.ROOT, "%nWhole run %.0f s.%n", totalSeconds));
        if (!fleet.errors.isEmpty()) {
            out.append("\nFirst error: `").append(fleet.errors.getFirst()).append("`\n");
        }
        return out.toString();
    }

    private static String seconds(long atNs, long fromNs) {
        return atNs == 0 ? "not reached" : String.format(Locale.ROOT, "%.2f s", (atNs - fromNs) / 1e9);
    }

    /** min / p50 / p99 of the times reached (0: not reached), from {@code fromNs}, and how many reached it. */
    private static String percentiles(long[] atNs, long fromNs) {
        List<Long> times = java.util.Arrays.stream(atNs).filter(t -> t != 0).map(t -> t - fromNs).sorted().boxed()
                .toList();
        if (times.isEmpty()) {
            return "none";
        }
        return String.format(Locale.ROOT, "%.2f / %.2f / %.2f s (%d of %d)", times.getFirst() / 1e9,
                times.get(times.size() / 2) / 1e9,
                times.get(Math.min(times.size() - 1, (int) Math.ceil(times.size() * 0.99) - 1)) / 1e9, times.size(),
                atNs.length);
    }

    private static String state(HttpClient http, ControlPlaneProcess controlPlane, String region) {
        JsonNode entry = regionEntry(http, controlPlane, region);
        return entry == null ? "" : entry.path("state").asText();
    }

    /** Whether another region now homes {@code region}'s base channels. */
    private static boolean movedAway(HttpClient http, ControlPlaneProcess controlPlane, String region) {
        JsonNode regions = get(http, controlPlane.httpUrl().resolve("/v1/regions"));
        if (regions == null) {
            return false;
        }
        for (JsonNode entry : regions.path("regions")) {
            if (!entry.path("name").asText().equals(region) && entry.path("epochs").has(region)) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode regionEntry(HttpClient http, ControlPlaneProcess controlPlane, String region) {
        JsonNode regions = get(http, controlPlane.httpUrl().resolve("/v1/regions"));
        if (regions != null) {
            for (JsonNode entry : regions.path("regions")) {
                if (entry.path("name").asText().equals(region)) {
                    return entry;
                }
            }
        }
        return null;
    }

    private static JsonNode get(HttpClient http, URI uri) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, int seconds, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + seconds + " s: " + what);
            }
            Thread.sleep(100);
        }
    }

    private static void log(String line) {
        System.err.println("bench failover: " + line);
    }
}
