package io.heliograph.bridge.link;

import io.grpc.Status;
import io.heliograph.bridge.outbound.OutboundLimits;
import io.heliograph.bridge.tls.ThrowawayCa;
import io.heliograph.protocol.Serial;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static io.heliograph.region.testing.RegionTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two regions in this JVM linked over real gRPC on 127.0.0.1 with mutual TLS: what one sequences converges in the
 * other's log exactly once, across cuts and overflows.
 */
class PeerLinkTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final String CHANNEL = "room:1";

    @TempDir
    Path directory;

    private LinkRegion usEast;
    private LinkRegion euWest;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeEach
    void regions() {
        ThrowawayCa ca = ThrowawayCa.create("peer-link-test", Duration.ofDays(1), InstantSource.system());
        ca.writeCa(directory);
        LinkTiming timing = LinkTiming.defaults().withBackoff(50, 500, 500);
        usEast = closing(new LinkRegion(ca, directory, "us-east", List.of("eu-west"), timing).startServer());
        euWest = closing(new LinkRegion(ca, directory, "eu-west", List.of("us-east"), timing).startServer());
        euWest.channelTo(usEast);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closeAfter.reversed()) {
            closeable.close();
        }
    }

    private <T extends AutoCloseable> T closing(T closeable) {
        closeAfter.add(closeable);
        return closeable;
    }

    @Test
    void messagesSequencedInOneRegionArriveInTheOtherInOrderWithTheirSerialsOnceAndTheLogIsTrimmed() {
        usEast.outboundTo("eu-west", OutboundLimits.DEFAULTS);
        List<Serial> sent = usEast.publish(CHANNEL, 150);
        LinkSender link = usEast.linkTo(euWest);
        sent.addAll(usEast.publish(CHANNEL, 150));

        await("eu-west holds all 300", WAIT, () -> euWest.history(CHANNEL).size() >= 300);
        assertEquals(sent, euWest.history(CHANNEL), "same serials, same order, once each");
        assertEquals(usEast.history(CHANNEL), euWest.history(CHANNEL));
        await("us-east's log trimmed by eu-west's acks", WAIT,
                () -> usEast.outbound.get("eu-west").status().acknowledged() == 300);
        assertEquals(0, usEast.outbound.get("eu-west").status().heldEntries());
        assertEquals(300, euWest.service.heldThrough("us-east"));
        assertEquals(300, euWest.service.counters().applied());
        assertEquals(0, euWest.service.counters().duplicates());
        assertEquals(LinkState.STREAMING, link.state());
        assertEquals(0, link.counters().overflowReports());
    }

    /**
     * Invariant 3 through the link: global publishes nobody waits for any more are unseen at their home until the
     * peer acknowledges them, and then committed there by the acknowledgement itself.
     */
    @Test
    void heldMessagesAreCommittedAtTheirHomeByThePeersAcknowledgement() {
        usEast.outboundTo("eu-west", OutboundLimits.DEFAULTS);
        List<Serial> sent = usEast.publish(CHANNEL, 20, true);
        assertEquals(List.of(), usEast.history(CHANNEL), "nothing is seen before another region holds it");
        usEast.linkTo(euWest);
        await("eu-west holds all 20", WAIT, () -> euWest.history(CHANNEL).size() >= 20);
        await("us-east commits them on eu-west's acknowledgement", WAIT,
                () -> usEast.history(CHANNEL).size() == 20);
        assertEquals(sent, usEast.history(CHANNEL));
    }

    @Test
    void aLinkCutMidStreamAndRestoredEndsWithEveryMessageOnceAndResendsOnlyFromTheLastAck() throws Exception {
        usEast.outboundTo("eu-west", OutboundLimits.DEFAULTS);
        LinkSender link = usEast.linkTo(euWest);
        List<Serial> sent = usEast.publish(CHANNEL, 200);
        await("some of it arrived", WAIT, () -> euWest.history(CHANNEL).size() >= 50);

        euWest.stopServer();
        long highestSentBeforeCut = link.counters().framesSent();
        await("the link noticed the cut", WAIT, () -> link.state() != LinkState.STREAMING);
        sent.addAll(usEast.publish(CHANNEL, 100));
        euWest.startServer();

        await("eu-west holds all 300", WAIT, () -> euWest.history(CHANNEL).size() >= 300
                && usEast.outbound.get("eu-west").status().acknowledged() == 300);
        List<Serial> held = euWest.history(CHANNEL);
        assertEquals(sent, held, "no gap, no duplicate, one order");
        assertEquals(held.size(), new HashSet<>(held).size());
        long resumedAfter = link.lastResumeAfter();
        assertTrue(resumedAfter > 0, "the new stream resumed from eu-west's acknowledgement, not from 0");
        assertEquals(highestSentBeforeCut + (300 - resumedAfter), link.counters().framesSent(),
                "after the reconnect only what followed eu-west's last ack was sent again");
        assertTrue(link.counters().streamsOpened() >= 2);
    }

    @Test
    void aHelloWithALowerLeaseEpochThanSeenIsRefusedAndCounted() {
        euWest.leaseEpoch.set(5);
        usEast.outboundTo("eu-west", OutboundLimits.DEFAULTS);
        LinkSender first = euWest.linkTo(usEast);
        await("epoch 5 admitted", WAIT, () -> first.state() == LinkState.STREAMING);
        first.close();

        euWest.leaseEpoch.set(4);
        euWest.senders.clear();
        LinkSender stale = closing(euWest.linkTo(usEast));
        await("epoch 4 refused", WAIT, () -> usEast.service.counters().refusedStaleEpoch() >= 1);
        assertEquals(5, usEast.service.fence("eu-west").highestSeen());
        assertTrue(usEast.service.fence("eu-west").refused() >= 1);
        await("the stale replica reads why", WAIT, () -> stale.lastFailure().contains("FAILED_PRECONDITION")
                && stale.lastFailure().contains("lease epoch 4"));
        assertTrue(stale.state() != LinkState.STREAMING);
    }

    @Test
    void aHelloWhoseOriginDiffersFromTheCertificateIsRefused() throws Exception {
        BridgeTestingInbox inbox = new BridgeTestingInbox();
        var requests = euWest.channelTo(usEast).link(inbox);
        requests.onNext(io.heliograph.bridge.v1.LinkFrame.newBuilder().setHello(io.heliograph.bridge.v1.Hello
                .newBuilder().setOriginRegion("ap-south").setLeaseEpoch(1).setProtocolVersion(1)).build());
        Status status = inbox.awaitError(WAIT);
        assertEquals(Status.Code.PERMISSION_DENIED, status.getCode());
        assertTrue(status.getDescription().contains("ap-south") && status.getDescription().contains("eu-west"),
                status.getDescription());
        assertEquals(1, usEast.service.counters().refusedWrongOrigin());
    }

    @Test
    void aRangeTheOutboundLogDroppedIsBackfilledFromTheOriginsHistoryAndTheRegionsConverge() {
        usEast.outboundTo("eu-west", new OutboundLimits(5, 64L * 1024 * 1024, 600_000));
        LinkSender link = usEast.linkTo(euWest);
        List<Serial> sent = usEast.publish(CHANNEL, 3);
        await("the first three arrived", WAIT, () -> euWest.history(CHANNEL).size() == 3);
        link.close();

        // While the link is down 20 more are sequenced; the log keeps only the newest 5.
        sent.addAll(usEast.publish(CHANNEL, 20));
        assertTrue(usEast.outbound.get("eu-west").status().overflowed());
        usEast.senders.clear();
        LinkSender again = closing(usEast.linkTo(euWest));

        await("eu-west converged", WAIT, () -> euWest.history(CHANNEL).size() == 23);
        assertEquals(sent, euWest.history(CHANNEL));
        assertTrue(euWest.service.counters().gaps() >= 1, "the first envelope after the overflow was a gap");
        // 4..18 were dropped from the log, so they can only have come by Backfill (whose page may reach further).
        assertTrue(euWest.service.counters().backfilledMessages() >= 15);
        assertEquals(23, euWest.service.counters().applied(), "each message stored once, by link or Backfill");
        assertEquals(0, euWest.service.counters().unrepairedGaps());
        assertTrue(usEast.service.counters().backfillsServed() >= 1);
        assertEquals(1, again.counters().overflowReports(), "the sender said its log had overflowed");
        await("acks end the overflow", WAIT, () -> !again.overflowed());
    }
}
