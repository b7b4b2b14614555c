package io.heliograph.bridge.link;

import io.heliograph.protocol.Serial;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.heliograph.region.testing.RegionTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * After a cut the link reconnects at its own pace (link.backoff-*), not gRPC's: gRPC backs off its connection by 1 s
 * growing by 1.6 per failed connect, so after a long cut every link attempt would fail at once without dialling until
 * gRPC's next connect (it took 11-25 s after a 60 s cut in ./mesh bench bridge, whatever link.backoff-max-ms said).
 */
class PeerLinkReconnectTest extends LinkPairTest {

    @Test
    void aCutLinkDialsAtEveryAttemptOfItsOwnBackoffAndStreamsSoonAfterTheRestore() throws Exception {
        long backoffMaxMs = 500;
        long breakerOpenMs = 500;
        LinkRegion[] r = regions(LinkTiming.defaults().withBackoff(50, backoffMaxMs, breakerOpenMs));
        LinkRegion usEast = r[0];
        LinkRegion euWest = r[1];
        CutProxy proxy = new CutProxy(euWest.port());
        closeAfter(proxy);
        LinkSender sender = usEast.linkTo(euWest, proxy.port());
        List<Serial> before = usEast.publish("room:1", 1);
        await("linked", Duration.ofSeconds(20), () -> euWest.history("room:1").equals(before));

        proxy.cut();
        // gRPC's own backoff would dial 5 times in the first 9 s of a cut (after 0, 1, 2.6, 5.2 and 9.3 s, ±20 %) and
        // not again before 15 s; the link's attempts, at most 0.75 s apart (or the breaker's 0.5 s), dial each time.
        await("the link dials again and again through the cut", Duration.ofSeconds(14),
                () -> proxy.dialledWhileCut() >= 9);
        List<Serial> during = usEast.publish("room:1", 5);
        proxy.restore();
        long restoredNs = System.nanoTime();

        // The link's own backoff with its jitter (1.5 x max), the breaker's open time, and 2.5 s for a loaded machine.
        Duration bound = Duration.ofMillis(backoffMaxMs * 3 / 2 + breakerOpenMs + 2_500);
        await("streaming again within " + bound.toMillis() + " ms of the restore", bound,
                () -> sender.state() == LinkState.STREAMING && euWest.history("room:1").size() == 6);
        long tookMs = (System.nanoTime() - restoredNs) / 1_000_000;
        assertEquals(concat(before, during), euWest.history("room:1"), "after " + tookMs + " ms");
    }

    private static List<Serial> concat(List<Serial> a, List<Serial> b) {
        List<Serial> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
