package io.heliograph.bridge.link;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import io.heliograph.bridge.v1.LinkFrame;

/**
 * What this region holds of one peer's link: the highest {@code link_seq} received, and which of the frames up to it
 * are not held yet. A frame is not held while it is being stored (handed to its channel's store and not finished),
 * while it is parked (it arrived before its channel's predecessor), or after its store failed (until the peer sends it
 * again). What may be acknowledged is everything below the first frame that is not held; every other frame up to the
 * highest received is held (stored, or dropped as already held, never committed or malformed).
 *
 * <p>Parking: a peer's outbound log is ordered by append, and several edge nodes (or several publishers on one node)
 * append a channel's messages after sequencing them, so seq 8 may be logged just before seq 7; parking 8 until 7
 * comes, a few frames later, saves a Backfill (which could not even return 7 while it waits for this very region to
 * hold it, a global publish).
 *
 * <p>Not thread-safe: {@link PeerStore} uses it under its lock, and publishes {@link #ackable()} through a volatile
 * field.
 */
final class PeerInbound {

    /** A frame waiting for its predecessor, and since when (ms). */
    record Parked(LinkFrame frame, long sinceMs) {
    }

    private final TreeMap<Long, Parked> parked = new TreeMap<>();
    private final Map<String, Map<Long, LinkFrame>> parkedByChannel = new HashMap<>();
    /** Handed to a store and not finished. */
    private final TreeSet<Long> storing = new TreeSet<>();
    /** Their store failed: not held until the peer sends them again. */
    private final TreeSet<Long> failed = new TreeSet<>();
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

    /** The highest link_seq received (0: none). */
    long highest() {
        return highest;
    }

    /** Every link_seq up to this one is held by the region (0: none). */
    long ackable() {
        return ackable;
    }

    /**
     * Whether a frame of {@code linkSeq} that arrives now is to be stored: not when a copy of it is being stored or
     * is parked already (a resend after a reconnect); yes when it is new, held already (stored again, it is dropped
     * as a duplicate) or failed before.
     */
    boolean admits(long linkSeq) {
        return !storing.contains(linkSeq) && !parked.containsKey(linkSeq);
    }

    /** A frame was handed to a store: it counts toward what the peer has sent, and is not held until it finishes. */
    void storing(long linkSeq) {
        failed.remove(linkSeq);
        storing.add(linkSeq);
        highest = Math.max(highest, linkSeq);
        publish();
    }

    /** A frame was held at once (dropped as malformed, or a stored frame that needed no store). */
    void held(long linkSeq) {
        failed.remove(linkSeq);
        highest = Math.max(highest, linkSeq);
        publish();
    }

    /** The store of a frame finished and this region holds it. */
    void stored(long linkSeq) {
        storing.remove(linkSeq);
        publish();
    }

    /** The store of a frame failed: not held until the peer sends it again. */
    void storeFailed(long linkSeq) {
        storing.remove(linkSeq);
        failed.add(linkSeq);
        publish();
    }

    /** Forgets the failed frames below {@code linkSeq} (the peer cannot send them again); answers how many. */
    int forgetFailedBelow(long linkSeq) {
        var below = failed.headSet(linkSeq);
        int count = below.size();
        below.clear();
        publish();
        return count;
    }

    /** Frames being stored now. */
    int storingCount() {
        return storing.size();
    }

    /** The store of a frame found it ahead of its channel's predecessor: it waits for it. */
    void park(LinkFrame frame, long nowMs) {
        storing.remove(frame.getLinkSeq());
        parked.put(frame.getLinkSeq(), new Parked(frame, nowMs));
        parkedByChannel.computeIfAbsent(frame.getEnvelope().getChannel(), c -> new LinkedHashMap<>())
                .put(frame.getLinkSeq(), frame);
        publish();
    }

    /** A parked frame is held now (stored after its predecessor, or with its gap filled by Backfill). */
    void unpark(LinkFrame frame) {
        removeParked(frame);
        publish();
    }

    /** A parked frame goes back to its channel's store (its Backfill): being stored, not parked. */
    void unparkForStore(LinkFrame frame) {
        removeParked(frame);
        storing.add(frame.getLinkSeq());
        publish();
    }

    private void removeParked(LinkFrame frame) {
        parked.remove(frame.getLinkSeq());
        Map<Long, LinkFrame> ofChannel = parkedByChannel.get(frame.getEnvelope().getChannel());
        if (ofChannel != null) {
            ofChannel.remove(frame.getLinkSeq());
            if (ofChannel.isEmpty()) {
                parkedByChannel.remove(frame.getEnvelope().getChannel());
            }
        }
    }

    /** The frames of {@code channel} parked now, in the channel's order (by serial; a copy). */
    List<LinkFrame> parkedOf(String channel) {
        Map<Long, LinkFrame> ofChannel = parkedByChannel.get(channel);
        if (ofChannel == null) {
            return List.of();
        }
        List<LinkFrame> frames = new ArrayList<>(ofChannel.values());
        frames.sort(Comparator.comparing(f -> EnvelopeCodec.fromWire(f.getEnvelope().getSerial())));
        return frames;
    }

    boolean hasParked(String channel) {
        return parkedByChannel.containsKey(channel);
    }

    int parkedCount() {
        return parked.size();
    }

    /** The oldest parked frame (lowest link_seq), or null. */
    LinkFrame oldest() {
        var first = parked.firstEntry();
        return first == null ? null : first.getValue().frame();
    }

    /** Marks a parked frame as due for Backfill now, whatever its wait. */
    void dueNow(LinkFrame frame) {
        if (parked.containsKey(frame.getLinkSeq())) {
            parked.put(frame.getLinkSeq(), new Parked(frame, Long.MIN_VALUE));
        }
    }

    /** Parked frames of {@code channel} that have waited since before {@code cutoffMs}, in link order (a copy). */
    List<LinkFrame> parkedBefore(String channel, long cutoffMs) {
        Map<Long, LinkFrame> ofChannel = parkedByChannel.get(channel);
        if (ofChannel == null) {
            return List.of();
        }
        List<LinkFrame> due = new ArrayList<>();
        for (LinkFrame frame : ofChannel.values()) {
            Parked p = parked.get(frame.getLinkSeq());
            if (p != null && p.sinceMs() < cutoffMs) {
                due.add(frame);
            }
        }
        return due;
    }

    /** The channels with a frame parked since before {@code cutoffMs}. */
    List<String> channelsParkedBefore(long cutoffMs) {
        List<String> channels = new ArrayList<>();
        for (Parked p : parked.values()) {
            String channel = p.frame().getEnvelope().getChannel();
            if (p.sinceMs() < cutoffMs && !channels.contains(channel)) {
                channels.add(channel);
            }
        }
        return channels;
    }

    private void publish() {
        long firstNotHeld = Long.MAX_VALUE;
        if (!parked.isEmpty()) {
            firstNotHeld = parked.firstKey();
        }
        if (!storing.isEmpty()) {
            firstNotHeld = Math.min(firstNotHeld, storing.first());
        }
        if (!failed.isEmpty()) {
            firstNotHeld = Math.min(firstNotHeld, failed.first());
        }
        ackable = firstNotHeld == Long.MAX_VALUE ? highest : Math.min(highest, firstNotHeld - 1);
    }
}
