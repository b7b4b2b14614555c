package io.heliograph.bridge;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.heliograph.bridge.tls.BridgeTls;
import io.heliograph.bridge.tls.BridgeTlsFiles;
import io.heliograph.bridge.tls.ThrowawayCa;
import io.heliograph.bridge.v1.LinkFrame;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/** Shared by the bridge tests: CAs in a test directory, servers on 127.0.0.1 port 0, bounded waiting. */
final class BridgeTesting {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final Duration VALIDITY = Duration.ofDays(1);

    private BridgeTesting() {
    }

    static ThrowawayCa newCa(Path directory, String name) {
        ThrowawayCa ca = ThrowawayCa.create(name, VALIDITY, InstantSource.system());
        ca.writeCa(directory);
        return ca;
    }

    static BridgeTls tls(BridgeTlsFiles files, String region, String... peers) {
        return BridgeTls.builder().region(region).peerRegions(List.of(peers)).files(files).build();
    }

    static BridgeServer startServer(BridgeTls tls, EchoBridge service) {
        return BridgeServer.builder().region(tls.region()).listen("127.0.0.1", 0).tls(tls).service(service).build()
                .start();
    }

    static PeerChannel dial(BridgeTls tls, String peerRegion, BridgeServer server) {
        return PeerChannel.builder().peerRegion(peerRegion).address("127.0.0.1", server.port()).tls(tls).build();
    }

    /** Runs a call that must fail and returns its status exception. */
    static StatusRuntimeException refused(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run);
    }

    /** Frames arriving on a Link stream, kept for bounded waiting. */
    static final class Inbox implements StreamObserver<LinkFrame> {
        final BlockingQueue<LinkFrame> frames = new LinkedBlockingQueue<>();
        final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();

        @Override
        public void onNext(LinkFrame frame) {
            frames.add(frame);
        }

        @Override
        public void onError(Throwable error) {
            errors.add(error);
        }

        @Override
        public void onCompleted() {
        }

        /** The next frame, which must match, within {@link #WAIT}. */
        LinkFrame next(Predicate<LinkFrame> expected, String what) throws InterruptedException {
            LinkFrame frame = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                fail("no " + what + " within " + WAIT + (errors.isEmpty() ? "" : "; stream failed: " + errors.peek()));
            }
            if (!expected.test(frame)) {
                fail("expected " + what + ", got " + frame);
            }
            return frame;
        }
    }
}
