package io.heliograph.bridge;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.heliograph.bridge.tls.BridgeRefusals.Reason;
import io.heliograph.bridge.tls.BridgeTls;
import io.heliograph.bridge.tls.BridgeTlsFiles;
import io.heliograph.bridge.tls.PeerIdentity;
import io.heliograph.bridge.tls.ThrowawayCa;
import io.heliograph.bridge.v1.BackfillPage;
import io.heliograph.bridge.v1.BackfillRequest;
import io.heliograph.bridge.v1.Hello;
import io.heliograph.bridge.v1.LinkFrame;
import io.heliograph.bridge.v1.MessageEnvelope;
import io.heliograph.bridge.v1.RegionBridgeGrpc;
import io.heliograph.bridge.v1.Serial;
import com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static io.heliograph.bridge.BridgeTesting.dial;
import static io.heliograph.bridge.BridgeTesting.refused;
import static io.heliograph.bridge.BridgeTesting.startServer;
import static io.heliograph.bridge.BridgeTesting.tls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real sockets on 127.0.0.1: who may link to whom under mutual TLS, and what a refused peer is told. */
class MutualTlsTest {

    @TempDir
    Path directory;
    @TempDir
    Path foreignDirectory;

    private ThrowawayCa ca;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeEach
    void makeCa() {
        ca = BridgeTesting.newCa(directory, "test-mesh");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closeAfter.reversed()) {
            closeable.close();
        }
    }

    private <T extends AutoCloseable> T closing(T closeable) {
        closeAfter.add(closeable);
        return closeable;
    }

    private BridgeTlsFiles issue(String region) {
        return ca.issueRegion(directory, region, BridgeTesting.VALIDITY);
    }

    private static BackfillRequest backfillRequest() {
        return BackfillRequest.newBuilder().setChannel("room:1").setFromSerial(Serial.newBuilder().setEpoch(1)
                .setSeq(41)).setLimit(10).setLeaseEpoch(3).build();
    }

    @Test
    void twoRegionsInEachOthersPeerListsExchangeHelloAndEnvelopesBothWays() throws Exception {
        EchoBridge usEast = new EchoBridge("us-east");
        BridgeServer server = closing(startServer(tls(issue("us-east"), "us-east", "eu-west"), usEast));
        PeerChannel toUsEast = closing(dial(tls(issue("eu-west"), "eu-west", "us-east"), "us-east", server));

        BridgeTesting.Inbox inbox = new BridgeTesting.Inbox();
        StreamObserver<LinkFrame> outbound = toUsEast.link(inbox);
        outbound.onNext(LinkFrame.newBuilder().setHello(Hello.newBuilder().setOriginRegion("eu-west")
                .setReplicaId("eu-west-bridge-1").setLeaseEpoch(3).setProtocolVersion(1)).build());
        MessageEnvelope envelope = MessageEnvelope.newBuilder().setChannel("room:1")
                .setSerial(Serial.newBuilder().setEpoch(2).setSeq(5)).setMsgId("m-1").setOriginRegion("eu-west")
                .setClientId("alice").setName("chat").setPayload(ByteString.copyFromUtf8("{\"text\":\"hi\"}"))
                .setTimestampMs(1_700_000_000_000L).build();
        outbound.onNext(LinkFrame.newBuilder().setLinkSeq(1).setEnvelope(envelope).build());

        LinkFrame hello = inbox.next(LinkFrame::hasHello, "the server's Hello");
        assertEquals("us-east", hello.getHello().getOriginRegion());
        assertEquals(EchoBridge.LEASE_EPOCH, hello.getHello().getLeaseEpoch());
        LinkFrame reply = inbox.next(LinkFrame::hasEnvelope, "the server's envelope");
        assertEquals(1, reply.getLinkSeq());
        assertEquals("us-east", reply.getEnvelope().getOriginRegion());
        assertEquals(105, reply.getEnvelope().getSerial().getSeq());
        assertEquals(envelope.getPayload(), reply.getEnvelope().getPayload());
        assertEquals(1, inbox.next(LinkFrame::hasAck, "the ack of link_seq 1").getAck().getLinkSeq());

        LinkFrame helloIn = usEast.received.poll(BridgeTesting.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(3, helloIn.getHello().getLeaseEpoch());
        LinkFrame envelopeIn = usEast.received.poll(BridgeTesting.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(envelope, envelopeIn.getEnvelope());
        Optional<PeerIdentity> caller = usEast.callers.poll(BridgeTesting.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("eu-west", caller.orElseThrow().region());
        outbound.onCompleted();

        BackfillPage page = toUsEast.backfill(backfillRequest());
        assertEquals(42, page.getMessages(0).getSerial().getSeq());
    }

    @Test
    void aPeerWhoseCertificateNamesARegionOutsideThePeerListIsRefusedWithPermissionDenied() {
        EchoBridge usEast = new EchoBridge("us-east");
        BridgeTls serverTls = tls(issue("us-east"), "us-east", "eu-west");
        BridgeServer server = closing(startServer(serverTls, usEast));
        PeerChannel fromApSouth = closing(dial(tls(issue("ap-south"), "ap-south", "us-east"), "us-east", server));

        StatusRuntimeException refusal = refused(() -> fromApSouth.backfill(backfillRequest()));

        assertEquals(Status.Code.PERMISSION_DENIED, refusal.getStatus().getCode());
        assertTrue(refusal.getStatus().getDescription().contains("region 'ap-south' is not a peer"),
                refusal.getStatus().getDescription());
        assertEquals(1, serverTls.refusals().count(Reason.REGION_NOT_A_PEER));
        assertTrue(usEast.callers.isEmpty(), "the service must not have been called");
    }

    @Test
    void aClientCertificateFromAnotherCaIsRefusedByTheServer() {
        EchoBridge usEast = new EchoBridge("us-east");
        BridgeTls serverTls = tls(issue("us-east"), "us-east", "eu-west");
        BridgeServer server = closing(startServer(serverTls, usEast));
        ThrowawayCa foreign = BridgeTesting.newCa(foreignDirectory, "another-mesh");
        BridgeTlsFiles foreignIdentity = foreign.issueRegion(foreignDirectory, "eu-west", BridgeTesting.VALIDITY);
        // It trusts our CA, so the handshake gets as far as the server judging the client's certificate.
        BridgeTlsFiles files = new BridgeTlsFiles(foreignIdentity.certChain(), foreignIdentity.privateKey(),
                directory.resolve(BridgeTlsFiles.CA_CERT));
        PeerChannel fromForeign = closing(dial(tls(files, "eu-west", "us-east"), "us-east", server));

        StatusRuntimeException refusal = refused(() -> fromForeign.backfill(backfillRequest()));

        assertEquals(Status.Code.UNAVAILABLE, refusal.getStatus().getCode(), refusal.toString());
        assertTrue(serverTls.refusals().count(Reason.UNTRUSTED_CERTIFICATE) >= 1,
                "the server counts the untrusted client certificate");
        assertTrue(usEast.callers.isEmpty(), "the service must not have been called");
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefusedByTheClient() {
        ThrowawayCa foreign = BridgeTesting.newCa(foreignDirectory, "another-mesh");
        BridgeTlsFiles foreignIdentity = foreign.issueRegion(foreignDirectory, "us-east", BridgeTesting.VALIDITY);
        BridgeTlsFiles files = new BridgeTlsFiles(foreignIdentity.certChain(), foreignIdentity.privateKey(),
                directory.resolve(BridgeTlsFiles.CA_CERT));
        EchoBridge impostor = new EchoBridge("us-east");
        BridgeServer server = closing(startServer(tls(files, "us-east", "eu-west"), impostor));
        BridgeTls clientTls = tls(issue("eu-west"), "eu-west", "us-east");
        PeerChannel toImpostor = closing(dial(clientTls, "us-east", server));

        StatusRuntimeException refusal = refused(() -> toImpostor.backfill(backfillRequest()));

        assertEquals(Status.Code.UNAVAILABLE, refusal.getStatus().getCode(), refusal.toString());
        assertTrue(clientTls.refusals().count(Reason.UNTRUSTED_CERTIFICATE) >= 1,
                "the client counts the untrusted server certificate");
        assertTrue(impostor.callers.isEmpty(), "the service must not have been called");
    }

    @Test
    void aServerThatIsNotTheRegionDialledIsRefusedByTheClient() {
        EchoBridge apSouth = new EchoBridge("ap-south");
        BridgeServer server = closing(startServer(tls(issue("ap-south"), "ap-south", "eu-west"), apSouth));
        BridgeTls clientTls = tls(issue("eu-west"), "eu-west", "us-east", "ap-south");
        // Dials us-east but reaches ap-south's bridge (a stale address, say).
        PeerChannel misdialled = closing(dial(clientTls, "us-east", server));

        StatusRuntimeException refusal = refused(() -> misdialled.backfill(backfillRequest()));

        assertEquals(Status.Code.UNAVAILABLE, refusal.getStatus().getCode(), refusal.toString());
        assertTrue(clientTls.refusals().count(Reason.UNEXPECTED_REGION) >= 1,
                "the client counts the server of the wrong region");
        assertTrue(apSouth.callers.isEmpty(), "the service must not have been called");
    }

    @Test
    void theHealthServiceAnswersServingForTheServerAndTheBridgeService() {
        BridgeServer server = closing(startServer(tls(issue("us-east"), "us-east", "eu-west"),
                new EchoBridge("us-east")));
        PeerChannel toUsEast = closing(dial(tls(issue("eu-west"), "eu-west", "us-east"), "us-east", server));
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(toUsEast.channel())
                .withDeadlineAfter(BridgeTesting.WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder().setService("").build())
                .getStatus());
        assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
                .setService(RegionBridgeGrpc.SERVICE_NAME).build()).getStatus());

        server.health().setStatus(RegionBridgeGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
        assertEquals(ServingStatus.NOT_SERVING, health.check(HealthCheckRequest.newBuilder()
                .setService(RegionBridgeGrpc.SERVICE_NAME).build()).getStatus());
    }
}
