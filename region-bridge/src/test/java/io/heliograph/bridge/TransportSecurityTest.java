package io.heliograph.bridge;

import io.grpc.stub.StreamObserver;
import io.heliograph.bridge.v1.BackfillPage;
import io.heliograph.bridge.v1.BackfillRequest;
import io.heliograph.bridge.v1.Hello;
import io.heliograph.bridge.v1.LinkFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plaintext only when asked for by name, and loudly; link settings that cannot work are refused with the key. */
class TransportSecurityTest {

    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Logger securityLog = Logger.getLogger(TransportSecurity.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureWarnings() {
        securityLog.addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        securityLog.removeHandler(capture);
    }

    @Test
    void aServerWithoutTlsOrInsecureIsRefusedByTheBuilder() {
        BridgeConfigException refusal = assertThrows(BridgeConfigException.class, () -> BridgeServer.builder()
                .region("us-east").listen("127.0.0.1", 0).service(new EchoBridge("us-east")).build());
        assertTrue(refusal.getMessage().contains("no TLS configured"), refusal.getMessage());
        assertTrue(refusal.getMessage().contains("explicit insecure flag"), refusal.getMessage());
    }

    @Test
    void aChannelWithoutTlsOrInsecureIsRefusedByTheBuilder() {
        BridgeConfigException refusal = assertThrows(BridgeConfigException.class, () -> PeerChannel.builder()
                .peerRegion("us-east").address("127.0.0.1", 4000).build());
        assertTrue(refusal.getMessage().startsWith("region bridge channel to us-east: no TLS configured"),
                refusal.getMessage());
    }

    @Test
    void plaintextWithTheInsecureFlagLinksAndWarnsOnBothEnds() throws Exception {
        try (BridgeServer server = BridgeServer.builder().region("us-east").listen("127.0.0.1", 0).insecure(true)
                .service(new EchoBridge("us-east")).build().start();
             PeerChannel peer = PeerChannel.builder().peerRegion("us-east").address("127.0.0.1", server.port())
                     .insecure(true).build()) {
            BridgeTesting.Inbox inbox = new BridgeTesting.Inbox();
            StreamObserver<LinkFrame> outbound = peer.link(inbox);
            outbound.onNext(LinkFrame.newBuilder().setHello(Hello.newBuilder().setOriginRegion("eu-west")).build());
            assertEquals("us-east", inbox.next(LinkFrame::hasHello, "the server's Hello").getHello()
                    .getOriginRegion());
            outbound.onCompleted();
        }
        assertEquals(2, warnings.size(), "one warning for the server, one for the channel: " + warnings);
        assertTrue(warnings.stream().allMatch(record -> record.getMessage().contains("PLAINTEXT (insecure)")));
    }

    @Test
    void backfillHasADeadline() {
        // A server that never answers: the unary call must end at the configured deadline, not hang.
        EchoBridge silent = new EchoBridge("us-east") {
            @Override
            public void backfill(BackfillRequest request, StreamObserver<BackfillPage> page) {
            }
        };
        LinkSettings settings = LinkSettings.builder().unaryDeadline(Duration.ofMillis(300)).build();
        try (BridgeServer server = BridgeServer.builder().region("us-east").listen("127.0.0.1", 0).insecure(true)
                .settings(settings).service(silent).build().start();
             PeerChannel peer = PeerChannel.builder().peerRegion("us-east").address("127.0.0.1", server.port())
                     .insecure(true).settings(settings).build()) {
            long started = System.nanoTime();
            var refusal = BridgeTesting.refused(() -> peer.backfill(BackfillRequest.getDefaultInstance()));
            assertEquals(io.grpc.Status.Code.DEADLINE_EXCEEDED, refusal.getStatus().getCode());
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 5_000);
        }
    }

    @Test
    void keepaliveSettingsThatGrpcWouldChangeOrThatWouldDisconnectPeersAreRefused() {
        String tooShort = assertThrows(BridgeConfigException.class, () -> LinkSettings.builder()
                .keepAliveTime(Duration.ofSeconds(2)).build()).getMessage();
        assertTrue(tooShort.startsWith("keep-alive-time must be at least 10 s"), tooShort);
        String permit = assertThrows(BridgeConfigException.class, () -> LinkSettings.builder()
                .permitKeepAliveTime(Duration.ofSeconds(30)).build()).getMessage();
        assertTrue(permit.startsWith("permit-keep-alive-time"), permit);
        LinkSettings defaults = LinkSettings.defaults();
        assertEquals(Duration.ofSeconds(10), defaults.keepAliveTime());
        assertEquals(Duration.ofSeconds(2), defaults.keepAliveTimeout());
        assertTrue(defaults.permitKeepAliveTime().compareTo(defaults.keepAliveTime()) <= 0);
    }
}
