package io.heliograph.bridge;

import io.grpc.stub.StreamObserver;
import io.heliograph.bridge.tls.PeerIdentity;
import io.heliograph.bridge.v1.Ack;
import io.heliograph.bridge.v1.BackfillPage;
import io.heliograph.bridge.v1.BackfillRequest;
import io.heliograph.bridge.v1.Hello;
import io.heliograph.bridge.v1.LinkFrame;
import io.heliograph.bridge.v1.MessageEnvelope;
import io.heliograph.bridge.v1.RegionBridgeGrpc;
import io.heliograph.bridge.v1.Serial;

import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A test RegionBridge: answers a Hello with its own, an envelope with an envelope of its own and an ack, and a
 * backfill with one message; records every call's peer identity and every frame it received.
 */
class EchoBridge extends RegionBridgeGrpc.RegionBridgeImplBase {

    static final long LEASE_EPOCH = 7;

    final String region;
    final BlockingQueue<Optional<PeerIdentity>> callers = new LinkedBlockingQueue<>();
    final BlockingQueue<LinkFrame> received = new LinkedBlockingQueue<>();

    EchoBridge(String region) {
        this.region = region;
    }

    @Override
    public StreamObserver<LinkFrame> link(StreamObserver<LinkFrame> peer) {
        callers.add(PeerIdentity.current());
        return new StreamObserver<>() {
            private long nextLinkSeq = 1;

            @Override
            public void onNext(LinkFrame frame) {
                received.add(frame);
                switch (frame.getBodyCase()) {
                    case HELLO -> peer.onNext(LinkFrame.newBuilder().setHello(Hello.newBuilder()
                            .setOriginRegion(region).setReplicaId(region + "-bridge-1").setLeaseEpoch(LEASE_EPOCH)
                            .setProtocolVersion(1).setAckedLinkSeq(0).setOldestLinkSeq(1)).build());
                    case ENVELOPE -> {
                        MessageEnvelope in = frame.getEnvelope();
                        peer.onNext(LinkFrame.newBuilder().setLinkSeq(nextLinkSeq++).setEnvelope(in.toBuilder()
                                .setOriginRegion(region)
                                .setSerial(in.getSerial().toBuilder().setSeq(in.getSerial().getSeq() + 100))).build());
                        peer.onNext(LinkFrame.newBuilder().setAck(Ack.newBuilder().setLinkSeq(frame.getLinkSeq()))
                                .build());
                    }
                    default -> {
                    }
                }
            }

            @Override
            public void onError(Throwable error) {
            }

            @Override
            public void onCompleted() {
                peer.onCompleted();
            }
        };
    }

    @Override
    public void backfill(BackfillRequest request, StreamObserver<BackfillPage> page) {
        callers.add(PeerIdentity.current());
        page.onNext(BackfillPage.newBuilder().addMessages(MessageEnvelope.newBuilder()
                .setChannel(request.getChannel()).setOriginRegion(region)
                .setSerial(Serial.newBuilder().setEpoch(1).setSeq(request.getFromSerial().getSeq() + 1))).build());
        page.onCompleted();
    }
}
