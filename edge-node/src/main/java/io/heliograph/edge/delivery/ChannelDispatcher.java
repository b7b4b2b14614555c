package io.heliograph.edge.delivery;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Frames;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.ChannelState;
import io.heliograph.region.channel.HistoryPage;

/**
 * One channel's delivery on one node. Messages arrive from several publishing nodes in any order; the dispatcher
 * passes them on strictly in serial order: an early message waits in {@code pending} until the gap before it is filled
 * (by the missing message arriving, or by a {@link StreamRepair} of the node's stream).
 *
 * <p>Each subscriber has a cursor, the serial it already has, and is either <em>live</em> or <em>catching up</em>. Only
 * live subscribers receive live messages; a subscriber that is behind the node's stream is fed from the recent buffer
 * or, when that does not reach back, from history by a {@link StreamRepair}, and turns live (atomically, under this
 * lock) once its cursor reaches the node's stream. So no live message can overtake a subscriber's catch-up.
 *
 * <p>Every frame reaches a subscriber through {@link #send}: offered, or the subscription is dropped and the message
 * counted by why it was not taken. All methods hold the dispatcher's lock and never block.
 */
final class ChannelDispatcher {

    /** What became of a subscriber admitted to the channel. */
    enum Admission {
        /** Receives live messages from now on. */
        LIVE,
        /** Behind the node's stream: a catch-up from history must run before it is live. */
        CATCHING_UP,
        /** Already subscribed: nothing changed (attaching twice never delivers a message twice). */
        ALREADY_ATTACHED,
        /** The subscriber refused the attach answer (it is closing): not subscribed. */
        REFUSED
    }

    /** What a page of history did for the stream it was read for. */
    enum Progress {
        /** Read the next page after the stream's new position. */
        MORE,
        /** The stream needs no more history. */
        DONE
    }

    private record Encoded(ChannelMessage message, OutboundFrame frame, long bytes) {
    }

    private static final class Subscription {
        final Subscriber subscriber;
        final boolean presence;
        Serial cursor;
        boolean live;
        boolean dropped;

        Subscription(Subscriber subscriber, Serial cursor, boolean presence) {
            this.subscriber = subscriber;
            this.cursor = cursor;
            this.presence = presence;
        }
    }

    private final String channel;
    private final int recentCapacity;
    private final long recentCapacityBytes;
    private final DeliveryMetrics metrics;
    private final Consumer<ChannelDispatcher> subscriberLost;
    private boolean initialized;
    private Serial lastDelivered;
    private final TreeMap<Serial, ChannelMessage> pending = new TreeMap<>();
    private final ArrayDeque<Encoded> recent = new ArrayDeque<>();
    private long recentBytes;
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private boolean anyDropped;
    private boolean closed;
    private volatile long lastActivityNanos = System.nanoTime();
    /** Attaches in progress; guarded by the hub's stripe lock for this channel. */
    private int reservations;
    /** A repair of the node's own stream is scheduled or running; at most one at a time. */
    final AtomicBoolean nodeRepairScheduled = new AtomicBoolean();

    /**
     * @param subscriberLost told (under this lock; it must hand off at once) when a subscription was dropped because
     *                       its subscriber refused a frame, so the hub can withdraw interest from an unused channel
     */
    ChannelDispatcher(String channel, int recentCapacity, long recentCapacityBytes, DeliveryMetrics metrics,
                      Consumer<ChannelDispatcher> subscriberLost) {
        this.channel = channel;
        this.recentCapacity = recentCapacity;
        this.recentCapacityBytes = recentCapacityBytes;
        this.metrics = metrics;
        this.subscriberLost = subscriberLost;
    }

    String channel() {
        return channel;
    }

    void touchActivity(long nowNanos) {
        lastActivityNanos = nowNanos;
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    void reserve() {
        reservations++;
    }

    void release() {
        reservations--;
    }

    boolean reserved() {
        return reservations > 0;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized void close() {
        closed = true;
        subscriptions.clear();
        pending.clear();
        recent.clear();
        recentBytes = 0;
    }

    synchronized int subscriberCount() {
        return subscriptions.size();
    }

    synchronized boolean hasSubscriber(String connectionId) {
        return subscriptions.containsKey(connectionId);
    }

    /** True while the subscriber is subscribed and still catching up. */
    synchronized boolean isCatchingUp(String connectionId) {
        Subscription sub = subscriptions.get(connectionId);
        return !closed && sub != null && !sub.live;
    }

    /** The subscriber's cursor: history for it is read after this serial. */
    synchronized Serial cursorOf(String connectionId) {
        Subscription sub = subscriptions.get(connectionId);
        return sub == null ? null : sub.cursor;
    }

    synchronized Serial lastDelivered() {
        return lastDelivered;
    }

    synchronized boolean isInitialized() {
        return initialized;
    }

    /** Serial expected next, or null when nothing is known yet. */
    private Serial expected() {
        return lastDelivered == null ? Serial.of(ChannelState.FIRST_EPOCH, 1) : lastDelivered.next();
    }

    /** A message from the region fabric. Answers true when a gap is now waiting to be filled. */
    synchronized boolean onMessage(ChannelMessage message) {
        if (closed) {
            return false;
        }
        if (!initialized) {
            pending.put(message.serial(), message);
            return false;
        }
        if (lastDelivered != null && message.serial().compareTo(lastDelivered) <= 0) {
            return false;
        }
        if (message.serial().equals(expected())) {
            deliver(message);
            drainPending();
        } else {
            pending.put(message.serial(), message);
        }
        purgeDropped();
        return !pending.isEmpty();
    }

    /**
     * The first attach of this node on the channel answered: everything after {@code latest} reaches this node through
     * the fabric. Later calls change nothing: a subscriber whose attach answered an older serial catches up from the
     * recent buffer or from history.
     */
    synchronized void initialize(Serial latest) {
        if (initialized) {
            return;
        }
        initialized = true;
        lastDelivered = latest;
        if (latest != null) {
            pending.headMap(latest, true).clear();
        }
        drainPending();
        purgeDropped();
    }

    /**
     * Subscribes {@code subscriber}, which already has everything up to {@code cursor} (null: nothing), and queues
     * {@code attached} (the attach answer) to it before anything else of the channel. The subscriber is live at once
     * when nothing it lacks was delivered here yet, or when the recent buffer holds all of it (replayed now); else it
     * is catching up and the caller starts a {@link StreamRepair} for it.
     */
    synchronized Admission admit(Subscriber subscriber, Serial cursor, boolean presence, OutboundFrame attached) {
        if (subscriptions.containsKey(subscriber.connectionId())) {
            subscriber.offer(attached);
            return Admission.ALREADY_ATTACHED;
        }
        if (subscriber.offer(attached) != Subscriber.Offer.QUEUED) {
            return Admission.REFUSED;
        }
        Subscription sub = new Subscription(subscriber, cursor, presence);
        subscriptions.put(subscriber.connectionId(), sub);
        boolean live = goLiveIfCaughtUp(sub);
        purgeDropped();
        return live ? Admission.LIVE : Admission.CATCHING_UP;
    }

    /**
     * A page of history read after a catching-up subscriber's cursor: sends what it lacks, and turns it live once it
     * reached the node's stream. When history holds nothing after its cursor although this node delivered further,
     * what lies between is gone (trimmed or aged out): counted, and the subscriber goes on from the recent buffer.
     */
    synchronized Progress catchUp(String connectionId, HistoryPage page) {
        Subscription sub = subscriptions.get(connectionId);
        if (closed || sub == null || sub.live) {
            return Progress.DONE;
        }
        try {
            for (ChannelMessage m : page.messages()) {
                if (sub.cursor != null && m.serial().compareTo(sub.cursor) <= 0) {
                    continue;
                }
                if (!contiguous(sub.cursor, m.serial())) {
                    metrics.gapUnrecoverable();
                }
                if (!send(sub, OutboundFrame.message(Frames.message(m)))) {
                    return Progress.DONE;
                }
                sub.cursor = m.serial();
            }
            if (goLiveIfCaughtUp(sub)) {
                return Progress.DONE;
            }
            if (page.messages().isEmpty()) {
                metrics.gapUnrecoverable();
                replayRecent(sub);
                sub.live = true;
                return Progress.DONE;
            }
            return Progress.MORE;
        } finally {
            purgeDropped();
        }
    }

    /**
     * A page of history read after this node's last delivered serial, to fill a gap or to deliver what the fabric
     * never brought (a lost fan-out, a node cut off from its region). When history does not hold the missing
     * messages either, they are gone and delivery skips to what is pending (counted as unrecoverable).
     */
    synchronized Progress repair(HistoryPage page) {
        if (closed || !initialized) {
            return Progress.DONE;
        }
        boolean filled = false;
        for (ChannelMessage m : page.messages()) {
            if (lastDelivered == null || m.serial().compareTo(lastDelivered) > 0) {
                if (!m.serial().equals(expected())) {
                    metrics.gapUnrecoverable();
                }
                pending.remove(m.serial());
                deliver(m);
                filled = true;
            }
        }
        drainPending();
        if (filled) {
            metrics.gapFilled();
        }
        if (page.messages().isEmpty() && !pending.isEmpty()) {
            metrics.gapUnrecoverable();
            Iterator<ChannelMessage> it = pending.values().iterator();
            while (it.hasNext()) {
                ChannelMessage m = it.next();
                it.remove();
                deliver(m);
            }
        }
        purgeDropped();
        return page.more() ? Progress.MORE : Progress.DONE;
    }

    synchronized boolean removeSubscriber(String connectionId) {
        return subscriptions.remove(connectionId) != null;
    }

    /** True when messages wait behind a gap that history may fill (read it after {@link #lastDelivered}). */
    synchronized boolean hasGap() {
        return initialized && !closed && !pending.isEmpty();
    }

    /** Frames that are not part of the ordered stream (presence events) go to every subscriber entitled to them. */
    synchronized void broadcast(OutboundFrame frame) {
        for (Subscription sub : subscriptions.values()) {
            if (sub.presence) {
                send(sub, frame);
            }
        }
        purgeDropped();
    }

    /** Every subscriber (its client resumes elsewhere): the node's stream could not be repaired. */
    synchronized java.util.List<Subscriber> subscribers() {
        return subscriptions.values().stream().map(s -> s.subscriber).toList();
    }

    private boolean behind(Subscription sub) {
        return lastDelivered != null && (sub.cursor == null || sub.cursor.compareTo(lastDelivered) < 0);
    }

    /**
     * Turns the subscriber live when it has everything this node delivered, replaying from the recent buffer what it
     * lacks when the buffer reaches back to its cursor. Answers false (nothing sent) when it does not.
     */
    private boolean goLiveIfCaughtUp(Subscription sub) {
        if (!behind(sub)) {
            sub.live = true;
            return true;
        }
        Encoded oldest = recent.peekFirst();
        if (oldest == null || !reachesBackTo(oldest.message.serial(), sub.cursor)) {
            return false;
        }
        replayRecent(sub);
        sub.live = true;
        return true;
    }

    private static boolean reachesBackTo(Serial oldest, Serial cursor) {
        return cursor == null
                ? oldest.equals(Serial.of(ChannelState.FIRST_EPOCH, 1))
                : oldest.compareTo(cursor.next()) <= 0;
    }

    private void replayRecent(Subscription sub) {
        for (Encoded e : recent) {
            if (sub.cursor == null || e.message.serial().compareTo(sub.cursor) > 0) {
                if (!send(sub, e.frame)) {
                    return;
                }
                sub.cursor = e.message.serial();
            }
        }
    }

    /** A message read from history follows the cursor directly (a new epoch starts a new run of sequences). */
    private static boolean contiguous(Serial cursor, Serial next) {
        return cursor == null || cursor.epoch() != next.epoch() || next.seq() == cursor.seq() + 1;
    }

    private void drainPending() {
        while (!pending.isEmpty()) {
            Map.Entry<Serial, ChannelMessage> first = pending.firstEntry();
            Serial s = first.getKey();
            if (lastDelivered != null && s.compareTo(lastDelivered) <= 0) {
                pending.pollFirstEntry();
                continue;
            }
            if (!s.equals(expected())) {
                return;
            }
            pending.pollFirstEntry();
            deliver(first.getValue());
        }
    }

    /** The node's stream moves on by one message: every live subscriber that lacks it receives it. */
    private void deliver(ChannelMessage message) {
        OutboundFrame frame = OutboundFrame.message(Frames.message(message));
        lastDelivered = message.serial();
        long bytes = frame.wire().length;
        recent.addLast(new Encoded(message, frame, bytes));
        recentBytes += bytes;
        while (recent.size() > recentCapacity || (recentBytes > recentCapacityBytes && recent.size() > 1)) {
            recentBytes -= recent.removeFirst().bytes;
        }
        int delivered = 0;
        for (Subscription sub : subscriptions.values()) {
            if (!sub.live || (sub.cursor != null && message.serial().compareTo(sub.cursor) <= 0)) {
                continue;
            }
            if (send(sub, frame)) {
                sub.cursor = message.serial();
                delivered++;
            }
        }
        metrics.delivered(delivered);
    }

    /**
     * The one rule by which a frame reaches a subscriber: it is queued, or the subscription ends here, the message is
     * counted by why it was refused, and the subscriber's client resumes from its cursor on its next connection.
     */
    private boolean send(Subscription sub, OutboundFrame frame) {
        if (sub.dropped) {
            return false;
        }
        Subscriber.Offer offer = sub.subscriber.offer(frame);
        if (offer == Subscriber.Offer.QUEUED) {
            return true;
        }
        if (frame.isMessage()) {
            if (offer == Subscriber.Offer.FULL) {
                metrics.droppedSlowConsumer(1);
            } else {
                metrics.droppedConnectionClosed(1);
            }
        }
        sub.dropped = true;
        anyDropped = true;
        return false;
    }

    private void purgeDropped() {
        if (!anyDropped) {
            return;
        }
        anyDropped = false;
        subscriptions.values().removeIf(sub -> sub.dropped);
        subscriberLost.accept(this);
    }
}
