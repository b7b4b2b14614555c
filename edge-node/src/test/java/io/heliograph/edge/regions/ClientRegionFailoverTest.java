package io.heliograph.edge.regions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.heliograph.client.HeliographClient;
import io.heliograph.client.OutgoingMessage;
import io.heliograph.client.PublishAck;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.protocol.Durability;

/**
 * The Java client's region failover against real edge nodes: two single-node regions in this JVM, linked by their
 * bridges ({@link TwoRegions}), the channel homed in eu-west. A client given both edges' HTTP addresses as entries
 * and us-east as its region negotiates us-east, receives there what eu-west sequences, and when us-east's edge shuts
 * down (a redirect without url, then 1001) it negotiates eu-west (us-east left out), resumes its channel from its
 * last serial and re-enters presence: every acked message delivered once, in order, none lost in the move.
 */
class ClientRegionFailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tls;

    private TwoRegions regions;
    private final List<HeliographClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        regions = new TwoRegions(tls, "chat:*=eu-west");
    }

    @AfterEach
    void stop() {
        clients.forEach(HeliographClient::close);
        if (regions != null) {
            regions.close();
        }
    }

    private HeliographClient connected(HeliographClient client) {
        clients.add(client);
        client.connect().orTimeout(20, TimeUnit.SECONDS).join();
        return client;
    }

    @Test
    void aClientWhoseRegionShutsDownResumesInTheNextRegionWithEveryAckedMessageOnceInOrder() throws Exception {
        HeliographClient roamer = connected(HeliographClient.builder()
                .entries(List.of(URI.create(regions.a.edge.httpUrl()), URI.create(regions.b.edge.httpUrl())))
                .preferredRegion("us-east")
                .token(TestNodes.token("roamer"))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .requestTimeout(Duration.ofSeconds(10))
                .build());
        assertEquals("us-east", roamer.region());
        List<String> delivered = new CopyOnWriteArrayList<>();
        roamer.onMessage("chat:room", m -> delivered.add(m.serial().toString()));
        roamer.attach("chat:room").get(20, TimeUnit.SECONDS);
        roamer.enterPresence("chat:room", Map.of("name", "roamer")).get(20, TimeUnit.SECONDS);

        // Publishing in eu-west, the home, without waiting for us-east (which is about to go).
        HeliographClient publisher = connected(HeliographClient.builder()
                .url(URI.create(regions.b.edge.wsUrl()))
                .token(TestNodes.token("publisher"))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .build());
        List<String> acked = new CopyOnWriteArrayList<>();
        for (int i = 1; i <= 5; i++) {
            acked.add(publish(publisher, i).serial().toString());
        }
        TestNodes.await("the first five in us-east", WAIT, () -> delivered.size() == 5);

        // us-east's edge shuts down while eu-west goes on publishing.
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
            for (int i = 6; i <= 40; i++) {
                acked.add(publish(publisher, i).serial().toString());
                try {
                    Thread.sleep(20); // a steady rate across the failover, not a wait for a condition
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
        regions.a.edge.close();
        publishing.get(60, TimeUnit.SECONDS);

        TestNodes.await("every acked message delivered", WAIT, () -> delivered.size() >= acked.size());
        assertEquals(acked, delivered, "every acked message once, in the home's order");
        assertEquals("eu-west", roamer.region());
        assertEquals(1, roamer.regionChanges());
        assertEquals(0, roamer.continuityLosses());
        assertTrue(roamer.negotiations() >= 2, "negotiated again: " + roamer.negotiations());
        TestNodes.await("roamer present in eu-west again", WAIT, () -> publisher.presenceMembers("chat:room")
                .join().stream().anyMatch(m -> m.clientId().equals("roamer") && "eu-west".equals(m.region())));
    }

    private static PublishAck publish(HeliographClient publisher, int n) {
        return publisher.publish(OutgoingMessage.of("chat:room", Map.of("n", n)).withDurability(Durability.REGION))
                .ack().orTimeout(20, TimeUnit.SECONDS).join();
    }
}
