package io.heliograph.edge.api;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;

import io.heliograph.region.fabric.FanOut;
import io.heliograph.edge.config.DurabilityRules;
import io.heliograph.edge.observe.EdgeMetrics;
import io.heliograph.protocol.ChannelName;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.PresenceMember;
import io.heliograph.protocol.Serial;
import io.heliograph.protocol.Utf8;
import io.heliograph.protocol.auth.Operation;
import io.heliograph.protocol.auth.TokenClaims;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.HistoryPage;
import io.heliograph.region.channel.PublishRequest;
import io.heliograph.region.forwarding.ForwardOutcome;
import io.heliograph.region.forwarding.ForwardedPublish;
import io.heliograph.region.fabric.RegionFabric;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;
import io.heliograph.region.presence.PresenceRegistry;
import io.heliograph.region.presence.PresenceReplication;
import io.heliograph.region.sequencing.Commitment;
import io.heliograph.region.sequencing.Home;
import io.heliograph.protocol.Durability;
import io.heliograph.region.sequencing.Sequencer;

/** Region operations on behalf of an authenticated client, after validation and capability checks. */
public final class EdgeOperations {

    private static final System.Logger LOG = System.getLogger(EdgeOperations.class.getName());

    public static final int MAX_MSG_ID_LENGTH = 64;
    public static final int MAX_NAME_LENGTH = 256;
    public static final int DEFAULT_HISTORY_LIMIT = 100;
    public static final int MAX_HISTORY_LIMIT = 1000;
    /**
     * Bytes of messages in one history page beyond its first (as {@link HistoryPage#sizeOf} counts them): a page
     * always fits a connection's outbound queue, whatever the messages' size; {@code more} says when it was cut.
     */
    public static final long HISTORY_PAGE_BYTES = 1024 * 1024;

    private final ChannelLog log;
    private final Sequencer sequencer;
    private final Commitment commitment;
    private final PresenceRegistry presence;
    private final PresenceReplication presenceReplication;
    private final DurabilityRules durabilityDefaults;
    private final RegionFabric fabric;
    private final FanOut fanOut;
    private final EdgeMetrics metrics;
    private final String region;
    private final int maxMessageBytes;
    private final LongSupplier nowMs;

    public EdgeOperations(ChannelLog log, Sequencer sequencer, Commitment commitment, PresenceRegistry presence,
                          PresenceReplication presenceReplication, DurabilityRules durabilityDefaults,
                          RegionFabric fabric, FanOut fanOut, EdgeMetrics metrics, String region, int maxMessageBytes,
                          LongSupplier nowMs) {
        this.log = log;
        this.sequencer = sequencer;
        this.commitment = commitment;
        this.presence = presence;
        this.presenceReplication = presenceReplication;
        this.durabilityDefaults = durabilityDefaults;
        this.fabric = fabric;
        this.fanOut = fanOut;
        this.metrics = metrics;
        this.region = region;
        this.maxMessageBytes = maxMessageBytes;
        this.nowMs = nowMs;
    }

    public static void require(TokenClaims claims, String channel, Operation operation) {
        if (!claims.capabilities().allows(channel, operation)) {
            throw new HeliographException(ErrorCode.FORBIDDEN,
                    "token lacks the '" + operation.wireName() + "' capability on channel " + channel);
        }
    }

    public static String validChannel(String channel) {
        return ChannelName.require(channel);
    }

    public static String validMsgId(String msgId) {
        if (msgId == null) {
            return null;
        }
        if (msgId.isEmpty() || msgId.length() > MAX_MSG_ID_LENGTH) {
            throw HeliographException.badRequest("msgId must be 1 to " + MAX_MSG_ID_LENGTH + " characters");
        }
        return msgId;
    }

    public static Serial validSerial(String field, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Serial.parse(text);
        } catch (IllegalArgumentException e) {
            throw HeliographException.badRequest(field + ": " + e.getMessage());
        }
    }

    public static int validLimit(Integer limit) {
        if (limit == null) {
            return DEFAULT_HISTORY_LIMIT;
        }
        if (limit < 1 || limit > MAX_HISTORY_LIMIT) {
            throw HeliographException.badRequest("limit must be 1 to " + MAX_HISTORY_LIMIT);
        }
        return limit;
    }

    /** What a publish was answered with: its (first) serial and msgId, and how durable it is. */
    public record Published(AppendResult result, Durability durability) {
    }

    /**
     * Sequences (here when this region is the channel's home, else at the home), makes durable as asked (region:
     * stored with its backup; global: held by another region too), then fans out a message; idempotent by msgId.
     * Answers once durable: nothing is delivered that is not.
     *
     * @param dataJson   the payload as JSON text
     * @param durability as the publisher asked, null for the deployment's default
     */
    public Published publish(TokenClaims claims, String channel, String name, String dataJson, String msgId,
                             Durability durability) {
        long started = System.nanoTime();
        validChannel(channel);
        require(claims, channel, Operation.PUBLISH);
        validMsgId(msgId);
        if (name != null && name.length() > MAX_NAME_LENGTH) {
            throw HeliographException.badRequest("name must be at most " + MAX_NAME_LENGTH + " characters");
        }
        if (Utf8.exceeds(dataJson, maxMessageBytes)) {
            throw new HeliographException(ErrorCode.TOO_LARGE,
                    "message data is larger than the limit of " + maxMessageBytes + " bytes");
        }
        Durability wanted = durability != null ? durability
                : durabilityDefaults.forChannel(channel, commitment.byDefault());
        if (!commitment.offers(wanted)) {
            // Refused before anything is sequenced: it can never be given here, and a retry would not help.
            throw HeliographException.badRequest("durability \"" + wanted.wireName() + "\" needs another region to "
                    + "hold the message, and this region has no bridge to one; publish with \"region\" or none");
        }
        String id = msgId != null ? msgId : UUID.randomUUID().toString();
        PublishRequest request = new PublishRequest(id, name, dataJson, claims.clientId(), region, nowMs.getAsLong());
        Home home = sequencer.homeOf(channel);
        if (!sequencer.isLocal(home)) {
            AppendResult result;
            try {
                result = sequencer.sequenceAt(home, channel, request, wanted == Durability.GLOBAL);
                metrics.forwarded("out", "ok", System.nanoTime() - started);
            } catch (HeliographException e) {
                metrics.forwarded("out", e.code() == ErrorCode.UNAVAILABLE ? "unavailable" : "refused",
                        System.nanoTime() - started);
                throw e;
            }
            metrics.messageIn();
            // The home sequenced it and answers once it is as durable as asked; it reaches this region's subscribers
            // by replication, like every message the home sequences.
            metrics.published(System.nanoTime() - started, result.duplicate());
            return new Published(result, wanted);
        }
        return sequenceHere(home, channel, request, wanted, started);
    }

    /**
     * A publish another region accepted for a channel homed here (through the region bridges), sequenced as if one of
     * this region's clients had published it: the accepting region checked the publisher's token. Never forwarded
     * again: a channel this region does not consider its own is refused (503), so two regions whose home tables
     * disagree cannot pass a publish back and forth.
     */
    public ForwardOutcome publishAtHome(ForwardedPublish forwarded) {
        long started = System.nanoTime();
        try {
            String channel = validChannel(forwarded.channel());
            if (validMsgId(forwarded.msgId()) == null) {
                throw HeliographException.badRequest("a forwarded publish carries its msgId");
            }
            if (forwarded.name() != null && forwarded.name().length() > MAX_NAME_LENGTH) {
                throw HeliographException.badRequest("name must be at most " + MAX_NAME_LENGTH + " characters");
            }
            if (Utf8.exceeds(forwarded.dataJson(), maxMessageBytes)) {
                throw new HeliographException(ErrorCode.TOO_LARGE,
                        "message data is larger than the limit of " + maxMessageBytes + " bytes");
            }
            Home home = sequencer.homeOf(channel);
            if (!sequencer.isLocal(home)) {
                throw new HeliographException(ErrorCode.UNAVAILABLE, "region " + region + " is not the home of "
                        + channel + " (its table says " + home.region() + "; region " + forwarded.originRegion()
                        + " forwarded it here): the regions' home tables disagree");
            }
            if (forwarded.homeEpoch() > home.epoch()) {
                throw new HeliographException(ErrorCode.UNAVAILABLE, "region " + forwarded.originRegion()
                        + " knows epoch " + forwarded.homeEpoch() + " of " + channel + ", this region only "
                        + home.epoch() + "; retry once the home table has arrived");
            }
            if (!commitment.offers(forwarded.durability())) {
                throw HeliographException.badRequest("durability \"" + forwarded.durability().wireName()
                        + "\" cannot be given by region " + region);
            }
            Published published = sequenceHere(home, channel, forwarded.request(), forwarded.durability(), started);
            metrics.forwarded("in", "ok", System.nanoTime() - started);
            return ForwardOutcome.of(published.result());
        } catch (HeliographException e) {
            metrics.forwarded("in", e.code() == ErrorCode.UNAVAILABLE ? "unavailable" : "refused",
                    System.nanoTime() - started);
            return ForwardOutcome.refused(e);
        }
    }

    /** This region is the channel's home: sequence, make durable as asked, commit, fan out. */
    private Published sequenceHere(Home home, String channel, PublishRequest request, Durability wanted,
                                   long started) {
        boolean global = wanted == Durability.GLOBAL;
        AppendResult result = sequencer.sequenceAt(home, channel, request, global);
        metrics.messageIn();
        if (result.duplicate() && !result.committed()) {
            // A retry of a global publish still waiting for another region: it is global, whatever the retry asks.
            wanted = Durability.GLOBAL;
            global = true;
        }
        commitment.awaitDurable(channel, result, wanted);
        if (global && !result.committed()
                && !log.commitPublished(channel, result.message().serial())) {
            // A peer fenced it: another region took the channel over before it (this home's table was stale). It is
            // not in the channel's order and nobody saw it; the retry goes to the new home once the table is here.
            metrics.epochFenced();
            throw new HeliographException(ErrorCode.UNAVAILABLE, "message " + result.message().serial() + " on "
                    + channel + " was refused by another region: the channel moved to a newer epoch; retry");
        }
        // Otherwise another region holds it (and all before it, holding a channel only in order): readers see it now.
        fanOut.send(result);
        metrics.published(System.nanoTime() - started, result.duplicate());
        return new Published(result, wanted);
    }

    public HistoryPage history(TokenClaims claims, String channel, Serial fromSerial, int limit) {
        validChannel(channel);
        require(claims, channel, Operation.HISTORY);
        return log.history(channel, fromSerial, limit, HISTORY_PAGE_BYTES);
    }

    public List<PresenceMember> members(TokenClaims claims, String channel) {
        validChannel(channel);
        require(claims, channel, Operation.PRESENCE);
        return presence.members(channel);
    }

    public void enterOrUpdate(TokenClaims claims, String channel, String connectionId, String dataJson) {
        validChannel(channel);
        require(claims, channel, Operation.PRESENCE);
        if (dataJson != null && Utf8.exceeds(dataJson, maxMessageBytes)) {
            throw new HeliographException(ErrorCode.TOO_LARGE,
                    "presence data is larger than the limit of " + maxMessageBytes + " bytes");
        }
        PresenceEvent event = presence.enterOrUpdate(channel,
                new PresenceMember(claims.clientId(), connectionId, dataJson, region), fabric.localNodeId());
        fabric.broadcast(event);
        // To the peers after this region's subscribers: a peer unreachable now makes the enter 503 (retried, harmless).
        presenceReplication.replicate(event, nowMs.getAsLong());
    }

    /** Leaves; answers whether the connection was present. Needs no capability: leaving is always allowed. */
    public boolean leave(String channel, String connectionId) {
        PresenceEvent event = presence.leave(channel, connectionId);
        if (event != null) {
            fabric.broadcast(event);
            replicateOwn(event);
        }
        return event != null;
    }

    /**
     * Sends a leave of this region's own member to the peers; a failure is logged, not thrown: the leave is already
     * done here, and the clean-up that called this must go on with the other members.
     */
    private void replicateOwn(PresenceEvent event) {
        if (!region.equals(event.member().region())) {
            return;
        }
        try {
            presenceReplication.replicate(event, nowMs.getAsLong());
        } catch (RuntimeException e) {
            metrics.dropped("presence_replication");
            LOG.log(System.Logger.Level.WARNING, "presence " + event.action().wireName() + " of "
                    + event.member().connectionId() + " on " + event.channel() + " not sent to the peers: "
                    + e.getMessage());
        }
    }

    /** Called on the coordinator when a node left the region: its members leave, its interest is dropped. */
    public void forgetNode(String nodeId) {
        for (PresenceEvent event : presence.forgetNode(nodeId)) {
            fabric.broadcast(event);
            replicateOwn(event);
        }
        log.forgetNode(nodeId);
    }

    /**
     * Called on the coordinator now and then: forgets every node that still has presence members or interest but is
     * not a member of the region (its clean-up failed, or ran on a coordinator that died); answers those nodes.
     */
    public Set<String> forgetDepartedNodes() {
        Set<String> before = fabric.liveNodes();
        Set<String> departed = new java.util.LinkedHashSet<>(presence.nodesOtherThan(before));
        departed.addAll(log.interestedNodesOtherThan(before));
        // A node that joined during the scan may already have entered or attached: only the coordinator (Hazelcast's
        // master, which admits members) runs this, so a node seen in the maps is in its member list by now.
        departed.removeAll(fabric.liveNodes());
        // Other regions' members are held under a pseudo node per region: never a departed edge node of this one.
        departed.removeIf(PresenceReplication::isRemoteNode);
        for (String nodeId : departed) {
            forgetNode(nodeId);
        }
        return departed;
    }
}
