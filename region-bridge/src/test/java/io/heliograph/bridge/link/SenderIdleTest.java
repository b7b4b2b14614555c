package io.heliograph.bridge.link;

import io.heliograph.bridge.outbound.OutboundEntry;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AppendResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static io.heliograph.region.testing.RegionTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sender calls on its region only with a reason. It reads its outbound log only when an append was signalled, the
 * last page left more, or the idle poll (the fallback for a lost signal) found something new in the log's status. On the Hazelcast log a read is a
 * call to the edge node that owns it, with a backup; an idle link used to make fifty a second per peer (its 20 ms
 * poll), plus one per ack and heartbeat that woke it. And what the peer acknowledges is committed in batches, not
 * with a call per acknowledgement.
 */
class SenderIdleTest extends LinkPairTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void anIdleLinkReadsNothingFromItsOutboundLogWhileHeartbeatsFlow() {
        LinkRegion[] r = regions(LinkTiming.defaults().withBackoff(50, 500, 500));
        LinkRegion usEast = r[0];
        LinkRegion euWest = r[1];
        AtomicReference<CountedOutboundLog> log = new AtomicReference<>();
        LinkSender sender = usEast.linkTo(euWest, l -> { log.set(new CountedOutboundLog(l)); return log.get(); });
        List<Serial> sent = usEast.publish("room:1", 3);
        await("delivered and acknowledged", WAIT, () -> euWest.history("room:1").equals(sent)
                && usEast.outbound.get("eu-west").status().acknowledged() == 3);

        long readsBefore = log.get().reads.get();
        long statusesBefore = log.get().statuses.get();
        long heartbeatsBefore = sender.counters().heartbeatsSent();
        // Two heartbeats each way (1 s apart by default): about two idle seconds, the receiver's acks waking the sender.
        await("two idle heartbeats", Duration.ofSeconds(10), () -> sender.counters().heartbeatsSent() >= heartbeatsBefore + 2);
        assertEquals(readsBefore, log.get().reads.get(), "reads of the outbound log over an idle link");
        assertTrue(log.get().statuses.get() - statusesBefore <= 4,
                (log.get().statuses.get() - statusesBefore) + " status polls in about two idle seconds (1 s idle poll)");
        assertEquals(LinkState.STREAMING, sender.state());
    }

    @Test
    void acknowledgedMessagesAreCommittedInBatchesNotOneCallPerAcknowledgement() {
        LinkRegion[] r = regions(LinkTiming.defaults().withBackoff(50, 500, 500));
        LinkRegion usEast = r[0];
        LinkRegion euWest = r[1];
        usEast.linkTo(euWest);
        long started = System.nanoTime();
        for (int i = 1; i <= 40; i++) {
            // Global publishes, acknowledged one by one: unseen in us-east until committed.
            usEast.publish("room:1", 1, true);
            long linkSeq = i;
            await("acknowledged " + i, WAIT, () -> usEast.outbound.get("eu-west").status().acknowledged() == linkSeq);
        }
        await("all committed", WAIT, () -> usEast.history("room:1").size() == 40);
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        // At most one commit per 100 ms (and one at the Hello), not one per acknowledgement (40).
        assertTrue(usEast.commits.get() <= tookMs / SenderSession.COMMIT_EVERY_MS + 3,
                usEast.commits.get() + " commits for 40 acknowledgements in " + tookMs + " ms");
    }

    @Test
    void anAppendWhoseSignalWasLostIsSentAtTheNextIdlePoll() {
        LinkRegion[] r = regions(LinkTiming.defaults().withBackoff(50, 500, 500).withIdlePoll(300));
        LinkRegion usEast = r[0];
        LinkRegion euWest = r[1];
        usEast.linkTo(euWest);
        List<Serial> first = usEast.publish("room:1", 1);
        await("linked", WAIT, () -> euWest.history("room:1").equals(first));
        // Sequenced and logged, but the sender is not woken.
        AppendResult unsignalled = usEast.sequenceOnly("room:1", 1, false).getFirst();
        usEast.outbound.get("eu-west").append(OutboundEntry.envelope(EnvelopeCodec.toEnvelope(unsignalled.message(),
                unsignalled.previous())));
        await("sent at the next idle poll", Duration.ofSeconds(5), () -> euWest.history("room:1").size() == 2);
        assertEquals(unsignalled.message().serial(), euWest.history("room:1").get(1));
    }
}
