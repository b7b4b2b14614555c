package io.heliograph.bridge.link;

import io.heliograph.protocol.Serial;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static io.heliograph.region.testing.RegionTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the receiving side stores: a channel's envelopes strictly in order, the ones that queued up behind a store in
 * one call, channels in parallel (each lives on its own partition), and acknowledgements that never cover an
 * envelope still being stored, sent as soon as its store finishes.
 */
class PeerLinkStoreTest extends LinkPairTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void envelopesThatQueueUpBehindAChannelsStoreAreStoredInOneCallInOrder() {
        AtomicReference<WatchedStore> store = new AtomicReference<>();
        LinkRegion[] r = regions(LinkTiming.defaults().withBackoff(50, 500, 500),
                log -> { store.set(new WatchedStore(log)); return store.get(); }, System::currentTimeMillis);
        LinkRegion usEast = r[0];
        LinkRegion euWest = r[1];
        usEast.linkTo(euWest);
        store.get().hold("room:1");
        List<Serial> first = usEast.publish("room:1", 1);
        await("the first store is under way", WAIT, () -> store.get().waiting("room:1") == 1);
        List<Serial> rest = usEast.publish("room:1", 100);
        await("the rest has reached eu-west's receiver", WAIT, () -> euWest.service.receivedThrough("us-east") == 101);
        store.get().release("room:1");

        await("eu-west holds all 101", WAIT, () -> euWest.history("room:1").size() == 101);
        assertEquals(concat(first, rest), euWest.history("room:1"), "in the home's order, once each");
        // One for the first, then one for the 100 that waited behind it; one store per envelope would be 101.
        assertEquals(2, store.get().calls("room:1"), "store calls for 101 envelopes");
        await("and acknowledges them", WAIT, () -> usEast.outbound.get("eu-west").status().acknowledged() == 101);
    }

    @Test
    void aChannelWhoseStoreIsSlowHoldsUpNoOtherChannelAndIsNeverAcknowledgedBeforeItIsStored() {
        AtomicReference<WatchedStore> store = new AtomicReference<>();
        LinkRegion[] r = regions(LinkTiming.defaults().withBackoff(50, 500, 500),
                log -> { store.set(new WatchedStore(log)); return store.get(); }, System::currentTimeMillis);
        LinkRegion usEast = r[0];
        LinkRegion euWest = r[1];
        usEast.linkTo(euWest);
        store.get().hold("room:slow");
        List<Serial> slow = usEast.publish("room:slow", 1);
        List<Serial> fast = usEast.publish("room:fast", 20);

        // The two channels are stored side by side, so the fast one may be done before the slow one's store has
        // even begun: wait for both, then check that the slow one is still held.
        await("the slow channel's store is under way", WAIT, () -> store.get().waiting("room:slow") == 1);
        await("the other channel is stored meanwhile", WAIT, () -> euWest.history("room:fast").size() == 20);
        assertEquals(fast, euWest.history("room:fast"));
        assertEquals(1, store.get().waiting("room:slow"), "the slow channel's store is still held");
        assertEquals(0, euWest.service.heldThrough("us-east"),
                "link_seq 1 (room:slow) is not held, so nothing after it may be acknowledged");
        assertEquals(0, usEast.outbound.get("eu-west").status().acknowledged());

        store.get().release("room:slow");
        await("the slow one follows", WAIT, () -> euWest.history("room:slow").equals(slow));
        await("then everything is acknowledged", WAIT,
                () -> usEast.outbound.get("eu-west").status().acknowledged() == 21);
    }

    @Test
    void aStoredEnvelopeIsAcknowledgedAsSoonAsItsStoreFinishesNotAfterADelay() {
        // The receiver's clock stands still: an acknowledgement that waits for a delay (or a timer) never comes.
        long frozenMs = System.currentTimeMillis();
        LinkRegion[] r = regions(LinkTiming.defaults().withBackoff(50, 500, 500), log -> log, () -> frozenMs);
        LinkRegion usEast = r[0];
        LinkRegion euWest = r[1];
        usEast.linkTo(euWest);
        for (int round = 1; round <= 3; round++) {
            List<Serial> sent = usEast.publish("room:1", 1);
            long linkSeq = round;
            // Well within the sender's silence deadline (3 s): this receiver sends no heartbeat on a frozen clock.
            await("round " + round + " acknowledged", Duration.ofMillis(2_500),
                    () -> usEast.outbound.get("eu-west").status().acknowledged() == linkSeq);
            assertTrue(euWest.history("room:1").containsAll(sent));
        }
    }

    private static List<Serial> concat(List<Serial> a, List<Serial> b) {
        List<Serial> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
