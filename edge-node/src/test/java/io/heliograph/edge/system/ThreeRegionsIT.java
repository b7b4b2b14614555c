package io.heliograph.edge.system;

import static io.heliograph.edge.system.MeshFixture.planOnFreePorts;
import static io.heliograph.edge.system.MeshFixture.publishUntilAcked;
import static io.heliograph.edge.system.MeshFixture.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.heliograph.edge.testing.WsProbe;
import io.heliograph.launcher.EdgeProcess;
import io.heliograph.launcher.LocalMesh;
import io.heliograph.launcher.MeshPlan;
import io.heliograph.protocol.auth.Tokens;

/**
 * The full mesh: three regions, each linked to both others through 40 ms WAN proxies, each the home of one channel.
 * Publishers in every region publish on every channel (so two thirds of all publishes are forwarded to a home in
 * another region, over real round trips), and every subscriber in every region receives every message of every
 * channel once, at consecutive serials, in one order that is the same everywhere (the test 1, with
 * {@code --wan-delay-ms 40}).
 */
class ThreeRegionsIT {

    private static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");
    private static final List<String> CHANNELS = List.of("a-1", "b-1", "c-1");
    private static final int PER_PUBLISHER = 15;

    @TempDir
    Path tls;
    private LocalMesh mesh;

    @AfterEach
    void stop() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void everySubscriberInEveryRegionSeesEveryChannelInOneOrder() throws Exception {
        MeshPlan plan = planOnFreePorts(base -> MeshPlan.builder().regions(REGIONS).nodesPerRegion(1)
                .bridgesPerRegion(1).basePort(base).wanProxies(40).build());
        String secret = LocalMesh.randomSecret();
        mesh = MeshFixture.startMesh(plan, secret, tls, "three-regions-it",
                List.of("--homes=a-*=us-east,b-*=eu-west,c-*=ap-south"));
        String token = new Tokens(secret).mintAll("it", Duration.ofMinutes(30));

        List<WsProbe> subscribers = new ArrayList<>();
        try {
            for (EdgeProcess edge : mesh.nodes()) {
                WsProbe subscriber = WsProbe.connect(edge.wsUrl().toString(), token);
                subscriber.awaitType("connected");
                for (String channel : CHANNELS) {
                    subscriber.request("{'type':'attach','id':'" + channel + "','channel':'" + channel + "'}")
                            .awaitReply(channel);
                }
                subscribers.add(subscriber);
            }
            Set<String> acked = ConcurrentHashMap.newKeySet();
            CountDownLatch done = new CountDownLatch(mesh.nodes().size());
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (EdgeProcess edge : mesh.nodes()) {
                Thread.ofVirtual().name("publisher-" + edge.region()).start(() -> {
                    try {
                        for (int i = 0; i < PER_PUBLISHER; i++) {
                            for (String channel : CHANNELS) {
                                String msgId = edge.region() + "-" + channel + "-" + i;
                                publishUntilAcked(edge, token, channel, msgId);
                                acked.add(msgId);
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            assertTrue(done.await(180, TimeUnit.SECONDS), "publishers did not finish");
            assertTrue(failures.isEmpty(), "publishers failed: " + failures);

            int perChannel = PER_PUBLISHER * REGIONS.size();
            Map<String, List<String>> first = null;
            for (WsProbe subscriber : subscribers) {
                Map<String, List<String>> order = received(subscriber, perChannel * CHANNELS.size(),
                        Duration.ofSeconds(60));
                if (first == null) {
                    first = order;
                } else {
                    assertEquals(first, order, "every region sees every channel in the same order");
                }
            }
            Set<String> delivered = new HashSet<>();
            first.values().forEach(delivered::addAll);
            assertEquals(acked, delivered, "every acked message, and nothing else");
        } finally {
            subscribers.forEach(WsProbe::close);
        }
    }
}
