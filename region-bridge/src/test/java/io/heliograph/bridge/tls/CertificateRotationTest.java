package io.heliograph.bridge.tls;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.heliograph.bridge.BridgeServer;
import io.heliograph.bridge.PeerChannel;
import io.heliograph.bridge.v1.BackfillRequest;
import io.heliograph.bridge.v1.BackfillPage;
import io.heliograph.bridge.v1.RegionBridgeGrpc;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Rotated certificate and key files are used by the next connection, without a restart, and only when they load. */
class CertificateRotationTest {

    private static final Duration VALIDITY = Duration.ofDays(1);

    @TempDir
    Path directory;

    /** Records the client certificate of every call, as the peer check saw it. */
    private static final class CallerRecorder extends RegionBridgeGrpc.RegionBridgeImplBase {
        final BlockingQueue<BigInteger> clientSerials = new LinkedBlockingQueue<>();

        @Override
        public void backfill(BackfillRequest request, StreamObserver<BackfillPage> page) {
            clientSerials.add(PeerIdentity.current().orElseThrow().certificate().getSerialNumber());
            page.onNext(BackfillPage.getDefaultInstance());
            page.onCompleted();
        }
    }

    /** Reads the server certificate a call's connection presented, from its TLS session. */
    private static final class ServerCertificateRecorder implements ClientInterceptor {
        final AtomicReference<BigInteger> serverSerial = new AtomicReference<>();

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
                                                     Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    ClientCall<Q, R> call = delegate();
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onHeaders(Metadata responseHeaders) {
                            SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                            try {
                                serverSerial.set(((java.security.cert.X509Certificate)
                                        session.getPeerCertificates()[0]).getSerialNumber());
                            } catch (SSLPeerUnverifiedException e) {
                                throw new IllegalStateException(e);
                            }
                            super.onHeaders(responseHeaders);
                        }
                    }, headers);
                }
            };
        }
    }

    private static BigInteger serialIn(Path chainFile) {
        return PemFiles.readCertificates(chainFile, "cert-chain").getFirst().getSerialNumber();
    }

    /** One call on {@code peer}: the serials of the server's and the client's certificates on its connection. */
    private static List<BigInteger> serialsOfACall(PeerChannel peer, CallerRecorder service) throws Exception {
        ServerCertificateRecorder recorder = new ServerCertificateRecorder();
        RegionBridgeGrpc.newBlockingStub(ClientInterceptors.intercept(peer.channel(), recorder))
                .withDeadlineAfter(10, TimeUnit.SECONDS).backfill(BackfillRequest.getDefaultInstance());
        BigInteger client = service.clientSerials.poll(10, TimeUnit.SECONDS);
        return List.of(recorder.serverSerial.get(), client);
    }

    @Test
    void rotatedServerAndClientCertificatesAreUsedByTheNextConnectionWhileOpenOnesKeepTheirs() throws Exception {
        ThrowawayCa ca = ThrowawayCa.create("rotation", VALIDITY, InstantSource.system());
        ca.writeCa(directory);
        BridgeTlsFiles serverFiles = ca.issueRegion(directory, "us-east", VALIDITY);
        BridgeTlsFiles clientFiles = ca.issueRegion(directory, "eu-west", VALIDITY);
        BridgeTls serverTls = BridgeTls.builder().region("us-east").peerRegions(List.of("eu-west"))
                .files(serverFiles).build();
        BridgeTls clientTls = BridgeTls.builder().region("eu-west").peerRegions(List.of("us-east"))
                .files(clientFiles).build();
        CallerRecorder service = new CallerRecorder();
        try (BridgeServer server = BridgeServer.builder().region("us-east").listen("127.0.0.1", 0).tls(serverTls)
                .service(service).build().start();
             PeerChannel before = PeerChannel.builder().peerRegion("us-east").address("127.0.0.1", server.port())
                     .tls(clientTls).build()) {
            List<BigInteger> first = List.of(serialIn(serverFiles.certChain()), serialIn(clientFiles.certChain()));
            assertEquals(first, serialsOfACall(before, service));

            ca.issueRegion(directory, "us-east", VALIDITY);
            ca.issueRegion(directory, "eu-west", VALIDITY);
            List<BigInteger> rotated = List.of(serialIn(serverFiles.certChain()), serialIn(clientFiles.certChain()));
            assertNotEquals(first.get(0), rotated.get(0));
            assertNotEquals(first.get(1), rotated.get(1));

            try (PeerChannel after = PeerChannel.builder().peerRegion("us-east").address("127.0.0.1", server.port())
                    .tls(clientTls).build()) {
                assertEquals(rotated, serialsOfACall(after, service), "a new connection uses the rotated files");
            }
            assertEquals(first, serialsOfACall(before, service), "an open connection keeps its certificates");
            assertEquals(rotated.get(0), serverTls.certificate().getSerialNumber());
        }
    }

    @Test
    void aHalfRotatedPairIsNotInstalledAndThePreviousCertificateStaysInUse() throws Exception {
        ThrowawayCa ca = ThrowawayCa.create("rotation", VALIDITY, InstantSource.system());
        ca.writeCa(directory);
        BridgeTlsFiles serverFiles = ca.issueRegion(directory, "us-east", VALIDITY);
        BridgeTlsFiles clientFiles = ca.issueRegion(directory, "eu-west", VALIDITY);
        BigInteger original = serialIn(serverFiles.certChain());
        BridgeTls serverTls = BridgeTls.builder().region("us-east").peerRegions(List.of("eu-west"))
                .files(serverFiles).build();
        BridgeTls clientTls = BridgeTls.builder().region("eu-west").peerRegions(List.of("us-east"))
                .files(clientFiles).build();
        // Only the key is replaced: the rotation is half done, the files on disk do not match.
        Path otherDirectory = Files.createDirectory(directory.resolve("other"));
        BridgeTlsFiles other = ca.issueRegion(otherDirectory, "us-east", VALIDITY);
        Files.copy(other.privateKey(), serverFiles.privateKey(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CallerRecorder service = new CallerRecorder();
        try (BridgeServer server = BridgeServer.builder().region("us-east").listen("127.0.0.1", 0).tls(serverTls)
                .service(service).build().start();
             PeerChannel peer = PeerChannel.builder().peerRegion("us-east").address("127.0.0.1", server.port())
                     .tls(clientTls).build()) {
            assertEquals(original, serialsOfACall(peer, service).get(0));
            assertEquals(original, serverTls.certificate().getSerialNumber());
        }
    }
}
