package io.heliograph.edge.observe;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import io.heliograph.edge.delivery.DeliveryMetrics;

/**
 * Every counter of a node, rendered in the Prometheus text format at {@code GET /metrics}. Names and labels are
 * documented in docs/operations.md; every refusal and every drop has a counter here.
 */
public final class EdgeMetrics implements DeliveryMetrics {

    /** Why a connection ended: the {@code reason} label of {@code heliograph_disconnects_total}. */
    public enum DisconnectReason {
        CLIENT, HEARTBEAT, TOKEN_EXPIRED, SLOW_CONSUMER, ABUSE, FRAME_TOO_LARGE, SHUTDOWN, ERROR;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final ConcurrentHashMap<String, LongAdder> openConnections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> connectionsTotal = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<DisconnectReason, LongAdder> disconnects = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, LongAdder> errors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> dropped = new ConcurrentHashMap<>();
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder publishes = new LongAdder();
    private final LongAdder duplicatePublishes = new LongAdder();
    private final LongAdder gapsFilled = new LongAdder();
    private final LongAdder framesIn = new LongAdder();
    private final Histogram publishAckSeconds =
            new Histogram(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);
    private final Histogram connectionSeconds =
            new Histogram(1, 10, 60, 300, 900, 3600, 4 * 3600, 24 * 3600);
    private volatile LongSupplier channelsWithSubscribers = () -> 0;
    private volatile LongSupplier regionMembers = () -> 0;

    private static LongAdder adder(Map<String, LongAdder> map, String key) {
        return map.computeIfAbsent(key, k -> new LongAdder());
    }

    public void connectionOpened(String transport) {
        adder(openConnections, transport).increment();
        adder(connectionsTotal, transport).increment();
    }

    public void connectionClosed(String transport, DisconnectReason reason, long durationMs) {
        adder(openConnections, transport).decrement();
        disconnects.computeIfAbsent(reason, r -> new LongAdder()).increment();
        connectionSeconds.record(durationMs / 1000.0);
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
        publishes.increment();
        if (duplicate) {
            duplicatePublishes.increment();
        }
        publishAckSeconds.record(ackNanos / 1e9);
    }

    public void error(int code) {
        errors.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    public long errors(int code) {
        LongAdder a = errors.get(code);
        return a == null ? 0 : a.sum();
    }

    public void dropped(String reason) {
        adder(dropped, reason).increment();
    }

    public long dropped(String reason, boolean unused) {
        LongAdder a = dropped.get(reason);
        return a == null ? 0 : a.sum();
    }

    public void gauges(LongSupplier channelsWithSubscribers, LongSupplier regionMembers) {
        this.channelsWithSubscribers = channelsWithSubscribers;
        this.regionMembers = regionMembers;
    }

    @Override
    public void delivered(int frames) {
        messagesOut.add(frames);
    }

    public long messagesOut() {
        return messagesOut.sum();
    }

    @Override
    public void droppedSlowConsumer() {
        dropped("slow_consumer");
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

    /** The Prometheus text exposition (version 0.0.4). */
    public String render() {
        StringBuilder out = new StringBuilder(4096);
        gaugeByLabel(out, "heliograph_connections_open", "Open client connections by transport.", "transport",
                openConnections);
        counterByLabel(out, "heliograph_connections_total", "Client connections accepted by transport.", "transport",
                connectionsTotal);
        Map<String, LongAdder> byReason = new TreeMap<>();
        for (DisconnectReason r : DisconnectReason.values()) {
            byReason.put(r.label(), disconnects.getOrDefault(r, new LongAdder()));
        }
        counterByLabel(out, "heliograph_disconnects_total", "Client disconnects by reason.", "reason", byReason);
        header(out, "heliograph_connection_duration_seconds", "How long client connections lasted.", "histogram");
        connectionSeconds.render(out, "heliograph_connection_duration_seconds", "");
        counter(out, "heliograph_frames_in_total", "Frames received from clients.", framesIn.sum());
        counter(out, "heliograph_messages_in_total", "Messages published by clients on this node (WebSocket and "
                + "HTTP).", messagesIn.sum());
        counter(out, "heliograph_messages_out_total", "Message frames queued to local subscribers.",
                messagesOut.sum());
        counter(out, "heliograph_publish_duplicates_total", "Publishes answered from the idempotency window.",
                duplicatePublishes.sum());
        counter(out, "heliograph_gaps_filled_total", "Out-of-order gaps filled from history.", gapsFilled.sum());
        Map<String, LongAdder> drops = new TreeMap<>();
        for (String reason : new String[] {"slow_consumer", "no_local_subscribers", "gap_unrecoverable"}) {
            drops.put(reason, new LongAdder());
        }
        drops.putAll(dropped);
        counterByLabel(out, "heliograph_messages_dropped_total", "Messages not delivered, by reason.", "reason", drops);
        header(out, "heliograph_publish_ack_seconds", "Time from receiving a publish to acking it (durable).",
                "histogram");
        publishAckSeconds.render(out, "heliograph_publish_ack_seconds", "");
        Map<String, LongAdder> byCode = new TreeMap<>();
        errors.forEach((code, adder) -> byCode.put(Integer.toString(code), adder));
        counterByLabel(out, "heliograph_errors_total", "Error answers by protocol code.", "code", byCode);
        gauge(out, "heliograph_channels_with_subscribers", "Channels with subscribers on this node.",
                channelsWithSubscribers.getAsLong());
        gauge(out, "heliograph_region_members", "Edge nodes in this node's region cluster.",
                regionMembers.getAsLong());
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        header(out, name, help, "counter");
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        header(out, name, help, "gauge");
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void counterByLabel(StringBuilder out, String name, String help, String label,
                                       Map<String, LongAdder> values) {
        header(out, name, help, "counter");
        new TreeMap<>(values).forEach((k, v) -> out.append(name).append('{').append(label).append("=\"").append(k)
                .append("\"} ").append(v.sum()).append('\n'));
    }

    private static void gaugeByLabel(StringBuilder out, String name, String help, String label,
                                     Map<String, LongAdder> values) {
        header(out, name, help, "gauge");
        new TreeMap<>(values).forEach((k, v) -> out.append(name).append('{').append(label).append("=\"").append(k)
                .append("\"} ").append(v.sum()).append('\n'));
    }
}
