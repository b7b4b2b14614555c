package io.heliograph.edge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.client.HeliographClient;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.TwoNodeRegion;
import io.heliograph.edge.testing.WsProbe;
import io.heliograph.launcher.EdgeProcess;
import io.heliograph.protocol.ChannelMessage;

/**
 * SIGTERM on an edge node: clients get a redirect frame and a 1001 close, move to the other node and lose nothing;
 * the node hands its Hazelcast partitions over and exits.
 */
class GracefulShutdownIT {

    private TwoNodeRegion region;

    @AfterEach
    void cleanUp() {
        if (region != null) {
            region.close();
        }
    }

    @Test
    void drainingNodeRedirectsItsClientsAndExits() {
        region = TwoNodeRegion.start("drain");
        EdgeProcess n1 = region.n1();
        EdgeProcess n2 = region.n2();
        WsProbe probe = region.probe(n1, "probe");

        HeliographClient subscriber = region.client("sub", n1, n2);
        List<ChannelMessage> got = new CopyOnWriteArrayList<>();
        subscriber.onMessage("news", got::add);
        subscriber.attach("news").orTimeout(20, TimeUnit.SECONDS).join();

        HeliographClient publisher = region.client("pub", n2, n2);
        for (int i = 0; i < 20; i++) {
            publisher.publish("news", null, Map.of("i", i)).orTimeout(20, TimeUnit.SECONDS).join();
        }
        TestNodes.await("first half delivered", Duration.ofSeconds(20), () -> got.size() == 20);

        assertFalse(n1.stop(Duration.ofSeconds(60)).killed(), "n1 exits after SIGTERM alone: " + n1.tail(30));
        JsonNode redirect = probe.awaitType("redirect");
        assertEquals("node shutting down", redirect.get("reason").asText());
        assertEquals(1001, probe.awaitClose(Duration.ofSeconds(10)));

        for (int i = 20; i < 40; i++) {
            publisher.publish("news", null, Map.of("i", i)).orTimeout(20, TimeUnit.SECONDS).join();
        }
        TestNodes.await("second half delivered after the move", Duration.ofSeconds(30), () -> got.size() >= 40);
        assertEquals(40, got.size());
        for (int i = 0; i < 40; i++) {
            assertEquals("1:" + (i + 1), got.get(i).serial().toString());
        }
        assertEquals("n2", subscriber.node());
        n2.awaitHealthy(1, Duration.ofSeconds(30));
    }
}
