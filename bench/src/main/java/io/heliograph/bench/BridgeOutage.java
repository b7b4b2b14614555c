package io.heliograph.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.heliograph.launcher.MeshPlan;
import io.heliograph.launcher.RegionBridgeProcess;
import io.heliograph.launcher.net.TcpProxy;

/**
 * The outage phase of {@code ./mesh bench bridge}: the home region publishes at a live rate (region durability, so
 * publishes go on being answered while the link is down), and so does the third region on channels of its own; the
 * WAN proxies between the home and the second region are cut both ways for {@code --outage-seconds}, then restored.
 * Measured: how long until the second region's bridge link streams again, how long until its subscriber holds every
 * message acked before the restore (the backlog), the catch-up rate, the latency of the traffic that was not cut off
 * (home and third region subscribers, and the third region's messages into the second) while the backlog drains,
 * and whether any message was lost or doubled (msgIds counted per subscriber).
 */
final class BridgeOutage {

    private static final int PRE_SECONDS = 5;
    private static final int POST_SECONDS = 5;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** Receipt-time windows of the phase. */
    static final List<String> WINDOWS = List.of("before the cut", "link cut", "catch-up", "after catch-up");

    /** One row of the latency-by-window table. */
    record WindowRow(int pub, int sub, String window, BridgeTraffic.Stats stats) {
    }

    /** What the phase measured. */
    record Result(int outageSeconds, double homeRate, double liveRate, long backlog, double linkedAfterMs,
                  double caughtUpAfterMs, double catchupRate, int peakPerSecond, List<Integer> perSecond,
                  List<WindowRow> windows, List<BridgeReport.Path> loss, Map<String, Double> metricsAtCut,
                  Map<String, Double> metricsAtRestore, Map<String, Double> metricsAtEnd, CpuMeter.Usage cpu,
                  List<String> notes) {
    }

    private final BridgeBench bench;
    private final MeshPlan plan;

    BridgeOutage(BridgeBench bench, MeshPlan plan) {
        this.bench = bench;
        this.plan = plan;
    }

    Result run(int phase, double homeRate, double liveRate, int outageSeconds, int catchupLimitSeconds)
            throws InterruptedException {
        String a = bench.regions.get(0);
        String b = bench.regions.get(1);
        boolean third = bench.regions.size() >= 3 && liveRate > 0;
        List<TcpProxy> link = new ArrayList<>();
        for (MeshPlan.WanLinkSpec l : plan.wanLinks()) {
            if (l.fromRegion().equals(a) && l.toRegion().equals(b) || l.fromRegion().equals(b) && l.toRegion().equals(a)) {
                link.add(bench.mesh.proxy(l.fromRegion(), l.toReplicaId()));
            }
        }
        RegionBridgeProcess bridgeA = bench.holder(0);
        RegionBridgeProcess bridgeB = bench.holder(1);
        List<String> notes = new ArrayList<>();
        BridgeBench.log("outage: " + homeRate + " msg/s in " + a + (third ? " and " + liveRate + " msg/s in "
                + bench.regions.get(2) : "") + " (region durability); " + PRE_SECONDS + " s, then the link " + a
                + " <-> " + b + " is cut (" + link.size() + " proxies) for " + outageSeconds + " s");

        CpuMeter.Snapshot before = bench.cpu.snapshot();
        long beginNs = System.nanoTime();
        AtomicBoolean stop = new AtomicBoolean();
        Duration longest = Duration.ofSeconds(PRE_SECONDS + outageSeconds + catchupLimitSeconds + POST_SECONDS + 5);
        List<Thread> threads = new ArrayList<>();
        bench.published.add(new int[] {phase, 0});
        if (third) {
            bench.published.add(new int[] {phase, 2});
        }
        threads.add(publisher(phase, bench.pools.get(0), homeRate, longest, bench.homeChannels, stop));
        if (third) {
            threads.add(publisher(phase, bench.pools.get(2), liveRate, longest, bench.thirdChannels, stop));
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(PRE_SECONDS));

        Map<String, Double> atCut = metrics(bridgeA, bridgeB, a, b);
        long cutNs = System.nanoTime();
        link.forEach(TcpProxy::cut);
        long untilNs = cutNs + TimeUnit.SECONDS.toNanos(outageSeconds);
        while (System.nanoTime() < untilNs) {
            long left = TimeUnit.NANOSECONDS.toSeconds(untilNs - System.nanoTime());
            Thread.sleep(Math.min(10_000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(untilNs - System.nanoTime()))));
            if (left > 1) {
                BridgeBench.log(String.format(Locale.ROOT, "  cut for %.0f s; %s's link to %s: %s",
                        (System.nanoTime() - cutNs) / 1e9, a, b, linkState(bridgeA, b)));
            }
        }
        Map<String, Double> atRestore = metrics(bridgeA, bridgeB, a, b);
        BitSet target = bench.seen(phase, 0, BridgeTraffic.ACK);
        BitSet missing = (BitSet) target.clone();
        missing.andNot(bench.seen(phase, 0, 1));
        long backlog = missing.cardinality();
        long restoreNs = System.nanoTime();
        link.forEach(TcpProxy::restore);
        BridgeBench.log("  restored; " + b + " lacks " + backlog + " of the " + target.cardinality()
                + " messages acked in " + a + " so far");

        long linkedNs = -1;
        long caughtNs = -1;
        long deadlineNs = restoreNs + TimeUnit.SECONDS.toNanos(catchupLimitSeconds);
        for (int i = 0; System.nanoTime() < deadlineNs; i++) {
            if (linkedNs < 0 && i % 4 == 0 && "STREAMING".equals(linkState(bridgeA, b))
                    && "STREAMING".equals(linkState(bridgeB, a))) {
                linkedNs = System.nanoTime();
                BridgeBench.log(String.format(Locale.ROOT, "  links %s <-> %s stream again %.1f s after the restore",
                        a, b, (linkedNs - restoreNs) / 1e9));
            }
            BitSet left = (BitSet) target.clone();
            left.andNot(bench.seen(phase, 0, 1));
            if (left.isEmpty()) {
                caughtNs = System.nanoTime();
                break;
            }
            Thread.sleep(50);
        }
        if (caughtNs < 0) {
            notes.add(b + " had not caught up " + catchupLimitSeconds + " s after the restore");
        } else {
            BridgeBench.log(String.format(Locale.ROOT, "  %s holds the backlog %.1f s after the restore", b,
                    (caughtNs - restoreNs) / 1e9));
        }
        if (linkedNs < 0 && caughtNs > 0) {
            linkedNs = caughtNs; // caught up between two looks at /health: the link streamed by then
            notes.add("link state not seen STREAMING before the catch-up completed; reconnect time bounded by it");
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(POST_SECONDS));
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
        List<Integer> pubs = third ? List.of(0, 2) : List.of(0);
        bench.drain(phase, pubs, 30);
        Map<String, Double> atEnd = metrics(bridgeA, bridgeB, a, b);
        long endNs = System.nanoTime();
        CpuMeter.Usage usage = bench.cpu.since(before);

        long catchupEndNs = caughtNs > 0 ? caughtNs : deadlineNs;
        long[] bounds = {beginNs, cutNs, restoreNs, catchupEndNs, endNs};
        List<WindowRow> windows = new ArrayList<>();
        List<BridgeReport.Path> loss = new ArrayList<>();
        for (int pub : pubs) {
            for (int sub = 0; sub < bench.regions.size(); sub++) {
                BridgeTraffic.Samples s = bench.traffic.existing(new BridgeTraffic.Key(phase, pub, sub));
                long[][] raw = s == null ? new long[][] {new long[0], new long[0]} : s.raw();
                for (int w = 0; w < WINDOWS.size(); w++) {
                    windows.add(new WindowRow(pub, sub, WINDOWS.get(w),
                            BridgeReport.statsBetween(raw, bounds[w], bounds[w + 1])));
                }
                loss.add(BridgeReport.Path.of(bench, phase, pub, sub, beginNs));
            }
        }
        List<Integer> perSecond = new ArrayList<>();
        BridgeTraffic.Samples remote = bench.traffic.existing(new BridgeTraffic.Key(phase, 0, 1));
        if (remote != null) {
            long[][] raw = remote.raw();
            long spanNs = Math.max(catchupEndNs - restoreNs, 0) + TimeUnit.SECONDS.toNanos(2);
            int buckets = (int) Math.min(200, spanNs / 1_000_000_000L + 1);
            int[] counts = new int[buckets];
            for (int i = 0; i < raw[0].length; i++) {
                long at = raw[0][i] + raw[1][i] - restoreNs;
                if (at >= 0 && at / 1_000_000_000L < buckets) {
                    counts[(int) (at / 1_000_000_000L)]++;
                }
            }
            for (int c : counts) {
                perSecond.add(c);
            }
        }
        int peak = perSecond.stream().mapToInt(Integer::intValue).max().orElse(0);
        double linkedMs = linkedNs < 0 ? Double.NaN : (linkedNs - restoreNs) / 1e6;
        double caughtMs = caughtNs < 0 ? Double.NaN : (caughtNs - restoreNs) / 1e6;
        double drainS = caughtNs < 0 || linkedNs < 0 ? Double.NaN : Math.max(1e-3, (caughtNs - linkedNs) / 1e9);
        double catchupRate = Double.isNaN(drainS) ? Double.NaN : backlog / drainS;
        if (bench.traffic.closedSubscribers() > 0) {
            notes.add(bench.traffic.closedSubscribers() + " subscriber connection(s) closed by the server");
        }
        return new Result(outageSeconds, homeRate, third ? liveRate : 0, backlog, linkedMs, caughtMs, catchupRate,
                peak, perSecond, windows, loss, atCut, atRestore, atEnd, usage, notes);
    }

    private static Thread publisher(int phase, BridgeTraffic.Pool pool, double rate, Duration longest,
                                    List<String> channels, AtomicBoolean stop) {
        AtomicLong seqs = new AtomicLong();
        return Thread.ofPlatform().name("outage-publish-" + pool.region).start(() -> {
            try {
                pool.openLoop(phase, rate, longest, channels, "region", seqs, stop::get);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static String linkState(RegionBridgeProcess bridge, String peer) {
        try {
            return bridge.linkStates().getOrDefault(peer, "?");
        } catch (RuntimeException e) {
            return "no answer";
        }
    }

    /** The bridge counters the report shows, as the two holders' /metrics give them now. */
    private static Map<String, Double> metrics(RegionBridgeProcess bridgeA, RegionBridgeProcess bridgeB, String a,
                                               String b) {
        Map<String, Double> out = new LinkedHashMap<>();
        String textA = get(bridgeA);
        String textB = get(bridgeB);
        for (String m : List.of("heliograph_bridge_outbound_depth_entries", "heliograph_bridge_frames_sent_total",
                "heliograph_bridge_frames_resent_total", "heliograph_bridge_link_streams_opened_total",
                "heliograph_bridge_link_failed_attempts_total", "heliograph_bridge_outbound_dropped_total")) {
            out.put(a + " " + m.substring("heliograph_bridge_".length()) + " to " + b, metric(textA, m, b));
        }
        for (String m : List.of("heliograph_bridge_envelopes_applied_total",
                "heliograph_bridge_envelopes_duplicates_total", "heliograph_bridge_envelopes_parked_total",
                "heliograph_bridge_envelopes_park_timeouts_total", "heliograph_bridge_envelopes_gaps_total",
                "heliograph_bridge_envelopes_backfilled_total", "heliograph_bridge_envelopes_unrepaired_gaps_total")) {
            out.put(b + " " + m.substring("heliograph_bridge_".length()), metric(textB, m, null));
        }
        return out;
    }

    private static String get(RegionBridgeProcess bridge) {
        try {
            return HTTP.send(HttpRequest.newBuilder(bridge.httpUrl().resolve("/metrics"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Sum of the samples of {@code name} (with {@code peer="<peer>"} when peer is given); NaN when absent. */
    static double metric(String text, String name, String peer) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (!line.startsWith(name) || line.length() <= name.length()) {
                continue;
            }
            char next = line.charAt(name.length());
            if (next != '{' && next != ' ') {
                continue;
            }
            if (peer != null && !line.contains("peer=\"" + peer + "\"")) {
                continue;
            }
            try {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            } catch (NumberFormatException e) {
                // not a sample line
            }
        }
        return found ? sum : Double.NaN;
    }
}
