package io.heliograph.bridge.link;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.heliograph.bridge.v1.LinkFrame;
import io.heliograph.bridge.v1.PresenceChange;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.ReplicateResult;

/**
 * Stores what one peer region sends, channel by channel. Each channel has a lane: its envelopes are stored strictly
 * in the order they arrived, by one store at a time, and the envelopes that queued up behind a store go in one call
 * (region-state's {@code replicateAll}: one round trip to the channel's partition instead of one per envelope).
 * Different channels live on different partitions, so their lanes store in parallel. Presence changes have a lane of
 * their own, in order.
 *
 * <p>What may be acknowledged ({@link #ackable()}) is cumulative over all lanes: everything below the first frame
 * that is not held yet ({@link PeerInbound}), so an acknowledgement never covers a frame whose store has not finished,
 * whichever lane finished first. After each store this tells {@code onHeld}, which acknowledges at once.
 *
 * <p>An envelope that arrives ahead of its channel's predecessor is parked; each store of the channel lets the parked
 * ones that now follow in, and after {@link LinkTiming#reorderWaitMs()} the channel's lane fills the gap by Backfill.
 * A store that fails (the region could not confirm it, a Backfill call failed) leaves its frames not held and tells
 * {@code onFailure}, which ends the stream so that the peer sends them again.
 *
 * <p>Threads: frames are handed in by the stream's gRPC callback ({@link #accept}), which never blocks on storage;
 * lanes run on virtual threads; bookkeeping is under one lock per peer, never held across a store.
 */
final class PeerStore {

    private static final System.Logger LOG = System.getLogger(PeerStore.class.getName());
    /** The lane of presence changes (a name no channel has: channels are not empty). */
    private static final String PRESENCE_LANE = "";

    /**
     * A frame handed in, the {@link PeerInbound} it counts in, and whom to tell once it is finished with;
     * {@code countedParked}: counted already as having waited for its predecessor; {@code parked}: taken from the
     * parked ones to be tried again with a run of its channel (finished with already).
     */
    private record Item(LinkFrame frame, PeerInbound inbound, boolean snapshot, Runnable finished,
                        boolean countedParked, boolean parked) {

        Item(LinkFrame frame, PeerInbound inbound, boolean snapshot, Runnable finished) {
            this(frame, inbound, snapshot, finished, false, false);
        }

        Item counted() {
            return new Item(frame, inbound, snapshot, finished, true, parked);
        }

        static Item parked(LinkFrame frame, PeerInbound inbound) {
            return new Item(frame, inbound, false, () -> { }, true, true);
        }
    }

    private static Serial serialOf(Item item) {
        return EnvelopeCodec.fromWire(item.frame().getEnvelope().getSerial());
    }

    /** One channel's frames waiting for its store, and whether its store runs now. */
    private static final class Lane {
        final String channel;
        final ArrayDeque<Item> queued = new ArrayDeque<>();
        boolean running;
        /** Parked frames of the channel are due for Backfill. */
        boolean flushDue;

        Lane(String channel) {
            this.channel = channel;
        }
    }

    private final String peerRegion;
    private final EnvelopeApplier applier;
    private final PresenceSink presence;
    private final ReceiverCounters counters;
    private final Supplier<PeerBackfill> backfill;
    private final LinkTiming timing;
    private final LongSupplier nowMs;
    private final Executor executor;
    private final Runnable onHeld;
    private final Consumer<String> onFailure;
    private final Object lock = new Object();
    private final Map<String, Lane> lanes = new HashMap<>();
    private PeerInbound inbound = new PeerInbound();

    /**
     * @param backfill  the Backfill call towards the peer, for a gap
     * @param executor  where lanes run (virtual threads: a store blocks)
     * @param onHeld    told after a store finished (what is held may have advanced)
     * @param onFailure told why, after a store failed (its frames are not held)
     */
    PeerStore(String peerRegion, EnvelopeApplier applier, PresenceSink presence, ReceiverCounters counters,
              Supplier<PeerBackfill> backfill, LinkTiming timing, LongSupplier nowMs, Executor executor,
              Runnable onHeld, Consumer<String> onFailure) {
        this.peerRegion = peerRegion;
        this.applier = applier;
        this.presence = presence;
        this.counters = counters;
        this.backfill = backfill;
        this.timing = timing;
        this.nowMs = nowMs;
        this.executor = executor;
        this.onHeld = onHeld;
        this.onFailure = onFailure;
    }

    /** Every link_seq of the peer up to this one is held by this region (0: none). */
    long ackable() {
        return inbound.ackable();
    }

    /** The highest link_seq received, held or not (0: none). */
    long highest() {
        synchronized (lock) {
            return inbound.highest();
        }
    }

    /** Envelopes waiting for their channel's predecessor now. */
    int parked() {
        synchronized (lock) {
            return inbound.parkedCount();
        }
    }

    /** Whether a store of this peer's frames is running or waiting to run (a long Backfill is not the peer's silence). */
    boolean busy() {
        synchronized (lock) {
            if (inbound.storingCount() > 0) {
                return true;
            }
            for (Lane lane : lanes.values()) {
                if (lane.running) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * A Hello names the incarnation of the peer's log: another one than the link_seqs held so far belong to means it
     * started again at 1; what is held of the old one is forgotten (frames of it still being stored finish, and count
     * nowhere). Answers whether it started again.
     */
    /** The incarnation of the peer's log that what is held counts in (0: none known). */
    long incarnation() {
        synchronized (lock) {
            return inbound.incarnation();
        }
    }

    boolean incarnation(long incarnation) {
        synchronized (lock) {
            boolean restarted = inbound.incarnation() != 0 && inbound.incarnation() != incarnation;
            if (restarted) {
                LOG.log(System.Logger.Level.WARNING, "the outbound log of " + peerRegion + " started again "
                        + "(incarnation " + Long.toHexString(incarnation) + ", was "
                        + Long.toHexString(inbound.incarnation()) + ", held through link_seq " + inbound.ackable()
                        + "): receiving it from the start");
                inbound = new PeerInbound();
            }
            inbound.incarnation(incarnation);
            return restarted;
        }
    }

    /**
     * Takes one frame of the peer (an envelope or presence change with its link_seq, or a member of its presence
     * snapshot) for storing, without waiting for the store; {@code finished} is called once it is stored, parked,
     * dropped or failed, on whichever thread that happens.
     */
    void accept(LinkFrame frame, boolean snapshot, Runnable finished) {
        boolean heldNow = false;
        boolean skipped = false;
        synchronized (lock) {
            PeerInbound in = inbound;
            long linkSeq = frame.getLinkSeq();
            if (!snapshot) {
                long before = in.highest();
                if (linkSeq > before + 1 && before > 0) {
                    counters.missedLinkEntries.addAndGet(linkSeq - before - 1);
                }
                // A resend of a frame whose first copy is still being stored or is parked: that copy decides.
                skipped = !in.admits(linkSeq);
            }
            if (skipped) {
                // Told below, outside the lock.
            } else if (frame.hasEnvelope()) {
                String problem = EnvelopeCodec.problemWith(frame.getEnvelope());
                if (problem != null) {
                    // Dropped and held: resending it would not make it well-formed, and refusing it would hold every
                    // frame after it.
                    counters.malformed.incrementAndGet();
                    LOG.log(System.Logger.Level.WARNING, "envelope at link_seq " + linkSeq + " from " + peerRegion
                            + " dropped: " + problem);
                    in.held(linkSeq);
                    heldNow = true;
                } else {
                    in.storing(linkSeq);
                    enqueue(frame.getEnvelope().getChannel(), new Item(frame, in, false, finished));
                }
            } else if (frame.hasPresence()) {
                if (!snapshot) {
                    in.storing(linkSeq);
                }
                enqueue(PRESENCE_LANE, new Item(frame, in, snapshot, finished));
            } else {
                throw new IllegalArgumentException("not a stored frame: " + frame.getBodyCase());
            }
        }
        if (skipped || heldNow) {
            finished.run();
        }
        if (heldNow) {
            onHeld.run();
        }
    }

    /** From the timer: channels whose parked envelopes waited their time get their lane to fill the gap. */
    void flushOverdue(long nowMs) {
        synchronized (lock) {
            for (String channel : inbound.channelsParkedBefore(nowMs - timing.reorderWaitMs())) {
                Lane lane = lanes.computeIfAbsent(channel, Lane::new);
                lane.flushDue = true;
                schedule(lane);
            }
        }
    }

    /** Under the lock. */
    private void enqueue(String laneName, Item item) {
        Lane lane = lanes.computeIfAbsent(laneName, Lane::new);
        lane.queued.add(item);
        schedule(lane);
    }

    /** Under the lock. */
    private void schedule(Lane lane) {
        if (!lane.running) {
            lane.running = true;
            executor.execute(() -> run(lane));
        }
    }

    /** A lane's store: takes what queued up, stores it, records the outcomes, until nothing is left. */
    private void run(Lane lane) {
        while (true) {
            List<Item> batch = new ArrayList<>();
            boolean flush;
            PeerInbound current;
            synchronized (lock) {
                int max = lane.channel.equals(PRESENCE_LANE) ? Integer.MAX_VALUE : timing.readBatch();
                while (!lane.queued.isEmpty() && batch.size() < max) {
                    batch.add(lane.queued.poll());
                }
                flush = lane.flushDue;
                lane.flushDue = false;
                current = inbound;
                if (batch.isEmpty() && !flush) {
                    lane.running = false;
                    if (lane.queued.isEmpty() && !current.hasParked(lane.channel)) {
                        lanes.remove(lane.channel, lane);
                    }
                    return;
                }
            }
            try {
                if (lane.channel.equals(PRESENCE_LANE)) {
                    storePresence(batch);
                } else {
                    if (!batch.isEmpty()) {
                        storeEnvelopes(lane.channel, batch);
                    }
                    if (flush) {
                        flushParked(lane.channel, current);
                    }
                }
            } catch (RuntimeException e) {
                failLane(lane, batch, e);
            }
            onHeld.run();
        }
    }

    private void storePresence(List<Item> batch) {
        for (int i = 0; i < batch.size(); i++) {
            Item item = batch.get(i);
            PresenceChange change = item.frame().getPresence();
            try {
                if (item.snapshot()) {
                    presence.acceptSnapshot(peerRegion, change);
                    counters.presenceSnapshotEntries.incrementAndGet();
                } else {
                    presence.accept(peerRegion, change);
                    counters.presenceDelivered.incrementAndGet();
                }
            } catch (RuntimeException e) {
                throw new LaneFailure(batch.subList(i, batch.size()), e);
            }
            synchronized (lock) {
                if (!item.snapshot()) {
                    item.inbound().stored(item.frame().getLinkSeq());
                }
            }
            item.finished().run();
        }
    }

    /**
     * One call for the run of envelopes together with the channel's parked ones, in the channel's order (by serial):
     * an envelope that arrived ahead of its predecessor waits for it within the run, as it would have waited parked
     * (and is counted so), and a parked one whose predecessor is in the run follows it in the same call. The store
     * still takes each only after its {@code previous}; what does not follow (GAP) is parked.
     */
    private void storeEnvelopes(String channel, List<Item> arrived) {
        boolean[] ahead = new boolean[arrived.size()];
        Serial lowestAfter = null;
        for (int i = arrived.size() - 1; i >= 0; i--) {
            Serial serial = serialOf(arrived.get(i));
            ahead[i] = lowestAfter != null && lowestAfter.compareTo(serial) < 0;
            lowestAfter = lowestAfter == null || serial.compareTo(lowestAfter) < 0 ? serial : lowestAfter;
        }
        List<Item> batch = new ArrayList<>(arrived.size());
        for (int i = 0; i < arrived.size(); i++) {
            if (ahead[i]) {
                counters.parked.incrementAndGet();
            }
            batch.add(ahead[i] ? arrived.get(i).counted() : arrived.get(i));
        }
        PeerInbound in = arrived.getFirst().inbound();
        synchronized (lock) {
            // The lowest first, and a bounded number: a gap that only Backfill can fill must not make every run big.
            for (LinkFrame waiting : in.parkedOf(channel)) {
                if (batch.size() >= 2 * timing.readBatch()) {
                    break;
                }
                batch.add(Item.parked(waiting, in));
            }
        }
        batch.sort(Comparator.comparing(PeerStore::serialOf));
        List<LinkFrame> frames = new ArrayList<>(batch.size());
        for (Item item : batch) {
            frames.add(item.frame());
        }
        List<ReplicateResult.Outcome> outcomes = applier.applyAll(peerRegion, channel, frames);
        long now = nowMs.getAsLong();
        List<LinkFrame> tooMany = new ArrayList<>();
        synchronized (lock) {
            for (int i = 0; i < batch.size(); i++) {
                Item item = batch.get(i);
                boolean gap = outcomes.get(i) == ReplicateResult.Outcome.GAP;
                if (item.parked()) {
                    if (!gap) {
                        item.inbound().unpark(item.frame());
                    }
                } else if (gap) {
                    if (!item.countedParked()) {
                        counters.parked.incrementAndGet();
                    }
                    item.inbound().park(item.frame(), now);
                    if (item.inbound().parkedCount() > RegionBridgeService.MAX_PARKED) {
                        // Bounded: the oldest goes to Backfill now rather than waiting its time out.
                        LinkFrame oldest = item.inbound().oldest();
                        item.inbound().dueNow(oldest);
                        tooMany.add(oldest);
                    }
                } else {
                    item.inbound().stored(item.frame().getLinkSeq());
                }
            }
            for (LinkFrame oldest : tooMany) {
                Lane lane = lanes.computeIfAbsent(oldest.getEnvelope().getChannel(), Lane::new);
                lane.flushDue = true;
                schedule(lane);
            }
        }
        for (Item item : batch) {
            item.finished().run();
        }
    }

    /** {@link #tryParkedSuccessors}; a failure leaves them parked, not held, for their wait's end. */
    private void applyParkedSuccessors(String channel, PeerInbound in) {
        try {
            tryParkedSuccessors(channel, in);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "channel " + channel + " from " + peerRegion + ": storing parked "
                    + "envelopes failed (" + e.getMessage() + "); they stay parked");
        }
    }

    /** After envelopes of {@code channel} were stored, the parked ones that now (transitively) follow them. */
    private void tryParkedSuccessors(String channel, PeerInbound in) {
        while (true) {
            List<LinkFrame> parked;
            synchronized (lock) {
                parked = in.parkedOf(channel);
            }
            if (parked.isEmpty()) {
                return;
            }
            List<ReplicateResult.Outcome> outcomes = applier.applyAll(peerRegion, channel, parked);
            boolean progress = false;
            synchronized (lock) {
                for (int i = 0; i < parked.size(); i++) {
                    if (outcomes.get(i) != ReplicateResult.Outcome.GAP) {
                        in.unpark(parked.get(i));
                        progress = true;
                    }
                }
            }
            if (!progress) {
                return;
            }
        }
    }

    /**
     * The channel's parked envelopes that waited their time: each stored with its gap filled by Backfill (as
     * {@link EnvelopeApplier#apply} does). When Backfill fails the envelope stays parked, not held, for the next
     * attempt.
     */
    private void flushParked(String channel, PeerInbound in) {
        List<LinkFrame> due;
        synchronized (lock) {
            due = in.parkedBefore(channel, nowMs.getAsLong() - timing.reorderWaitMs());
        }
        for (LinkFrame parked : due) {
            synchronized (lock) {
                if (!in.parkedOf(channel).contains(parked)) {
                    continue;
                }
            }
            try {
                counters.parkTimeouts.incrementAndGet();
                applier.apply(peerRegion, parked.getEnvelope(), backfill.get());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "channel " + channel + " from " + peerRegion + ": Backfill for "
                        + "a parked envelope failed (" + e.getMessage() + "); kept for later");
                synchronized (lock) {
                    in.park(parked, nowMs.getAsLong());
                }
                return;
            }
            synchronized (lock) {
                in.unpark(parked);
            }
            applyParkedSuccessors(channel, in);
        }
    }

    /** A store failed: its frames and the lane's queued ones are not held; the stream is ended so they come again. */
    private void failLane(Lane lane, List<Item> batch, RuntimeException e) {
        List<Item> failed = e instanceof LaneFailure f ? new ArrayList<>(f.items) : new ArrayList<>(batch);
        RuntimeException cause = e instanceof LaneFailure f ? f.cause : e;
        synchronized (lock) {
            failed.addAll(lane.queued);
            lane.queued.clear();
            for (Item item : failed) {
                if (!item.snapshot()) {
                    item.inbound().storeFailed(item.frame().getLinkSeq());
                }
            }
        }
        for (Item item : failed) {
            item.finished().run();
        }
        String description = (lane.channel.equals(PRESENCE_LANE) ? "presence" : "channel " + lane.channel)
                + ": " + cause;
        LOG.log(System.Logger.Level.WARNING, "storing frames from " + peerRegion + " failed (" + description
                + "); the stream is closed so that they are resent");
        onFailure.accept(description);
    }

    /** Failed presence items, from the one that failed on. */
    private static final class LaneFailure extends RuntimeException {
        final List<Item> items;
        final RuntimeException cause;

        LaneFailure(List<Item> items, RuntimeException cause) {
            super(cause.getMessage(), cause, false, false);
            this.items = new ArrayList<>(items);
            this.cause = cause;
        }
    }

    /**
     * The peer can no longer resend anything below {@code oldestLinkSeq} (its Hello's {@code oldest_link_seq}):
     * failed frames below it are missed, as a jump in link_seqs is (their channels are repaired by Backfill at their
     * next message).
     */
    void peerResendsFrom(long oldestLinkSeq) {
        synchronized (lock) {
            int forgotten = inbound.forgetFailedBelow(oldestLinkSeq);
            if (forgotten > 0) {
                counters.missedLinkEntries.addAndGet(forgotten);
            }
        }
    }
}
