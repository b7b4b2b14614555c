package io.heliograph.edge.observe;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.helidon.metrics.providers.micrometer.MicrometerPrometheusFormatter;
import io.helidon.service.registry.Services;
import io.helidon.webserver.observe.metrics.MetricsObserver;

import io.heliograph.edge.delivery.DeliveryMetrics;

/**
 * Every counter of a node, kept in Helidon's meter registry and served in the Prometheus text format at
 * {@code GET /metrics} by Helidon's metrics observer. Names and labels are documented in docs/operations.md; every
 * refusal and every drop has a counter here.
 *
 * <p>Helidon 4.5 has one registry per JVM (every {@code MeterRegistry} it creates delegates to Micrometer's global
 * one), while tests run several nodes in one JVM; so every meter carries the tag {@code node=<node id>}, the
 * accessors and {@link #render()} read this node's meters only, and {@link #close()} removes them.
 */
public final class EdgeMetrics implements DeliveryMetrics {

    /** Why a connection ended: the {@code reason} label of {@code heliograph_disconnects_total}. */
    public enum DisconnectReason {
        CLIENT, HEARTBEAT, TOKEN_EXPIRED, SLOW_CONSUMER, ABUSE, FRAME_TOO_LARGE, INVALID_PAYLOAD, SHUTDOWN, ERROR;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Drop reasons exported with 0 from the start, so that dashboards see them before the first drop. */
    private static final List<String> KNOWN_DROP_REASONS =
            List.of("slow_consumer", "connection_closed", "no_local_subscribers", "gap_unrecoverable",
                    "presence_replication");
    /** Causes of {@code heliograph_region_unavailable_total}, exported with 0 from the start. */
    private static final List<String> KNOWN_UNAVAILABLE_CAUSES =
            List.of("indeterminate", "timeout", "shutting_down", "other");
    private static final Duration[] PUBLISH_ACK_BUCKETS = seconds(
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);
    private static final Duration[] CONNECTION_BUCKETS = seconds(
            1, 10, 60, 300, 900, 3600, 4 * 3600, 24 * 3600);

    private final MeterRegistry registry;
    private final String nodeId;
    private final Tag nodeTag;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final Map<String, LongAdder> openConnections = new ConcurrentHashMap<>();
    private final Map<String, Counter> connectionsTotal = new ConcurrentHashMap<>();
    private final Map<DisconnectReason, Counter> disconnects = new ConcurrentHashMap<>();
    private final Map<Integer, Counter> errors = new ConcurrentHashMap<>();
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
    private final Map<String, Counter> requestQueueRefusals = new ConcurrentHashMap<>();
    private final Map<String, Counter> inputRefusals = new ConcurrentHashMap<>();
    private final Counter fragmentsIn;
    private final Counter inputDiscardedBytes;
    private final Map<String, Counter> regionUnavailable = new ConcurrentHashMap<>();
    private final Map<String, Counter> departedNodeCleanups = new ConcurrentHashMap<>();
    private final Map<String, Counter> splitBrainMerges = new ConcurrentHashMap<>();
    private final Map<String, Counter> forwardedPublishes = new ConcurrentHashMap<>();
    private final Map<String, Timer> forwardLatency = new ConcurrentHashMap<>();
    private final Counter framesIn;
    private final Counter messagesIn;
    private final Counter messagesOut;
    private final Counter fencedAppends;
    private final Counter pausedAppends;
    private final Counter pauseFences;
    private final Counter duplicatePublishes;
    private final Counter gapsFilled;
    private final Counter repairRetries;
    private final Counter repairFailures;
    private final Timer publishAck;
    private final Timer connectionDuration;
    private volatile LongSupplier channelsWithSubscribers = () -> 0;
    private volatile LongSupplier regionMembers = () -> 0;

    /** Registers this node's meters, tagged {@code node=<nodeId>}, in Helidon's registry. */
    public EdgeMetrics(String nodeId) {
        this.registry = Services.get(MeterRegistry.class);
        this.nodeId = nodeId;
        this.nodeTag = Tag.create("node", nodeId);
        for (DisconnectReason reason : DisconnectReason.values()) {
            disconnects.put(reason, counter("heliograph_disconnects_total", "Client disconnects by reason.",
                    Tag.create("reason", reason.label())));
        }
        KNOWN_DROP_REASONS.forEach(this::dropCounter);
        for (String limit : List.of("requests", "bytes")) {
            requestQueueRefusals.put(limit, counter("heliograph_request_queue_refusals_total",
                    "Requests refused (429) because the connection's waiting requests reached a bound.",
                    Tag.create("limit", limit)));
        }
        for (String reason : List.of("frame_too_large", "too_many_fragments", "invalid_utf8", "protocol_error",
                "bad_handshake", "handshake_timeout")) {
            inputRefusals.put(reason, counter("heliograph_input_refusals_total",
                    "Client input refused at the WebSocket handshake or framing level (the connection is closed), by reason.",
                    Tag.create("reason", reason)));
        }
        fragmentsIn = counter("heliograph_fragments_in_total",
                "Frames received that were fragments of a message sent in several frames.");
        inputDiscardedBytes = counter("heliograph_input_discarded_bytes_total",
                "Bytes read and dropped after refusing a client's input, while the close handshake completed.");
        KNOWN_UNAVAILABLE_CAUSES.forEach(cause -> regionUnavailable.computeIfAbsent(cause, c -> counter(
                "heliograph_region_unavailable_total", "Calls on region storage answered 503, by cause.",
                Tag.create("cause", c))));
        List.of("done", "failed", "gave_up", "reconciled").forEach(this::departedNodeCleanupCounter);
        List.of("rejoined", "absorbed").forEach(this::splitBrainMergeCounter);
        framesIn = counter("heliograph_frames_in_total", "Frames received from clients.");
        messagesIn = counter("heliograph_messages_in_total",
                "Messages published by clients on this node (WebSocket and HTTP).");
        messagesOut = counter("heliograph_messages_out_total", "Message frames queued to local subscribers.");
        duplicatePublishes = counter("heliograph_publish_duplicates_total",
                "Publishes answered from the idempotency window.");
        gapsFilled = counter("heliograph_gaps_filled_total", "Out-of-order gaps filled from history.");
        fencedAppends = counter("heliograph_epoch_fenced_total",
                "Appends refused because the channel's home had moved to a higher epoch (answered 503).",
                Tag.create("operation", "append"));
        pausedAppends = counter("heliograph_epoch_fenced_total",
                "Appends refused because this node was paused and the control plane has not yet confirmed its mesh "
                        + "table (answered 503).", Tag.create("operation", "paused"));
        pauseFences = counter("heliograph_pause_fences_total",
                "Pauses of this node long enough to close its sequencing gate until the control plane confirms its "
                        + "mesh table.");
        repairRetries = counter("heliograph_stream_repair_retries_total",
                "History reads of a stream repair (catch-up, gap, lost fan-out) that failed and were retried.");
        repairFailures = counter("heliograph_stream_repair_failures_total",
                "Stream repairs given up after repeated failures; their subscribers were closed to resume.");
        publishAck = register(Timer.builder("heliograph_publish_ack_seconds")
                .description("Time from receiving a publish to acking it (durable).")
                .percentiles(new double[0])
                .buckets(PUBLISH_ACK_BUCKETS));
        connectionDuration = register(Timer.builder("heliograph_connection_duration_seconds")
                .description("How long client connections lasted.")
                .percentiles(new double[0])
                .buckets(CONNECTION_BUCKETS));
        register(Gauge.builder("heliograph_channels_with_subscribers", () -> channelsWithSubscribers.getAsLong())
                .description("Channels with subscribers on this node."));
        register(Gauge.builder("heliograph_region_members", () -> regionMembers.getAsLong())
                .description("Edge nodes in this node's region cluster."));
    }

    /** Helidon's metrics observer serving the registry at {@code <observe endpoint>/metrics}. */
    public MetricsObserver observer() {
        return MetricsObserver.builder()
                .endpoint("metrics")
                .meterRegistry(registry)
                .build();
    }

    public void connectionOpened(String transport) {
        openGauge(transport).increment();
        connectionsTotal.computeIfAbsent(transport, t -> counter("heliograph_connections_total",
                "Client connections accepted by transport.", Tag.create("transport", t))).increment();
    }

    public void connectionClosed(String transport, DisconnectReason reason, long durationMs) {
        openGauge(transport).decrement();
        disconnects.get(reason).increment();
        connectionDuration.record(Math.max(0, durationMs), TimeUnit.MILLISECONDS);
    }

    public long openConnections(String transport) {
        LongAdder a = openConnections.get(transport);
        return a == null ? 0 : a.sum();
    }

    public void frameIn() {
        framesIn.increment();
    }

    public void messageIn() {
        messagesIn.increment();
    }

    public void published(long ackNanos, boolean duplicate) {
        if (duplicate) {
            duplicatePublishes.increment();
        }
        publishAck.record(ackNanos, TimeUnit.NANOSECONDS);
    }

    /** A request refused because its connection's queue is full; {@code limit} is "requests" or "bytes". */
    public void requestQueueFull(String limit) {
        requestQueueRefusals.get(limit).increment();
    }

    public void fragmentIn() {
        fragmentsIn.increment();
    }

    /** Input refused at the framing level; {@code reason} is one of the labels registered above. */
    public void inputRefused(String reason) {
        inputRefusals.get(reason).increment();
    }

    public void inputDiscarded(long bytes) {
        inputDiscardedBytes.increment(bytes);
    }

    public void error(int code) {
        errors.computeIfAbsent(code, c -> counter("heliograph_errors_total", "Error answers by protocol code.",
                Tag.create("code", Integer.toString(c)))).increment();
    }

    public long errors(int code) {
        Counter c = errors.get(code);
        return c == null ? 0 : c.count();
    }

    /** A call on region storage answered 503, by cause ({@code indeterminate}, {@code timeout}, ...). */
    public void regionUnavailable(String cause) {
        regionUnavailable.computeIfAbsent(cause, c -> counter("heliograph_region_unavailable_total",
                "Calls on region storage answered 503, by cause.", Tag.create("cause", c))).increment();
    }

    public long regionUnavailableCount(String cause) {
        Counter c = regionUnavailable.get(cause);
        return c == null ? 0 : c.count();
    }

    /**
     * The clean-up after a departed node ({@code done}, an attempt {@code failed}, {@code gave_up} after the last
     * attempt, or {@code reconciled}: leftovers found and removed by the periodic reconciliation).
     */
    public void departedNodeCleanup(String outcome) {
        departedNodeCleanupCounter(outcome).increment();
    }

    private Counter departedNodeCleanupCounter(String outcome) {
        return departedNodeCleanups.computeIfAbsent(outcome, o -> counter("heliograph_departed_node_cleanups_total",
                "Clean-ups of the presence and interest of nodes that left the region, by outcome.",
                Tag.create("outcome", o)));
    }

    public long departedNodeCleanupCount(String outcome) {
        Counter c = departedNodeCleanups.get(outcome);
        return c == null ? 0 : c.count();
    }

    /** A publish this region tried to sequence under an epoch the channel had left (invariant 2: counted). */
    public void epochFenced() {
        fencedAppends.increment();
    }

    public long epochFencedCount() {
        return fencedAppends.count();
    }

    /** A publish refused because this node was paused and its mesh table is not confirmed yet. */
    public void pausedAppend() {
        pausedAppends.increment();
    }

    /** This node noticed it had been paused and closed its sequencing gate. */
    public void pauseFence() {
        pauseFences.increment();
    }

    public long pauseFenceCount() {
        return pauseFences.count();
    }

    /**
     * A publish on a channel homed in another region: {@code out}, accepted here and forwarded to the home, or
     * {@code in}, forwarded here from another region; {@code outcome} is {@code ok}, {@code unavailable} (503, the
     * publisher retries) or {@code refused} (any other error).
     */
    public void forwarded(String direction, String outcome, long nanos) {
        forwardedPublishes.computeIfAbsent(direction + "/" + outcome, key -> counter(
                "heliograph_forwarded_publishes_total",
                "Publishes on channels homed in another region, by direction (out: to the home, in: from another "
                        + "region) and outcome.", Tag.create("direction", direction), Tag.create("outcome", outcome)))
                .increment();
        forwardLatency.computeIfAbsent(direction, d -> register(Timer.builder("heliograph_forwarded_publish_seconds")
                .description("Time from receiving a forwarded publish (in) or accepting one for another region's "
                        + "home (out) to its answer.")
                .percentiles(new double[0])
                .buckets(PUBLISH_ACK_BUCKETS)
                .tags(List.of(Tag.create("direction", d))))).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A forwarded publish counter's value, 0 before the first. */
    public long forwardedCount(String direction, String outcome) {
        Counter c = forwardedPublishes.get(direction + "/" + outcome);
        return c == null ? 0 : c.count();
    }

    /**
     * A split-brain merge this node re-registered its interest after: {@code rejoined} (this node merged back into the
     * region) or {@code absorbed} (another node merged back into this node's side).
     */
    public void splitBrainMerge(String side) {
        splitBrainMergeCounter(side).increment();
    }

    private Counter splitBrainMergeCounter(String side) {
        return splitBrainMerges.computeIfAbsent(side, s -> counter("heliograph_split_brain_merges_total",
                "Split-brain merges after which this node re-registered its interest, by side.",
                Tag.create("side", s)));
    }

    public void dropped(String reason) {
        dropCounter(reason).increment();
    }

    /** Messages dropped so far for {@code reason} on this node. */
    public long droppedCount(String reason) {
        Counter c = dropped.get(reason);
        return c == null ? 0 : c.count();
    }

    public void gauges(LongSupplier channelsWithSubscribers, LongSupplier regionMembers) {
        this.channelsWithSubscribers = channelsWithSubscribers;
        this.regionMembers = regionMembers;
    }

    /**
     * A region with peers: global publishes no peer confirmed in time (answered 503), those still watched for a late
     * acknowledgement, and those given up (their channel waits for a retry or the bridge's commit).
     */
    public void globalDurability(LongSupplier timeouts, LongSupplier lateWaiting, LongSupplier lateAbandoned) {
        register(Gauge.builder("heliograph_global_commit_timeouts", () -> timeouts.getAsLong())
                .description("Global publishes answered 503 because no peer region confirmed them in time (total)."));
        register(Gauge.builder("heliograph_global_commits_waiting", () -> lateWaiting.getAsLong())
                .description("Global messages whose publisher stopped waiting, watched for a peer's acknowledgement."));
        register(Gauge.builder("heliograph_global_commits_abandoned", () -> lateAbandoned.getAsLong())
                .description("Late commits given up (over the bound, or failed); their channel waits (total)."));
    }

    @Override
    public void delivered(int frames) {
        messagesOut.increment(frames);
    }

    public long messagesOut() {
        return messagesOut.count();
    }

    @Override
    public void droppedSlowConsumer(int messages) {
        dropCounter("slow_consumer").increment(messages);
    }

    @Override
    public void droppedConnectionClosed(int messages) {
        dropCounter("connection_closed").increment(messages);
    }

    @Override
    public void repairRetried() {
        repairRetries.increment();
    }

    @Override
    public void repairFailed() {
        repairFailures.increment();
    }

    public long repairFailures() {
        return repairFailures.count();
    }

    @Override
    public void droppedNoSubscribers() {
        dropped("no_local_subscribers");
    }

    @Override
    public void gapFilled() {
        gapsFilled.increment();
    }

    @Override
    public void gapUnrecoverable() {
        dropped("gap_unrecoverable");
    }

    /**
     * This node's meters in the Prometheus text exposition, as {@code GET /metrics} serves them: the same Helidon
     * formatter, keeping only the families and samples tagged with this node.
     */
    public String render() {
        String all = MicrometerPrometheusFormatter.builder(registry).build().format()
                .map(Object::toString)
                .orElse("");
        String mine = "node=\"" + nodeId + "\"";
        StringBuilder out = new StringBuilder(all.length());
        StringBuilder header = new StringBuilder();
        for (String line : all.split("\n")) {
            if (line.startsWith("# HELP")) {
                header.setLength(0);
                header.append(line).append('\n');
            } else if (line.startsWith("#")) {
                header.append(line).append('\n');
            } else if (line.contains("{" + mine) || line.contains("," + mine)) {
                out.append(header).append(line).append('\n');
                header.setLength(0);
            }
        }
        return out.toString();
    }

    /** Removes this node's meters from the registry; the node calls it once it has stopped. */
    public void close() {
        meters.forEach(registry::remove);
        meters.clear();
    }

    private LongAdder openGauge(String transport) {
        return openConnections.computeIfAbsent(transport, t -> {
            LongAdder open = new LongAdder();
            register(Gauge.builder("heliograph_connections_open", open::sum)
                    .description("Open client connections by transport.")
                    .addTag(Tag.create("transport", t)));
            return open;
        });
    }

    private Counter dropCounter(String reason) {
        return dropped.computeIfAbsent(reason, r -> counter("heliograph_messages_dropped_total",
                "Messages not delivered, by reason.", Tag.create("reason", r)));
    }

    private Counter counter(String name, String help, Tag... tags) {
        return register(Counter.builder(name).description(help).tags(List.of(tags)));
    }

    private <B extends Meter.Builder<B, M>, M extends Meter> M register(B builder) {
        M meter = registry.getOrCreate(builder.addTag(nodeTag));
        meters.add(meter);
        return meter;
    }

    private static Duration[] seconds(double... bounds) {
        Duration[] out = new Duration[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            out[i] = Duration.ofNanos(Math.round(bounds[i] * 1e9));
        }
        return out;
    }
}
