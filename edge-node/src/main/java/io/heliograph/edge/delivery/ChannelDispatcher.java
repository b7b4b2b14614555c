package io.heliograph.edge.delivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.heliograph.edge.channel.ChannelState;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Frames;
import io.heliograph.protocol.Serial;

/**
 * One channel's delivery on one node. Messages arrive from several publishing nodes in any order; the dispatcher
 * passes them on strictly in serial order: an early message waits in {@code pending} until the gap before it is filled
 * (by the missing message arriving, or from history after a short delay). Each subscriber has a cursor, the serial it
 * already has, and receives only what follows it. All methods hold the dispatcher's lock and never block.
 */
final class ChannelDispatcher {

    /** Outcome of adding a subscriber: null when done, else the serial from which history must be read first. */
    record Backfill(Serial after) {
    }

    private record Encoded(ChannelMessage message, OutboundFrame frame) {
    }

    private final String channel;
    private final int recentCapacity;
    private final DeliveryMetrics metrics;
    private boolean initialized;
    private Serial lastDelivered;
    private final TreeMap<Serial, ChannelMessage> pending = new TreeMap<>();
    private final ArrayDeque<Encoded> recent = new ArrayDeque<>();
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private boolean closed;
    private volatile long lastActivityNanos = System.nanoTime();

    void touchActivity(long nowNanos) {
        lastActivityNanos = nowNanos;
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** Attaches in progress; guarded by the hub's stripe lock for this channel. */
    private int reservations;

    private static final class Subscription {
        final Subscriber subscriber;
        Serial cursor;

        Subscription(Subscriber subscriber, Serial cursor) {
            this.subscriber = subscriber;
            this.cursor = cursor;
        }
    }

    ChannelDispatcher(String channel, int recentCapacity, DeliveryMetrics metrics) {
        this.channel = channel;
        this.recentCapacity = recentCapacity;
        this.metrics = metrics;
    }

    String channel() {
        return channel;
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
    }

    synchronized int subscriberCount() {
        return subscriptions.size();
    }

    synchronized boolean hasSubscriber(String connectionId) {
        return subscriptions.containsKey(connectionId);
    }

    synchronized Serial lastDelivered() {
        return lastDelivered;
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
        return !pending.isEmpty();
    }

    /**
     * The first attach of this node on the channel answered: everything after {@code latest} reaches this node through
     * the fabric.
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
    }

    /**
     * Adds (or moves) a subscriber that already has everything up to {@code cursor} (null: nothing). What this node
     * delivered after the cursor is replayed from the recent buffer; when that does not reach back far enough the
     * caller reads history from the answered serial and calls {@link #backfill} with it.
     */
    synchronized Backfill addSubscriber(Subscriber subscriber, Serial cursor) {
        Subscription existing = subscriptions.get(subscriber.connectionId());
        if (existing != null && existing.cursor != null && (cursor == null || existing.cursor.compareTo(cursor) > 0)) {
            cursor = existing.cursor; // attaching twice is harmless: never deliver a message twice
        }
        Subscription sub = new Subscription(subscriber, cursor);
        subscriptions.put(subscriber.connectionId(), sub);
        return replayRecent(sub);
    }

    private Backfill replayRecent(Subscription sub) {
        if (lastDelivered == null || (sub.cursor != null && sub.cursor.compareTo(lastDelivered) >= 0)) {
            return null;
        }
        Encoded oldest = recent.peekFirst();
        boolean covered = oldest != null && (sub.cursor == null
                ? oldest.message.serial().equals(Serial.of(ChannelState.FIRST_EPOCH, 1))
                : oldest.message.serial().compareTo(sub.cursor.next()) <= 0);
        if (!covered) {
            return new Backfill(sub.cursor);
        }
        for (Encoded e : recent) {
            if (sub.cursor == null || e.message.serial().compareTo(sub.cursor) > 0) {
                if (!sub.subscriber.offer(e.frame)) {
                    subscriptions.remove(sub.subscriber.connectionId());
                    metrics.droppedSlowConsumer();
                    return null;
                }
                sub.cursor = e.message.serial();
            }
        }
        return null;
    }

    /** Sends history messages read for a subscriber's backfill; answers the next backfill needed, if any. */
    synchronized Backfill backfill(String connectionId, List<ChannelMessage> messages) {
        Subscription sub = subscriptions.get(connectionId);
        if (sub == null) {
            return null;
        }
        for (ChannelMessage m : messages) {
            if (lastDelivered != null && m.serial().compareTo(lastDelivered) > 0) {
                break; // the live stream will carry it
            }
            if (sub.cursor == null || m.serial().compareTo(sub.cursor) > 0) {
                if (!sub.subscriber.offer(Frames.message(m))) {
                    subscriptions.remove(connectionId);
                    metrics.droppedSlowConsumer();
                    return null;
                }
                sub.cursor = m.serial();
            }
        }
        Backfill next = replayRecent(sub);
        if (next != null && messages.isEmpty()) {
            // History holds nothing more: what is missing is gone; go on from what this node still has.
            metrics.gapUnrecoverable();
            for (Encoded e : recent) {
                if (sub.cursor == null || e.message.serial().compareTo(sub.cursor) > 0) {
                    if (!sub.subscriber.offer(e.frame)) {
                        subscriptions.remove(connectionId);
                        metrics.droppedSlowConsumer();
                        return null;
                    }
                    sub.cursor = e.message.serial();
                }
            }
            return null;
        }
        return next;
    }

    synchronized boolean removeSubscriber(String connectionId) {
        return subscriptions.remove(connectionId) != null;
    }

    /** True when messages wait behind a gap that history may fill (read it after {@link #lastDelivered}). */
    synchronized boolean hasGap() {
        return initialized && !closed && !pending.isEmpty();
    }

    /**
     * Messages read from history to fill a gap. When history does not hold the missing messages either, they are gone
     * and delivery skips to what is pending (counted as unrecoverable).
     */
    synchronized void fillGap(List<ChannelMessage> fromHistory) {
        if (closed || !initialized) {
            return;
        }
        boolean filled = false;
        for (ChannelMessage m : fromHistory) {
            if (lastDelivered == null || m.serial().compareTo(lastDelivered) > 0) {
                if (!m.serial().equals(expected())) {
                    // History no longer holds what came between: those messages are gone for this node.
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
        if (!pending.isEmpty() && fromHistory.isEmpty()) {
            metrics.gapUnrecoverable();
            Iterator<ChannelMessage> it = pending.values().iterator();
            while (it.hasNext()) {
                ChannelMessage m = it.next();
                it.remove();
                deliver(m);
            }
        }
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

    private void deliver(ChannelMessage message) {
        OutboundFrame frame = OutboundFrame.of(Frames.message(message));
        lastDelivered = message.serial();
        recent.addLast(new Encoded(message, frame));
        if (recent.size() > recentCapacity) {
            recent.removeFirst();
        }
        int delivered = 0;
        List<String> slow = null;
        for (Subscription sub : subscriptions.values()) {
            if (sub.cursor != null && message.serial().compareTo(sub.cursor) <= 0) {
                continue;
            }
            if (sub.subscriber.offer(frame)) {
                sub.cursor = message.serial();
                delivered++;
            } else {
                if (slow == null) {
                    slow = new ArrayList<>();
                }
                slow.add(sub.subscriber.connectionId());
            }
        }
        if (slow != null) {
            slow.forEach(subscriptions::remove);
            slow.forEach(id -> metrics.droppedSlowConsumer());
        }
        metrics.delivered(delivered);
    }

    /** Frames that are not part of the ordered stream (presence events) go to every subscriber as they come. */
    synchronized void broadcast(OutboundFrame frame) {
        for (Subscription sub : subscriptions.values()) {
            sub.subscriber.offer(frame);
        }
    }
}
