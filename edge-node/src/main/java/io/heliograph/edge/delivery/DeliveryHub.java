package io.heliograph.edge.delivery;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.heliograph.edge.channel.AttachResult;
import io.heliograph.edge.channel.ChannelLog;
import io.heliograph.edge.channel.HistoryPage;
import io.heliograph.edge.presence.PresenceRegistry.PresenceEvent;
import io.heliograph.edge.region.RegionFabric;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Frames;
import io.heliograph.protocol.Serial;

/**
 * The node's side of delivery: keeps one {@link ChannelDispatcher} per channel with local subscribers, registers and
 * withdraws the node's interest in the region's {@link ChannelLog}, receives from the {@link RegionFabric} and fills
 * gaps from history. Fabric callbacks run on engine threads and only take short, non-blocking locks; history reads run
 * on virtual threads.
 */
public final class DeliveryHub implements RegionFabric.Receiver {

    private static final int RECENT_PER_CHANNEL = 256;
    private static final int BACKFILL_PAGE = 1000;

    private final ChannelLog log;
    private final String nodeId;
    private final ScheduledExecutorService timer;
    private final long gapWaitMs;
    private final DeliveryMetrics metrics;
    private final ConcurrentHashMap<String, ChannelDispatcher> dispatchers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicBoolean> gapChecks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicBoolean> trailingChecks = new ConcurrentHashMap<>();
    /** How long a channel must be quiet before its trailing check reads history. */
    private static final long TRAILING_CHECK_MS = 1000;
    private final Object[] stripes = new Object[64];

    public DeliveryHub(ChannelLog log, String nodeId, ScheduledExecutorService timer, long gapWaitMs,
                       DeliveryMetrics metrics) {
        this.log = log;
        this.nodeId = nodeId;
        this.timer = timer;
        this.gapWaitMs = gapWaitMs;
        this.metrics = metrics;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    private Object stripe(String channel) {
        return stripes[Math.floorMod(channel.hashCode(), stripes.length)];
    }

    /**
     * Subscribes {@code subscriber} to the channel. The reply built by {@code attachedFrame} is queued first, then the
     * catch-up messages (after {@code fromSerial}), then live messages.
     *
     * @return the log's answer (latest serial, continuity)
     */
    public AttachResult subscribe(String channel, Subscriber subscriber, Serial fromSerial,
                                  java.util.function.Function<AttachResult, String> attachedFrame) {
        ChannelDispatcher dispatcher;
        synchronized (stripe(channel)) {
            dispatcher = dispatchers.computeIfAbsent(channel,
                    c -> new ChannelDispatcher(c, RECENT_PER_CHANNEL, metrics));
            // Keeps a concurrent unsubscribe of the last subscriber from closing the dispatcher under us.
            dispatcher.reserve();
        }
        try {
            return subscribe(dispatcher, channel, subscriber, fromSerial, attachedFrame);
        } finally {
            synchronized (stripe(channel)) {
                dispatcher.release();
                closeIfUnused(channel, dispatcher);
            }
        }
    }

    private AttachResult subscribe(ChannelDispatcher dispatcher, String channel, Subscriber subscriber,
                                   Serial fromSerial, java.util.function.Function<AttachResult, String> attachedFrame) {
        if (dispatcher.hasSubscriber(subscriber.connectionId())) {
            // Attaching twice is harmless: the subscription already has everything up to its cursor and keeps
            // receiving in order; a catch-up sent beside it could only repeat or reorder messages.
            AttachResult current = log.attach(channel, nodeId, null);
            AttachResult answer = new AttachResult(current.latest(), List.of(), false);
            subscriber.offer(attachedFrame.apply(answer));
            return answer;
        }
        AttachResult result = log.attach(channel, nodeId, fromSerial);
        subscriber.offer(attachedFrame.apply(result));
        Serial cursor;
        if (fromSerial != null && !result.continuityLost()) {
            for (ChannelMessage m : result.catchUp()) {
                subscriber.offer(Frames.message(m));
            }
            cursor = result.catchUp().isEmpty() ? fromSerial
                    : result.catchUp().get(result.catchUp().size() - 1).serial();
            if (result.latest() != null && cursor.compareTo(result.latest()) > 0) {
                cursor = result.latest();
            }
        } else {
            cursor = result.latest();
        }
        dispatcher.initialize(result.latest());
        ChannelDispatcher.Backfill backfill = dispatcher.addSubscriber(subscriber, cursor);
        for (int round = 0; backfill != null && round < 100; round++) {
            HistoryPage page = log.history(channel, backfill.after(), BACKFILL_PAGE);
            backfill = dispatcher.backfill(subscriber.connectionId(), page.messages());
        }
        scheduleGapCheck(channel, dispatcher);
        return result;
    }

    /** Removes the subscriber; the node withdraws its interest when it was the channel's last local subscriber. */
    public boolean unsubscribe(String channel, String connectionId) {
        synchronized (stripe(channel)) {
            ChannelDispatcher dispatcher = dispatchers.get(channel);
            if (dispatcher == null || !dispatcher.removeSubscriber(connectionId)) {
                return false;
            }
            closeIfUnused(channel, dispatcher);
            return true;
        }
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
        if (dispatcher.onMessage(message)) {
            scheduleGapCheck(message.channel(), dispatcher);
        }
        scheduleTrailingCheck(message.channel(), dispatcher);
    }

    /**
     * A gap shows only when a later message arrives; the last message of a burst whose fan-out was lost (an event
     * dropped under overload, a node that died between sequencing and fan-out) would wait for the next one. So once
     * a channel goes quiet, history is read once after its last delivered serial. While messages keep coming the
     * check only moves along, without reading anything.
     */
    private void scheduleTrailingCheck(String channel, ChannelDispatcher dispatcher) {
        dispatcher.touchActivity(System.nanoTime());
        AtomicBoolean scheduled = trailingChecks.computeIfAbsent(channel, c -> new AtomicBoolean());
        if (scheduled.compareAndSet(false, true)) {
            timer.schedule(() -> trailingCheck(channel, dispatcher, scheduled), TRAILING_CHECK_MS,
                    TimeUnit.MILLISECONDS);
        }
    }

    private void trailingCheck(String channel, ChannelDispatcher dispatcher, AtomicBoolean scheduled) {
        if (dispatcher.isClosed()) {
            scheduled.set(false);
            trailingChecks.remove(channel, scheduled);
            return;
        }
        long quietNs = System.nanoTime() - dispatcher.lastActivityNanos();
        if (quietNs < TimeUnit.MILLISECONDS.toNanos(TRAILING_CHECK_MS)) {
            timer.schedule(() -> trailingCheck(channel, dispatcher, scheduled), TRAILING_CHECK_MS,
                    TimeUnit.MILLISECONDS);
            return;
        }
        Thread.ofVirtual().start(() -> {
            try {
                HistoryPage page = log.history(channel, dispatcher.lastDelivered(), BACKFILL_PAGE);
                if (!page.messages().isEmpty()) {
                    dispatcher.fillGap(page.messages());
                }
            } catch (RuntimeException e) {
                System.getLogger(DeliveryHub.class.getName()).log(System.Logger.Level.WARNING,
                        "trailing check of " + channel + " failed: " + e.getMessage());
            } finally {
                scheduled.set(false);
            }
        });
    }

    @Override
    public void onPresence(PresenceEvent event) {
        ChannelDispatcher dispatcher = dispatchers.get(event.channel());
        if (dispatcher != null) {
            dispatcher.broadcast(OutboundFrame.of(Frames.presence(event.channel(), event.action(), event.member())));
        }
    }

    private void scheduleGapCheck(String channel, ChannelDispatcher dispatcher) {
        if (!dispatcher.hasGap()) {
            return;
        }
        AtomicBoolean scheduled = gapChecks.computeIfAbsent(channel, c -> new AtomicBoolean());
        if (!scheduled.compareAndSet(false, true)) {
            return;
        }
        timer.schedule(() -> Thread.ofVirtual().start(() -> {
            scheduled.set(false);
            if (dispatcher.isClosed() || !dispatcher.hasGap()) {
                return;
            }
            try {
                HistoryPage page = log.history(channel, dispatcher.lastDelivered(), BACKFILL_PAGE);
                dispatcher.fillGap(page.messages());
            } catch (RuntimeException e) {
                System.getLogger(DeliveryHub.class.getName()).log(System.Logger.Level.WARNING,
                        "gap fill failed on " + channel + ": " + e.getMessage());
            }
            scheduleGapCheck(channel, dispatcher);
        }), gapWaitMs, TimeUnit.MILLISECONDS);
    }

    /**
     * After this node rejoined its region: registers its interest again for every channel with local subscribers and
     * delivers, from history, what was sequenced while the node was cut off.
     */
    public void resync() {
        for (ChannelDispatcher dispatcher : List.copyOf(dispatchers.values())) {
            String channel = dispatcher.channel();
            try {
                AttachResult region = log.attach(channel, nodeId, null);
                for (int round = 0; round < 100 && region.latest() != null && !dispatcher.isClosed()
                        && (dispatcher.lastDelivered() == null
                            || dispatcher.lastDelivered().compareTo(region.latest()) < 0); round++) {
                    HistoryPage page = log.history(channel, dispatcher.lastDelivered(), BACKFILL_PAGE);
                    dispatcher.fillGap(page.messages());
                    if (page.messages().isEmpty()) {
                        break;
                    }
                }
            } catch (RuntimeException e) {
                System.getLogger(DeliveryHub.class.getName()).log(System.Logger.Level.WARNING,
                        "resync of " + channel + " failed: " + e.getMessage());
            }
        }
    }

    /** Channels with local subscribers, for diagnostics. */
    public List<String> channels() {
        return List.copyOf(dispatchers.keySet());
    }
}
