package io.heliograph.bridge.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.bridge.link.EnvelopeCodec;
import io.heliograph.bridge.v1.MessageEnvelope;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Durability;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AppendResult;

class ReplicatingCommitmentTest {

    private final InMemoryOutboundLog euWest = new InMemoryOutboundLog("eu-west", OutboundLimits.DEFAULTS,
            System::currentTimeMillis);
    private final InMemoryOutboundLog apSouth = new InMemoryOutboundLog("ap-south", OutboundLimits.DEFAULTS,
            System::currentTimeMillis);
    private final List<Serial> committedLate = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ReplicatingCommitment commitment = new ReplicatingCommitment(List.of(euWest, apSouth), 400, 2,
            (channel, serial) -> committedLate.add(serial));

    @AfterEach
    void close() {
        commitment.close();
    }

    private static AppendResult sequenced(long seq) {
        ChannelMessage m = new ChannelMessage("c", Serial.of(1, seq), "m" + seq, null, "{}", "alice", "us-east", 1);
        return AppendResult.sequenced(m, seq > 1 ? Serial.of(1, seq - 1) : null, Set.of(), 1);
    }

    private static MessageEnvelope only(InMemoryOutboundLog log) throws Exception {
        OutboundPage page = log.readAfter(0, 10, Long.MAX_VALUE);
        assertEquals(1, page.records().size(), page.toString());
        return MessageEnvelope.parseFrom(page.records().get(0).entry().payload());
    }

    @Test
    void everyPeerGetsTheMessageWithItsPredecessorAndRegionDurabilityDoesNotWait() throws Exception {
        long started = System.nanoTime();
        commitment.awaitDurable("c", sequenced(7), Durability.REGION);
        assertTrue(System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(300), "region durability waited");
        for (InMemoryOutboundLog log : List.of(euWest, apSouth)) {
            MessageEnvelope envelope = only(log);
            assertEquals(Serial.of(1, 7), EnvelopeCodec.fromWire(envelope.getSerial()));
            assertEquals(Serial.of(1, 6), EnvelopeCodec.previousOf(envelope));
        }
    }

    /** Invariants 3 and 5: a global publish returns only once another region holds it. */
    @Test
    void aGlobalPublishWaitsForOnePeersAcknowledgement() throws Exception {
        CompletableFuture<Void> publish = CompletableFuture.runAsync(
                () -> commitment.awaitDurable("c", sequenced(1), Durability.GLOBAL));
        // Held until a peer acknowledges: not done while nobody has.
        assertThrows(java.util.concurrent.TimeoutException.class, () -> publish.get(150, TimeUnit.MILLISECONDS));
        apSouth.acknowledge(1);
        publish.get(5, TimeUnit.SECONDS);
        assertEquals(0, commitment.globalTimeouts());
    }

    @Test
    void aGlobalPublishNoPeerConfirmsIsAnswered503AndStaysInTheLogs() throws Exception {
        HeliographException e = assertThrows(HeliographException.class,
                () -> commitment.awaitDurable("c", sequenced(3), Durability.GLOBAL));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("same msgId"), e.getMessage());
        assertEquals(1, commitment.globalTimeouts());
        assertEquals(Serial.of(1, 3), EnvelopeCodec.fromWire(only(euWest).getSerial()),
                "still on its way: the retry is answered once a peer holds it");
        assertEquals(1, commitment.lateCommitsWaiting());
        assertTrue(committedLate.isEmpty());
        euWest.acknowledge(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (committedLate.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(List.of(Serial.of(1, 3)), committedLate, "committed once a peer holds it, with nobody waiting");
        assertEquals(0, commitment.lateCommitsWaiting());
    }

    /** The retry of a publish whose first attempt timed out goes to every peer again and is confirmed on its own. */
    @Test
    void aRetriedDuplicateIsSentAgainAndConfirmedLikeTheFirst() throws Exception {
        AppendResult first = sequenced(4);
        AppendResult retry = AppendResult.duplicate(first.message(), true, Set.of(), 1);
        assertThrows(HeliographException.class, () -> commitment.awaitDurable("c", first, Durability.GLOBAL));
        euWest.acknowledge(1);
        CompletableFuture<Void> again = CompletableFuture.runAsync(
                () -> commitment.awaitDurable("c", retry, Durability.GLOBAL));
        assertThrows(java.util.concurrent.TimeoutException.class, () -> again.get(150, TimeUnit.MILLISECONDS),
                "the retry waits for its own entry, not the first attempt's");
        euWest.acknowledge(2);
        again.get(5, TimeUnit.SECONDS);
        assertEquals(2, apSouth.status().lastAppended(), "both attempts went to every peer");
        MessageEnvelope resent = MessageEnvelope.parseFrom(
                apSouth.readAfter(1, 10, Long.MAX_VALUE).records().get(0).entry().payload());
        assertEquals(Serial.of(1, 4), EnvelopeCodec.fromWire(resent.getSerial()));
        assertEquals(Serial.of(1, 3), EnvelopeCodec.previousOf(resent), "within an epoch the predecessor is known");
    }

    @Test
    void aDuplicateWhoseOriginalLeftHistoryIsNotSentAgain() {
        AppendResult gone = AppendResult.duplicate(sequenced(9).message(), false, Set.of(), 1);
        commitment.awaitDurable("c", gone, Durability.GLOBAL);
        assertEquals(0, euWest.status().lastAppended());
    }

    @Test
    void aRegionWithPeersOffersGlobalByDefault() {
        assertEquals(Durability.GLOBAL, commitment.byDefault());
        assertTrue(commitment.offers(Durability.GLOBAL));
        assertThrows(IllegalArgumentException.class,
                () -> new ReplicatingCommitment(List.of(), 100, 1, (channel, serial) -> { }));
    }
}
