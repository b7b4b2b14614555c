package io.heliograph.edge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.client.HeliographClient;
import io.heliograph.edge.testing.NodeProcess;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.WsProbe;
import io.heliograph.protocol.ChannelMessage;

/**
 * SIGTERM on an edge node: clients get a redirect frame and a 1001 close, move to the other node and lose nothing;
 * the node hands its Hazelcast partitions over and exits.
 */
class GracefulShutdownIT {

    private final List<NodeProcess> nodes = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception ignored) {
                // node may be gone
            }
        }
        nodes.forEach(NodeProcess::close);
    }

    @Test
    void drainingNodeRedirectsItsClientsAndExits() {
        int hz1 = TestNodes.freePort();
        int hz2 = TestNodes.freePort();
        String cluster = "drain-" + System.nanoTime();
        NodeProcess n1 = NodeProcess.start("us-east", "n1", TestNodes.freePort(), hz1, List.of(hz1, hz2), cluster);
        NodeProcess n2 = NodeProcess.start("us-east", "n2", TestNodes.freePort(), hz2, List.of(hz1, hz2), cluster);
        nodes.add(n1);
        nodes.add(n2);
        n1.awaitHealthy(2, Duration.ofSeconds(90));
        n2.awaitHealthy(2, Duration.ofSeconds(90));

        WsProbe probe = WsProbe.connect(n1.wsUrl(), TestNodes.token("probe"));
        clients.add(probe);
        probe.awaitType("connected");

        HeliographClient subscriber = HeliographClient.builder()
                .urls(List.of(URI.create(n1.wsUrl()), URI.create(n2.wsUrl())))
                .token(TestNodes.token("sub")).backoff(Duration.ofMillis(50), Duration.ofMillis(500)).build();
        clients.add(subscriber);
        subscriber.connect().orTimeout(20, TimeUnit.SECONDS).join();
        List<ChannelMessage> got = new CopyOnWriteArrayList<>();
        subscriber.onMessage("news", got::add);
        subscriber.attach("news").orTimeout(20, TimeUnit.SECONDS).join();

        HeliographClient publisher = HeliographClient.builder().url(URI.create(n2.wsUrl()))
                .token(TestNodes.token("pub")).build();
        clients.add(publisher);
        publisher.connect().orTimeout(20, TimeUnit.SECONDS).join();
        for (int i = 0; i < 20; i++) {
            publisher.publish("news", null, Map.of("i", i)).orTimeout(20, TimeUnit.SECONDS).join();
        }
        TestNodes.await("first half delivered", Duration.ofSeconds(20), () -> got.size() == 20);

        assertTrue(n1.terminate(Duration.ofSeconds(60)), "n1 exits after SIGTERM: " + n1.tail());
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
