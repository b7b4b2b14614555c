package io.heliograph.bridge.link;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.heliograph.bridge.BridgeServer;
import io.heliograph.bridge.PeerChannel;
import io.heliograph.bridge.outbound.InMemoryOutboundLog;
import io.heliograph.bridge.outbound.OutboundEntry;
import io.heliograph.bridge.outbound.OutboundLimits;
import io.heliograph.bridge.tls.BridgeTls;
import io.heliograph.bridge.tls.ThrowawayCa;
import io.heliograph.bridge.v1.Hello;
import io.heliograph.bridge.v1.LinkFrame;
import io.heliograph.bridge.v1.RegionBridgeGrpc;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.heliograph.region.testing.RegionTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A peer that stops reading, or stops talking: the sender neither buffers without bound nor waits forever. */
class PeerLinkFlowControlTest {

    static final Duration WAIT = Duration.ofSeconds(15);
    static final int PAYLOAD_BYTES = 16 * 1024;

    @TempDir
    Path directory;

    private ThrowawayCa ca;
    private BridgeServer stalledPeer;
    private PeerChannel channel;
    private LinkSender sender;
    private final StalledBridge stalled = new StalledBridge();

    @BeforeEach
    void stalledPeer() {
        ca = ThrowawayCa.create("flow-control-test", Duration.ofDays(1), InstantSource.system());
        ca.writeCa(directory);
        BridgeTls euWest = BridgeTls.builder().region("eu-west").peerRegions(List.of("us-east"))
                .files(ca.issueRegion(directory, "eu-west", Duration.ofDays(1))).build();
        stalledPeer = BridgeServer.builder().region("eu-west").listen("127.0.0.1", 0).tls(euWest).service(stalled)
                .settings(LinkRegion.SETTINGS).build().start();
        BridgeTls usEast = BridgeTls.builder().region("us-east").peerRegions(List.of("eu-west"))
                .files(ca.issueRegion(directory, "us-east", Duration.ofDays(1))).build();
        channel = PeerChannel.builder().peerRegion("eu-west").address("127.0.0.1", stalledPeer.port()).tls(usEast)
                .settings(LinkRegion.SETTINGS).build();
    }

    @AfterEach
    void close() {
        if (sender != null) {
            sender.close();
        }
        channel.close();
        stalledPeer.close();
    }

    private static InMemoryOutboundLog logOf(int entries) {
        InMemoryOutboundLog log = new InMemoryOutboundLog("eu-west", new OutboundLimits(100_000, 256L * 1024 * 1024,
                600_000), System::currentTimeMillis);
        String payload = "x".repeat(PAYLOAD_BYTES);
        Serial previous = null;
        for (int i = 1; i <= entries; i++) {
            Serial serial = Serial.of(1, i);
            ChannelMessage message = new ChannelMessage("room:1", serial, "m-" + i, null, payload, null, "us-east",
                    i);
            log.append(OutboundEntry.envelope(EnvelopeCodec.toEnvelope(message, previous)));
            previous = serial;
        }
        return log;
    }

    @Test
    void aReceiverThatStopsReadingDoesNotMakeTheSenderBufferUnboundedly() throws InterruptedException {
        InMemoryOutboundLog log = logOf(3_000);
        LinkTiming timing = LinkTiming.defaults().withSilence(1_000, 60_000).withMaxInFlight(1_000_000);
        sender = new LinkSender("us-east", "us-east-bridge-1", () -> 1, channel, log, () -> 0, timing,
                System::currentTimeMillis).start();
        await("streaming to the stalled peer", WAIT, () -> sender.state() == LinkState.STREAMING
                && sender.counters().framesSent() > 0);
        long settled = awaitSettled();

        // HTTP/2 windows and gRPC's ready threshold hold a few MiB at most: nowhere near the 48 MiB in the log.
        assertTrue(settled < 600, "sent " + settled + " frames of 16 KiB to a peer that reads nothing");
        assertEquals(settled, sender.maxInFlightSeen(), "nothing was acknowledged, so everything sent is in flight");
        assertEquals(1, stalled.framesRead.get(), "the peer read its Hello only");
        assertEquals(LinkState.STREAMING, sender.state(), "heartbeats from the peer keep the stream alive");
    }

    @Test
    void theSenderNeverHasMoreThanMaxInFlightUnacknowledged() throws InterruptedException {
        InMemoryOutboundLog log = logOf(500);
        LinkTiming timing = LinkTiming.defaults().withSilence(1_000, 60_000).withMaxInFlight(40);
        sender = new LinkSender("us-east", "us-east-bridge-1", () -> 1, channel, log, () -> 0, timing,
                System::currentTimeMillis).start();
        await("streaming to the stalled peer", WAIT, () -> sender.counters().framesSent() >= 40);
        long settled = awaitSettled();
        assertEquals(40, settled);
        assertEquals(40, sender.maxInFlightSeen());
        assertEquals(40, sender.inFlight());
    }

    @Test
    void aPeerThatGoesSilentIsNoticedWithinTheSilenceDeadline() {
        stalled.heartbeats = false;
        LinkTiming timing = LinkTiming.defaults().withSilence(300, 900).withBackoff(50, 200, 200);
        sender = new LinkSender("us-east", "us-east-bridge-1", () -> 1, channel, logOf(1), () -> 0, timing,
                System::currentTimeMillis).start();
        await("streaming", WAIT, () -> sender.state() == LinkState.STREAMING);
        long since = System.nanoTime();
        await("the silence noticed", WAIT, () -> sender.counters().silentStreams() >= 1);
        long tookMs = (System.nanoTime() - since) / 1_000_000;
        assertTrue(tookMs < 5_000, "noticed after " + tookMs + " ms, deadline 900 ms");
        // The counter moves as the stream is given up; the failure is recorded a moment later, on the way out.
        await("the failure names the deadline", WAIT, () -> sender.lastFailure().contains("silence deadline"));
    }

    /** Waits until the sender stops sending for half a second and answers how many frames it sent. */
    private long awaitSettled() throws InterruptedException {
        long before = -1;
        long now = sender.counters().framesSent();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (now != before) {
            assertTrue(System.nanoTime() < deadline, "the sender never stopped sending");
            before = now;
            Thread.sleep(500);
            now = sender.counters().framesSent();
        }
        return now;
    }

    /** A peer that answers the Hello and then reads nothing more; it sends heartbeats unless told not to. */
    static final class StalledBridge extends RegionBridgeGrpc.RegionBridgeImplBase {
        final AtomicInteger framesRead = new AtomicInteger();
        volatile boolean heartbeats = true;

        @Override
        public StreamObserver<LinkFrame> link(StreamObserver<LinkFrame> responses) {
            ServerCallStreamObserver<LinkFrame> call = (ServerCallStreamObserver<LinkFrame>) responses;
            call.disableAutoRequest();
            call.request(1);
            Thread heartbeat = Thread.ofVirtual().unstarted(() -> {
                try {
                    while (heartbeats && !call.isCancelled()) {
                        Thread.sleep(200);
                        synchronized (call) {
                            call.onNext(LinkFrame.newBuilder().setAck(io.heliograph.bridge.v1.Ack.newBuilder())
                                    .build());
                        }
                    }
                } catch (InterruptedException | RuntimeException e) {
                    // The call ended.
                }
            });
            return new StreamObserver<>() {
                @Override
                public void onNext(LinkFrame frame) {
                    framesRead.incrementAndGet();
                    synchronized (call) {
                        call.onNext(LinkFrame.newBuilder().setHello(Hello.newBuilder().setOriginRegion("eu-west")
                                .setReplicaId("eu-west-stalled").setLeaseEpoch(1).setProtocolVersion(1)).build());
                    }
                    heartbeat.start();
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            };
        }
    }
}
