package io.heliograph.bridge.process;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.heliograph.bridge.PeerChannel;
import io.heliograph.bridge.link.LinkSender;
import io.heliograph.bridge.link.LinkState;
import io.heliograph.bridge.tls.BridgeTls;
import io.heliograph.bridge.tls.BridgeTlsFiles;
import io.heliograph.bridge.v1.Hello;
import io.heliograph.bridge.v1.LinkFrame;
import io.heliograph.protocol.Serial;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.heliograph.region.testing.RegionTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two regions in this JVM, each an edge member and two bridge replicas as processes run them (lite members, the
 * bridge lease, mutual TLS): what one region's edge appends reaches the other's channel log exactly once, across the
 * abrupt death of the holder replica; the standby refuses links; health and metrics say who holds and how the link
 * stands.
 */
class BridgeProcessTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String CHANNEL = "room:1";

    @TempDir
    Path directory;

    private BridgeMesh mesh;

    @BeforeEach
    void mesh() {
        mesh = new BridgeMesh(directory).start();
    }

    @AfterEach
    void close() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void messagesAppendedInOneRegionArriveInTheOthersChannelLogInOrderExactlyOnce() {
        BridgeProcess holderA = mesh.a.replicas[0];
        BridgeProcess holderB = mesh.b.replicas[0];
        assertEquals("holder", holderA.role());
        assertEquals("standby", mesh.a.replicas[1].role());
        assertTrue(holderA.readyLine().matches("bridge us-east us-east-b1 https://127\\.0\\.0\\.1:\\d+"
                + " http://127\\.0\\.0\\.1:\\d+ holder"), holderA.readyLine());

        List<Serial> sent = mesh.a.publish(CHANNEL, 150);
        sent.addAll(mesh.a.publish(CHANNEL, 150));

        await("eu-west holds all 300", WAIT, () -> mesh.b.history(CHANNEL).size() >= 300);
        assertEquals(sent, mesh.b.history(CHANNEL), "same serials, same order, once each");
        await("us-east's outbound log trimmed by eu-west's acks", WAIT,
                () -> mesh.a.toPeer.status().acknowledged() == 300 && mesh.a.toPeer.status().heldEntries() == 0);
        assertEquals(300, holderB.service().counters().applied());
        assertEquals(0, holderB.service().counters().duplicates());
        assertEquals(0, mesh.b.replicas[1].service().counters().applied(), "the standby stored nothing");
    }

    @Test
    void whenTheHolderDiesTheStandbyTakesOverWithinFiveSecondsAndResumesFromTheLastAck() {
        BridgeProcess dying = mesh.a.replicas[0];
        BridgeProcess standby = mesh.a.replicas[1];
        List<Serial> sent = mesh.a.publish(CHANNEL, 200);
        await("some of it arrived", WAIT, () -> mesh.b.history(CHANNEL).size() >= 50);

        long haltedAt = System.nanoTime();
        dying.halt();
        await("the standby holds the lease", Duration.ofSeconds(5).minusNanos(System.nanoTime() - haltedAt),
                standby::isHolder);
        sent.addAll(mesh.a.publish(CHANNEL, 100));

        await("eu-west holds all 300", WAIT, () -> mesh.b.history(CHANNEL).size() >= 300
                && mesh.a.toPeer.status().acknowledged() == 300);
        List<Serial> held = mesh.b.history(CHANNEL);
        assertEquals(sent, held, "nothing lost, nothing doubled, one order");
        assertEquals(held.size(), new HashSet<>(held).size());
        LinkSender link = standby.links().sender("eu-west").orElseThrow();
        assertTrue(link.lastResumeAfter() > 0, "the new holder resumed from eu-west's acknowledgement, not from 0");
        assertEquals(300 - link.lastResumeAfter(), link.counters().framesSent(),
                "the new holder sent only what followed eu-west's last ack");
        assertTrue(standby.lease().currentEpoch().getAsLong() > 1, "a new tenure, a higher epoch");
        assertNotSame(dying, mesh.a.holder());
    }

    @Test
    void theStandbyAnswersLinkWithUnavailableSoThatPeersTryTheNextUrl() throws Exception {
        BridgeProcess standby = mesh.a.replicas[1];
        BridgeTls euWest = BridgeTls.builder().region("eu-west").peerRegions(List.of("us-east"))
                .files(BridgeTlsFiles.inDirectory(directory, "eu-west")).build();
        try (PeerChannel channel = PeerChannel.builder().peerRegion("us-east")
                .address("127.0.0.1", mesh.a.bridgePorts[1]).tls(euWest).build()) {
            CompletableFuture<Status> ended = new CompletableFuture<>();
            StreamObserver<LinkFrame> requests = channel.link(new StreamObserver<>() {
                @Override
                public void onNext(LinkFrame frame) {
                    ended.completeExceptionally(new AssertionError("a standby sent " + frame));
                }

                @Override
                public void onError(Throwable error) {
                    ended.complete(Status.fromThrowable(error));
                }

                @Override
                public void onCompleted() {
                    ended.complete(Status.OK);
                }
            });
            requests.onNext(LinkFrame.newBuilder().setHello(Hello.newBuilder().setOriginRegion("eu-west")
                    .setReplicaId("eu-west-probe").setLeaseEpoch(99).setProtocolVersion(1)).build());
            Status status = ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(Status.Code.UNAVAILABLE, status.getCode());
            assertTrue(status.getDescription().contains("standby") && status.getDescription().contains("next URL"),
                    status.getDescription());
        }
        assertTrue(standby.gate().refusedLinks() >= 1);
        assertTrue(scrape(standby.httpUrl() + "/metrics").body()
                .matches("(?s).*heliograph_bridge_refusals_total\\{reason=\"standby_link\"} [1-9].*"));
    }

    @Test
    void healthAndMetricsSayTheLeaseRoleAndTheLinkState() throws Exception {
        BridgeProcess holder = mesh.a.replicas[0];
        BridgeProcess standby = mesh.a.replicas[1];
        await("us-east's link to eu-west streams", WAIT, () -> holder.links().sender("eu-west")
                .map(s -> s.state() == LinkState.STREAMING).orElse(false));
        mesh.a.publish(CHANNEL, 10);
        await("acknowledged", WAIT, () -> mesh.a.toPeer.status().acknowledged() == 10);

        HttpResponse<String> health = scrape(holder.httpUrl() + "/health");
        assertEquals(200, health.statusCode());
        String body = health.body();
        assertTrue(body.contains("\"status\":\"UP\"") && body.contains("\"role\":\"holder\"")
                && body.matches("(?s).*\"epoch\":[1-9].*") && body.contains("\"eu-west\":{\"link\":\"STREAMING\"")
                && body.contains("\"circuit\":\"CLOSED\"") && body.contains("\"overflowed\":false"), body);
        // eu-west sorts first, so it dials the one stream between the two and us-east sends on it.
        assertTrue(body.contains("\"stream\":\"accepts\""), body);
        String peerHealth = scrape(mesh.b.replicas[0].httpUrl() + "/health").body();
        assertTrue(peerHealth.contains("\"stream\":\"dials\""), peerHealth);
        String standbyHealth = scrape(standby.httpUrl() + "/health").body();
        assertTrue(standbyHealth.contains("\"role\":\"standby\"") && standbyHealth.contains("\"epoch\":0")
                && standbyHealth.contains("\"link\":\"STANDBY\""), standbyHealth);

        String metrics = scrape(holder.httpUrl() + "/metrics").body();
        assertTrue(metrics.contains("\nheliograph_bridge_lease_holder 1\n"), metrics);
        assertTrue(metrics.contains("heliograph_bridge_link_state{peer=\"eu-west\",state=\"STREAMING\"} 1\n"));
        assertTrue(metrics.contains("heliograph_bridge_circuit_state{peer=\"eu-west\",state=\"CLOSED\"} 1\n"));
        assertTrue(metrics.contains("heliograph_bridge_frames_sent_total{peer=\"eu-west\"} 10\n"), metrics);
        assertTrue(metrics.matches("(?s).*heliograph_bridge_payload_bytes_sent_total\\{peer=\"eu-west\"} [1-9]\\d*\n.*"),
                metrics);
        assertTrue(metrics.contains("heliograph_bridge_outbound_depth_entries{peer=\"eu-west\"} 0\n"), metrics);
        assertTrue(metrics.contains("heliograph_bridge_replication_lag_messages{peer=\"eu-west\"} 0\n"), metrics);
        assertTrue(metrics.contains("heliograph_bridge_replication_lag_ms{peer=\"eu-west\"} 0\n"), metrics);
        String receiverMetrics = scrape(mesh.b.replicas[0].httpUrl() + "/metrics").body();
        assertTrue(receiverMetrics.contains("\nheliograph_bridge_envelopes_applied_total 10\n"), receiverMetrics);
        String standbyMetrics = scrape(standby.httpUrl() + "/metrics").body();
        assertTrue(standbyMetrics.contains("\nheliograph_bridge_lease_holder 0\n"));
        assertTrue(standbyMetrics.contains("heliograph_bridge_link_state{peer=\"eu-west\",state=\"STANDBY\"} 1\n"));
        assertNotNull(holder.lease().currentLease().orElse(null));
    }

    static HttpResponse<String> scrape(String url) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }
}
