package io.heliograph.edge.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import io.heliograph.edge.delivery.ChannelDispatcher.Admission;
import io.heliograph.edge.delivery.ChannelDispatcher.Progress;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Frames;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AttachResult;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.HistoryPage;
import io.heliograph.region.fabric.RegionFabric;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;

/**
 * The node's side of delivery: keeps one {@link ChannelDispatcher} per channel with local subscribers, registers and
 * withdraws the node's interest in the region's {@link ChannelLog}, receives from the {@link RegionFabric}, and
 * repairs streams from history through one {@link StreamRepair}: a subscriber's catch-up, a gap in the node's stream,
 * a fan-out that never arrived on a quiet channel (found by a sweep every second), and what a node missed while cut
 * off. Fabric callbacks run on engine threads and only take short, non-blocking locks; history reads run on virtual
 * threads.
 */
public final class DeliveryHub implements RegionFabric.Receiver {

    private static final int RECENT_PER_CHANNEL = 256;
    private static final long RECENT_BYTES_PER_CHANNEL = 512 * 1024;
    /** A channel quiet this long is checked against the region's latest serial at the next sweep. */
    static final long QUIET_MS = 1000;
    /** How often quiet channels are checked: a lost fan-out is delivered within about QUIET_MS + SWEEP_MS. */
    static final long SWEEP_MS = 500;
    /** How long a catch-up waits for a subscriber's queue to drain before it counts the subscriber as too slow. */
    private static final long ROOM_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final ChannelLog log;
    private final String nodeId;
    private final ScheduledExecutorService timer;
    private final long gapWaitMs;
    private final DeliveryMetrics metrics;
    private final StreamRepair repair;
    private final ConcurrentHashMap<String, ChannelDispatcher> dispatchers = new ConcurrentHashMap<>();
    private final Object[] stripes = new Object[64];
    private final AtomicBoolean sweeping = new AtomicBoolean();
    /** Set while sweeps fail, so that an unavailable region is logged once, not twice a second. */
    private volatile boolean sweepFailing;

    public DeliveryHub(ChannelLog log, String nodeId, ScheduledExecutorService timer, long gapWaitMs,
                       DeliveryMetrics metrics) {
        this.log = log;
        this.nodeId = nodeId;
        this.timer = timer;
        this.gapWaitMs = gapWaitMs;
        this.metrics = metrics;
        this.repair = new StreamRepair(log, timer, metrics);
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
        timer.scheduleWithFixedDelay(this::sweepQuietChannels, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
    }

    private Object stripe(String channel) {
        return stripes[Math.floorMod(channel.hashCode(), stripes.length)];
    }

    /**
     * Subscribes {@code subscriber} to the channel. The reply built by {@code attachedFrame} is queued first and only
     * once nothing can fail any more (one request, one answer); then come the messages after {@code fromSerial} (read
     * from history in pages, at the socket's pace), then live messages, with nothing between them missing or twice.
     *
     * @param presence whether the subscriber may see the channel's presence events
     * @return the log's answer (latest serial, continuity)
     */
    public AttachResult subscribe(String channel, Subscriber subscriber, Serial fromSerial, boolean presence,
                                  Function<AttachResult, String> attachedFrame) {
        ChannelDispatcher dispatcher;
        synchronized (stripe(channel)) {
            dispatcher = dispatchers.computeIfAbsent(channel, c -> new ChannelDispatcher(c, RECENT_PER_CHANNEL,
                    RECENT_BYTES_PER_CHANNEL, metrics, this::subscriberLost));
            // Keeps a concurrent unsubscribe of the last subscriber from closing the dispatcher under us.
            dispatcher.reserve();
        }
        try {
            if (dispatcher.hasSubscriber(subscriber.connectionId())) {
                // Attaching twice is harmless: the subscription already has everything up to its cursor and keeps
                // receiving in order; a catch-up sent beside it could only repeat or reorder messages.
                AttachResult current = log.attach(channel, nodeId, null);
                dispatcher.admit(subscriber, null, presence, OutboundFrame.of(attachedFrame.apply(current)));
                return current;
            }
            AttachResult result = log.attach(channel, nodeId, fromSerial);
            dispatcher.initialize(result.latest());
            Serial cursor = fromSerial != null && !result.continuityLost() ? fromSerial : result.latest();
            Admission admission = dispatcher.admit(subscriber, cursor, presence,
                    OutboundFrame.of(attachedFrame.apply(result)));
            if (admission == Admission.CATCHING_UP) {
                repair.start(new CatchUp(dispatcher, subscriber));
            }
            if (dispatcher.hasGap()) {
                repairNodeStream(dispatcher, gapWaitMs, true);
            }
            return result;
        } finally {
            synchronized (stripe(channel)) {
                dispatcher.release();
                closeIfUnused(channel, dispatcher);
            }
        }
    }

    /** Removes the subscriber; the node withdraws its interest when it was the channel's last local subscriber. */
    public boolean unsubscribe(String channel, String connectionId) {
        synchronized (stripe(channel)) {
            ChannelDispatcher dispatcher = dispatchers.get(channel);
            if (dispatcher == null) {
                return false;
            }
            boolean removed = dispatcher.removeSubscriber(connectionId);
            // Also when the subscription was already dropped (its subscriber refused a frame): the channel may have
            // no subscriber left, and its dispatcher and region-wide interest must not outlive them.
            closeIfUnused(channel, dispatcher);
            return removed;
        }
    }

    /** Under a dispatcher's lock: a subscription ended there; hand the clean-up off at once. */
    private void subscriberLost(ChannelDispatcher dispatcher) {
        Thread.ofVirtual().start(() -> {
            synchronized (stripe(dispatcher.channel())) {
                closeIfUnused(dispatcher.channel(), dispatcher);
            }
        });
    }

    /** Under the channel's stripe lock: withdraws the node's interest when nobody uses the dispatcher any more. */
    private void closeIfUnused(String channel, ChannelDispatcher dispatcher) {
        if (dispatcher.subscriberCount() > 0 || dispatcher.reserved() || dispatcher.isClosed()) {
            return;
        }
        dispatchers.remove(channel, dispatcher);
        dispatcher.close();
        try {
            log.detach(channel, nodeId);
        } catch (RuntimeException e) {
            // The interest stays until this node leaves; messages for it are dropped and counted.
            System.getLogger(DeliveryHub.class.getName()).log(System.Logger.Level.WARNING,
                    "could not withdraw interest in " + channel + ": " + e.getMessage());
        }
    }

    public int channelCount() {
        return dispatchers.size();
    }

    @Override
    public void onMessage(ChannelMessage message) {
        ChannelDispatcher dispatcher = dispatchers.get(message.channel());
        if (dispatcher == null) {
            metrics.droppedNoSubscribers();
            return;
        }
        dispatcher.touchActivity(System.nanoTime());
        if (dispatcher.onMessage(message)) {
            repairNodeStream(dispatcher, gapWaitMs, true);
        }
    }

    @Override
    public void onPresence(PresenceEvent event) {
        ChannelDispatcher dispatcher = dispatchers.get(event.channel());
        if (dispatcher != null) {
            dispatcher.broadcast(OutboundFrame.of(Frames.presence(event.channel(), event.action(), event.member())));
        }
    }

    /**
     * A gap shows only when a later message arrives, so the fan-out of a channel's last message (or of the only one
     * after a quiet spell) could be lost unnoticed: an event dropped under overload, a node that died between
     * sequencing and fan-out. So channels quiet for {@link #QUIET_MS} are compared, in one batched read, with the
     * region's latest serial, and repaired from history when the region is ahead.
     */
    void sweepQuietChannels() {
        try {
            startSweep();
        } catch (RuntimeException e) {
            // Never let one failure end the periodic sweep.
            sweeping.set(false);
            System.getLogger(DeliveryHub.class.getName()).log(System.Logger.Level.WARNING,
                    "quiet-channel sweep could not start: " + e);
        }
    }

    private void startSweep() {
        if (dispatchers.isEmpty() || !sweeping.compareAndSet(false, true)) {
            return;
        }
        long quietSince = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(QUIET_MS);
        List<ChannelDispatcher> quiet = new ArrayList<>();
        for (ChannelDispatcher d : dispatchers.values()) {
            if (d.lastActivityNanos() - quietSince <= 0 && d.isInitialized() && !d.nodeRepairScheduled.get()) {
                quiet.add(d);
            }
        }
        if (quiet.isEmpty()) {
            sweeping.set(false);
            return;
        }
        Thread.ofVirtual().name("quiet-sweep").start(() -> {
            try {
                Map<String, Serial> latest = log.latest(quiet.stream().map(ChannelDispatcher::channel).toList());
                for (ChannelDispatcher d : quiet) {
                    Serial regionLatest = latest.get(d.channel());
                    Serial delivered = d.lastDelivered();
                    if (regionLatest != null && (delivered == null || regionLatest.compareTo(delivered) > 0)) {
                        repairNodeStream(d, 0, false);
                    }
                }
                sweepFailing = false;
            } catch (RuntimeException e) {
                if (!sweepFailing) {
                    sweepFailing = true;
                    System.getLogger(DeliveryHub.class.getName()).log(System.Logger.Level.WARNING,
                            "quiet-channel sweep failed (logged once until it succeeds): " + e.getMessage());
                }
            } finally {
                sweeping.set(false);
            }
        });
    }

    /**
     * Schedules a repair of the node's own stream of a channel (at most one at a time per channel).
     *
     * @param onlyForGap skip it when the gap closed meanwhile (the missing message arrived)
     */
    private void repairNodeStream(ChannelDispatcher dispatcher, long delayMs, boolean onlyForGap) {
        if (!dispatcher.nodeRepairScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            timer.schedule(() -> startNodeRepair(dispatcher, onlyForGap), delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            dispatcher.nodeRepairScheduled.set(false); // the node is shutting down
        }
    }

    private void startNodeRepair(ChannelDispatcher dispatcher, boolean onlyForGap) {
        if (dispatcher.isClosed() || (onlyForGap && !dispatcher.hasGap())) {
            dispatcher.nodeRepairScheduled.set(false);
            if (dispatcher.hasGap()) {
                repairNodeStream(dispatcher, gapWaitMs, true);
            }
            return;
        }
        repair.start(new NodeStream(dispatcher));
    }

    /**
     * After this node rejoined its region: registers its interest again for every channel with local subscribers and
     * delivers, from history, what was sequenced while the node was cut off.
     */
    public void resync() {
        for (ChannelDispatcher dispatcher : List.copyOf(dispatchers.values())) {
            try {
                log.attach(dispatcher.channel(), nodeId, null);
                repairNodeStream(dispatcher, 0, false);
            } catch (RuntimeException e) {
                System.getLogger(DeliveryHub.class.getName()).log(System.Logger.Level.WARNING,
                        "resync of " + dispatcher.channel() + " failed: " + e.getMessage());
            }
        }
    }

    /** Channels with local subscribers, for diagnostics. */
    public List<String> channels() {
        return List.copyOf(dispatchers.keySet());
    }

    /** A subscriber's stream from its cursor up to the node's stream, after which it is live. */
    private static final class CatchUp implements StreamRepair.Stream {
        private final ChannelDispatcher dispatcher;
        private final Subscriber subscriber;

        CatchUp(ChannelDispatcher dispatcher, Subscriber subscriber) {
            this.dispatcher = dispatcher;
            this.subscriber = subscriber;
        }

        @Override
        public String channel() {
            return dispatcher.channel();
        }

        @Override
        public Serial position() {
            return dispatcher.cursorOf(subscriber.connectionId());
        }

        @Override
        public boolean wanted() {
            return dispatcher.isCatchingUp(subscriber.connectionId());
        }

        @Override
        public boolean awaitRoom(HistoryPage page) throws InterruptedException {
            return subscriber.awaitRoom(page.messages().size(), page.bytes(), ROOM_TIMEOUT_NS);
        }

        @Override
        public Progress accept(HistoryPage page) {
            return dispatcher.catchUp(subscriber.connectionId(), page);
        }

        @Override
        public void abandon(Subscriber.Abandon why) {
            subscriber.abandon(why);
        }
    }

    /** The node's own stream of a channel, from its last delivered serial up to the region's. */
    private final class NodeStream implements StreamRepair.Stream {
        private final ChannelDispatcher dispatcher;

        NodeStream(ChannelDispatcher dispatcher) {
            this.dispatcher = dispatcher;
        }

        @Override
        public String channel() {
            return dispatcher.channel();
        }

        @Override
        public Serial position() {
            return dispatcher.lastDelivered();
        }

        @Override
        public boolean wanted() {
            return !dispatcher.isClosed();
        }

        @Override
        public boolean awaitRoom(HistoryPage page) {
            return true; // live subscribers that cannot take it are dropped as slow consumers, as with live traffic
        }

        @Override
        public Progress accept(HistoryPage page) {
            return dispatcher.repair(page);
        }

        @Override
        public void abandon(Subscriber.Abandon why) {
            // The node cannot deliver this channel in order any more: its subscribers resume from their cursors.
            dispatcher.subscribers().forEach(s -> s.abandon(why));
        }

        @Override
        public void ended() {
            dispatcher.nodeRepairScheduled.set(false);
            if (dispatcher.hasGap()) {
                repairNodeStream(dispatcher, gapWaitMs, true);
            }
        }
    }
}
