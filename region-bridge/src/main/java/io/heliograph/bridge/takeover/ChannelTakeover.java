package io.heliograph.bridge.takeover;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.heliograph.bridge.PeerChannel;
import io.heliograph.bridge.link.EnvelopeCodec;
import io.heliograph.bridge.link.PeerReplicas;
import io.heliograph.bridge.v1.BackfillPage;
import io.heliograph.bridge.v1.BackfillRequest;
import io.heliograph.bridge.v1.MessageEnvelope;
import io.heliograph.bridge.v1.YieldAnswer;
import io.heliograph.bridge.v1.YieldRequest;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.ReplicateResult;
import io.heliograph.region.forwarding.TakeoverAnswer;
import io.heliograph.region.forwarding.TakeoverLink;
import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.MeshTableStore;
import io.heliograph.region.sequencing.Home;
import io.heliograph.region.sequencing.Replication;

/**
 * The new home's side of a takeover (shared/MULTI-REGION.md, invariant 6), run by a bridge replica for its region's
 * edge nodes before their first serial of a channel in an epoch: every peer the mesh table does not mark down is asked
 * to yield (it takes nothing more of an older epoch past what it holds, and says what that is); the messages this
 * region lacks are fetched from the peer holding most, with Backfill, and stored in order (and sent on to this
 * region's subscribers) as replicated ones. A peer that cannot be asked refuses the takeover, so the publish is
 * answered 503 and retried: a home never starts an epoch that might skip a message a survivor holds.
 */
public final class ChannelTakeover implements TakeoverLink {

    private static final System.Logger LOG = System.getLogger(ChannelTakeover.class.getName());
    /** Messages per Backfill page while fetching a tail. */
    static final int PAGE_LIMIT = 256;

    private final String region;
    private final Map<String, PeerReplicas> peers;
    private final MeshTableStore tables;
    private final ChannelLog log;
    private final Replication replication;
    private final java.util.function.LongSupplier leaseEpoch;
    private final TakeoverCounters counters;

    public ChannelTakeover(String region, Map<String, PeerReplicas> peers, MeshTableStore tables, ChannelLog log,
                           Replication replication, java.util.function.LongSupplier leaseEpoch,
                           TakeoverCounters counters) {
        this.region = region;
        this.peers = Map.copyOf(peers);
        this.tables = tables;
        this.log = log;
        this.replication = replication;
        this.leaseEpoch = leaseEpoch;
        this.counters = counters;
    }

    @Override
    public TakeoverAnswer takeOver(String channel, Home home, long budgetMs) {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, budgetMs));
        if (!home.region().equals(region)) {
            return refused(channel, "region " + region + " is asked to take " + channel + " over for " + home.region());
        }
        Serial best = null;
        String bestPeer = null;
        // Read through to the region's copy: the table that marked a peer down may have been pushed to an edge node
        // a moment ago, and this process's cache follows by events (a takeover is rare, one read is cheap).
        Optional<MeshTable> table = tables.fresh();
        for (String peer : peers.keySet()) {
            if (table.map(t -> t.isDown(peer)).orElse(false)) {
                // Failed over: what only it held was never committed (shared/MULTI-REGION.md, invariant 3).
                continue;
            }
            YieldAnswer answer;
            try {
                answer = ask(peer, channel, home, deadlineNs);
            } catch (StatusRuntimeException e) {
                return refused(channel, "peer " + peer + " could not be asked to yield (" + e.getStatus().getCode()
                        + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription())
                        + ")");
            }
            if (!answer.getAccepted()) {
                return refused(channel, "peer " + peer + " knows epoch " + answer.getKnownEpoch() + " of " + channel
                        + ", above " + home.epoch() + ": this region's mesh table is stale");
            }
            if (answer.hasLatest()) {
                Serial latest = EnvelopeCodec.fromWire(answer.getLatest());
                if (best == null || latest.compareTo(best) > 0) {
                    best = latest;
                    bestPeer = peer;
                }
            }
        }
        Serial held = latest(channel);
        if (best != null && (held == null || held.compareTo(best) < 0)) {
            try {
                fetch(bestPeer, channel, held, best, deadlineNs);
            } catch (StatusRuntimeException e) {
                return refused(channel, "fetching " + channel + " up to " + best + " from " + bestPeer + " failed ("
                        + e.getStatus().getCode() + ")");
            }
            held = latest(channel);
            if (held == null || held.compareTo(best) < 0) {
                return refused(channel, "region " + region + " holds " + channel + " up to " + held + " only, short of "
                        + best + " held by " + bestPeer);
            }
        }
        counters.completed.incrementAndGet();
        LOG.log(System.Logger.Level.INFO, "took " + channel + " over in epoch " + home.epoch() + ", after " + held);
        return TakeoverAnswer.holding(held);
    }

    private Serial latest(String channel) {
        return log.latest(Set.of(channel)).get(channel);
    }

    /** Asks one peer to yield, over its replicas in turn (a standby or a dead one answers UNAVAILABLE). */
    private YieldAnswer ask(String peer, String channel, Home home, long deadlineNs) {
        PeerReplicas replicas = peers.get(peer);
        YieldRequest request = YieldRequest.newBuilder().setChannel(channel).setNewEpoch(home.epoch())
                .setNewHome(region).build();
        StatusRuntimeException last = Status.DEADLINE_EXCEEDED.withDescription("no time was left to ask")
                .asRuntimeException();
        for (int attempt = 0; attempt < replicas.size(); attempt++) {
            long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0) {
                break;
            }
            PeerChannel replica = replicas.current();
            try {
                return replica.yield(request, leftNs);
            } catch (StatusRuntimeException e) {
                last = e;
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw e;
                }
                replicas.failed(replica);
            }
        }
        throw last;
    }

    /** Fetches the channel from {@code peer} after {@code from} until {@code target} is held, storing in order. */
    private void fetch(String peer, String channel, Serial from, Serial target, long deadlineNs) {
        var backfill = peers.get(peer).backfill();
        Serial position = from;
        while (System.nanoTime() < deadlineNs) {
            BackfillRequest.Builder request = BackfillRequest.newBuilder().setChannel(channel).setLimit(PAGE_LIMIT)
                    .setLeaseEpoch(leaseEpoch.getAsLong());
            if (position != null) {
                request.setFromSerial(EnvelopeCodec.toWire(position));
            }
            BackfillPage page = backfill.backfill(request.build());
            boolean restart = page.getContinuityLost();
            for (MessageEnvelope envelope : page.getMessagesList()) {
                if (EnvelopeCodec.problemWith(envelope) != null) {
                    return;
                }
                ChannelMessage message = EnvelopeCodec.toMessage(envelope);
                Serial previous = EnvelopeCodec.previousOf(envelope);
                ReplicateResult result = restart ? replication.restartFrom(channel, message, previous)
                        : replication.replicate(channel, message, previous);
                restart = false;
                if (result.outcome() == ReplicateResult.Outcome.APPLIED) {
                    counters.fetched.incrementAndGet();
                } else if (result.outcome() == ReplicateResult.Outcome.GAP) {
                    // What the peer's history holds does not continue this region's: continue from it.
                    replication.restartFrom(channel, message, previous);
                    counters.fetched.incrementAndGet();
                }
                position = message.serial();
            }
            if (!page.getHasMore() || page.getMessagesCount() == 0 || position.compareTo(target) >= 0) {
                return;
            }
        }
    }

    private TakeoverAnswer refused(String channel, String problem) {
        counters.refused.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "takeover of " + channel + " refused: " + problem);
        return TakeoverAnswer.refused(problem);
    }
}
