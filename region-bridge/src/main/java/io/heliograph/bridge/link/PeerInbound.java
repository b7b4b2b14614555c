package io.heliograph.bridge.link;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.heliograph.bridge.v1.LinkFrame;

/**
 * What this region holds of one peer's link: the highest {@code link_seq} stored, and the envelopes parked because
 * they arrived before their channel's predecessor. A peer's outbound log is ordered by append, and several edge
 * nodes (or several publishers on one node) append a channel's messages after sequencing them, so seq 8 may be
 * logged just before seq 7; parking 8 until 7 comes, a few frames later, saves a Backfill (which could not even
 * return 7 while it waits for this very region to hold it, a global publish). What may be acknowledged is everything
 * below the first parked frame: a parked frame is not held.
 *
 * <p>Not thread-safe: the service uses it under the peer's store lock, and publishes {@link #ackable()} through a
 * volatile field.
 */
final class PeerInbound {

    /** A frame waiting for its predecessor, and since when (ms). */
    record Parked(LinkFrame frame, long sinceMs) {
    }

    private final TreeMap<Long, Parked> parked = new TreeMap<>();
    private final Map<String, Map<Long, LinkFrame>> parkedByChannel = new HashMap<>();
    private long highest;
    private volatile long ackable;
    /** The incarnation of the peer's log the link_seqs belong to (0: not known yet, or nothing appended there). */
    private long incarnation;

    long incarnation() {
        return incarnation;
    }

    void incarnation(long incarnation) {
        this.incarnation = incarnation;
    }

    /** The highest link_seq stored or parked (0: none). */
    long highest() {
        return highest;
    }

    /** Every link_seq up to this one is held by the region (0: none). */
    long ackable() {
        return ackable;
    }

    /** A frame was stored or parked: it counts toward what the peer has sent. */
    void received(long linkSeq) {
        highest = Math.max(highest, linkSeq);
        publish();
    }

    void park(LinkFrame frame, long nowMs) {
        parked.put(frame.getLinkSeq(), new Parked(frame, nowMs));
        parkedByChannel.computeIfAbsent(frame.getEnvelope().getChannel(), c -> new LinkedHashMap<>())
                .put(frame.getLinkSeq(), frame);
        publish();
    }

    void unpark(LinkFrame frame) {
        parked.remove(frame.getLinkSeq());
        Map<Long, LinkFrame> ofChannel = parkedByChannel.get(frame.getEnvelope().getChannel());
        if (ofChannel != null) {
            ofChannel.remove(frame.getLinkSeq());
            if (ofChannel.isEmpty()) {
                parkedByChannel.remove(frame.getEnvelope().getChannel());
            }
        }
        publish();
    }

    /** The frames of {@code channel} parked now, in link order (a copy). */
    List<LinkFrame> parkedOf(String channel) {
        Map<Long, LinkFrame> ofChannel = parkedByChannel.get(channel);
        return ofChannel == null ? List.of() : new ArrayList<>(ofChannel.values());
    }

    int parkedCount() {
        return parked.size();
    }

    /** The oldest parked frame (lowest link_seq), or null. */
    LinkFrame oldest() {
        var first = parked.firstEntry();
        return first == null ? null : first.getValue().frame();
    }

    /** Parked frames that have waited since before {@code cutoffMs}, in link order (a copy). */
    List<LinkFrame> parkedBefore(long cutoffMs) {
        List<LinkFrame> due = new ArrayList<>();
        for (Parked p : parked.values()) {
            if (p.sinceMs() < cutoffMs) {
                due.add(p.frame());
            }
        }
        return due;
    }

    /** Since when the longest-waiting frame has been parked, or -1 when none is. */
    long oldestSinceMs() {
        long oldest = -1;
        for (Parked p : parked.values()) {
            if (oldest < 0 || p.sinceMs() < oldest) {
                oldest = p.sinceMs();
            }
        }
        return oldest;
    }

    private void publish() {
        ackable = parked.isEmpty() ? highest : Math.min(highest, parked.firstKey() - 1);
    }
}
