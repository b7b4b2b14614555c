package io.heliograph.bridge.outbound;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

import io.heliograph.bridge.link.EnvelopeCodec;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Durability;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.sequencing.Commitment;

/**
 * The commitment of a region with peers: every sequenced message goes into each peer's outbound log (with its
 * backup) before it is acknowledged or delivered, so it reaches every region whatever fails afterwards; a {@code
 * global} publish also waits until at least one peer has acknowledged it, so it survives the loss of this whole region
 * (invariants 3 and 5). A publish that no peer confirms in time is answered 503 and not delivered: its retry with the
 * same msgId is answered with the same serial once a peer holds it, and if nobody retries, the message is committed
 * when a peer acknowledges it. (A node that dies meanwhile takes that watch with it: committing on acknowledgements
 * is the bridge's, once it runs.)
 */
public final class ReplicatingCommitment implements Commitment, AutoCloseable {

    /** Global messages whose publisher stopped waiting that are still watched for a peer's acknowledgement. */
    static final int MAX_LATE_COMMITS = 100_000;

    private final List<OutboundLog> logs;
    private final List<AckWatch> watches = new ArrayList<>();
    private final long globalTimeoutMs;
    private final BiConsumer<String, Serial> commitLate;
    private final LongAdder globalTimeouts = new LongAdder();
    private final AtomicInteger lateCommitsWaiting = new AtomicInteger();
    private final LongAdder lateCommitsAbandoned = new LongAdder();

    /**
     * @param logs            one outbound log per peer region (at least one)
     * @param globalTimeoutMs how long a global publish waits for a peer's acknowledgement before it is answered 503
     * @param ackPollMs       how often a waiting node reads each peer's acknowledged position
     * @param commitLate      commits a global message whose publisher stopped waiting, once a peer holds it (else
     *                        nothing after it on its channel would become visible until a retry)
     */
    /** The peers' outbound logs, one per peer region. */
    public List<OutboundLog> logs() {
        return logs;
    }

    public ReplicatingCommitment(List<OutboundLog> logs, long globalTimeoutMs, long ackPollMs,
                                 BiConsumer<String, Serial> commitLate) {
        if (logs.isEmpty()) {
            throw new IllegalArgumentException("a replicating commitment needs at least one peer's outbound log");
        }
        this.logs = List.copyOf(logs);
        this.globalTimeoutMs = globalTimeoutMs;
        this.commitLate = commitLate;
        for (OutboundLog log : this.logs) {
            watches.add(new AckWatch(log, ackPollMs));
        }
    }

    @Override
    public Durability byDefault() {
        return Durability.GLOBAL;
    }

    @Override
    public boolean offers(Durability durability) {
        return true;
    }

    @Override
    public void awaitDurable(String channel, AppendResult result, Durability durability) {
        if (!result.stored()) {
            // A duplicate whose original has left history: it was replicated long ago, or it never can be again.
            return;
        }
        ChannelMessage message = result.message();
        // A retried publish (a duplicate) may be the one whose first attempt never reached the logs: it goes in again,
        // and a peer that already holds it drops it by serial.
        Serial previous = result.duplicate() ? guessPrevious(message.serial()) : result.previous();
        OutboundEntry entry = OutboundEntry.envelope(EnvelopeCodec.toEnvelope(message, previous));
        long[] linkSeqs = new long[logs.size()];
        for (int i = 0; i < logs.size(); i++) {
            linkSeqs[i] = logs.get(i).append(entry);
        }
        if (durability == Durability.GLOBAL) {
            awaitAnyPeer(channel, message.serial(), linkSeqs);
        }
    }

    /**
     * Within an epoch the previous serial is the one before; at an epoch's first message it is not known here, and a
     * peer that lacks it finds the gap and reads it from this region's history.
     */
    private static Serial guessPrevious(Serial serial) {
        return serial.seq() > 1 ? Serial.of(serial.epoch(), serial.seq() - 1) : null;
    }

    private void awaitAnyPeer(String channel, Serial serial, long[] linkSeqs) {
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < linkSeqs.length; i++) {
            acks.add(watches.get(i).whenAcknowledged(linkSeqs[i]));
        }
        try {
            CompletableFuture.anyOf(acks.toArray(CompletableFuture[]::new)).get(globalTimeoutMs,
                    TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            globalTimeouts.increment();
            commitWhenAcknowledged(channel, serial, acks);
            throw new HeliographException(ErrorCode.UNAVAILABLE, "message " + serial + " on " + channel
                    + " is stored in this region but no other region confirmed it within " + globalTimeoutMs
                    + " ms; retry with the same msgId");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HeliographException(ErrorCode.UNAVAILABLE, "interrupted while waiting for another region");
        } catch (ExecutionException e) {
            throw new HeliographException(ErrorCode.UNAVAILABLE, "waiting for another region failed: "
                    + e.getCause().getMessage());
        }
    }

    /**
     * The publisher gave up waiting, but its message is on its way to every peer: commit it when one holds it. Bounded;
     * beyond the bound the message waits for its retry (or a later commit of its channel), and that is counted.
     */
    private void commitWhenAcknowledged(String channel, Serial serial, List<CompletableFuture<Void>> acks) {
        if (lateCommitsWaiting.incrementAndGet() > MAX_LATE_COMMITS) {
            lateCommitsWaiting.decrementAndGet();
            lateCommitsAbandoned.increment();
            return;
        }
        CompletableFuture.anyOf(acks.toArray(CompletableFuture[]::new)).whenComplete((ok, failure) -> {
            lateCommitsWaiting.decrementAndGet();
            if (failure == null) {
                try {
                    commitLate.accept(channel, serial);
                } catch (RuntimeException e) {
                    lateCommitsAbandoned.increment();
                }
            }
        });
    }

    /** Global messages waiting to be committed after their publisher stopped waiting. */
    public int lateCommitsWaiting() {
        return lateCommitsWaiting.get();
    }

    /** Late commits given up (over the bound, or the commit failed): their channel waits for a retry. */
    public long lateCommitsAbandoned() {
        return lateCommitsAbandoned.sum();
    }

    /** Global publishes answered 503 because no peer confirmed them in time. */
    public long globalTimeouts() {
        return globalTimeouts.sum();
    }

    @Override
    public void close() {
        watches.forEach(AckWatch::close);
    }
}
