package io.heliograph.bridge;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.heliograph.bridge.tls.BridgeTls;
import io.heliograph.bridge.tls.RegionIdentity;
import io.heliograph.bridge.v1.BackfillPage;
import io.heliograph.bridge.v1.BackfillRequest;
import io.heliograph.bridge.v1.LinkFrame;
import io.heliograph.bridge.v1.RegionBridgeGrpc;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The channel from this region's bridge to one peer region's bridge: mutual TLS that accepts only a server whose
 * certificate names that region, keepalive from {@link LinkSettings}, and the two calls of the contract. The channel
 * reconnects by itself (with gRPC's backoff, which the link resets before each of its own attempts:
 * {@link #resetConnectBackoff}); a Link stream does not survive a reconnect, so the replication code opens a new one,
 * which resends from the peer's last ack.
 */
public final class PeerChannel implements AutoCloseable {

    private final String peerRegion;
    private final LinkSettings settings;
    private final ManagedChannel channel;

    private PeerChannel(Builder builder) {
        this.peerRegion = RegionIdentity.requireValidRegion(builder.peerRegion, "peer region");
        this.settings = Objects.requireNonNullElseGet(builder.settings, LinkSettings::defaults);
        if (builder.host == null || builder.port <= 0 || builder.port > 65535) {
            throw new BridgeConfigException("peer region " + peerRegion + ": address must be a host and a port"
                    + " 1..65535, got " + builder.host + ":" + builder.port);
        }
        boolean plaintext = TransportSecurity.plaintext(builder.tls, builder.insecure,
                "region bridge channel to " + peerRegion);
        ChannelCredentials credentials = plaintext ? InsecureChannelCredentials.create()
                : builder.tls.channelCredentials(peerRegion);
        this.channel = NettyChannelBuilder.forAddress(builder.host, builder.port, credentials)
                // The peer's region name as :authority (and SNI), whatever address it is reached by.
                .overrideAuthority(RegionIdentity.dnsName(peerRegion))
                .keepAliveTime(settings.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTimeout(settings.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveWithoutCalls(true)
                .maxInboundMessageSize(settings.maxInboundMessageBytes())
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String peerRegion() {
        return peerRegion;
    }

    /** The underlying channel, for calls other than the bridge's own (such as the health service). */
    public ManagedChannel channel() {
        return channel;
    }

    /**
     * Opens a Link stream: frames from the peer go to {@code inbound}; the returned observer sends frames to it. The
     * stream has no deadline (it lives as long as the link); keepalive ends it when the peer goes silent.
     */
    public StreamObserver<LinkFrame> link(StreamObserver<LinkFrame> inbound) {
        return RegionBridgeGrpc.newStub(channel).link(inbound);
    }

    /** One page of a channel's history from the peer, within {@link LinkSettings#unaryDeadline()}. */
    public BackfillPage backfill(BackfillRequest request) {
        return RegionBridgeGrpc.newBlockingStub(channel)
                .withDeadlineAfter(settings.unaryDeadline().toNanos(), TimeUnit.NANOSECONDS)
                .backfill(request);
    }

    /** A forwarded publish to the peer, the channel's home, answered within {@code deadlineNs}. */
    public io.heliograph.bridge.v1.PublishResult publish(io.heliograph.bridge.v1.ForwardedPublish request,
                                                         long deadlineNs) {
        return RegionBridgeGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineNs, TimeUnit.NANOSECONDS)
                .publish(request);
    }

    /** Asks the peer to yield a channel to this region's new epoch (a takeover), answered within {@code deadlineNs}. */
    public io.heliograph.bridge.v1.YieldAnswer yield(io.heliograph.bridge.v1.YieldRequest request, long deadlineNs) {
        return RegionBridgeGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineNs, TimeUnit.NANOSECONDS)
                .yield(request);
    }

    /**
     * Forgets gRPC's own connection backoff, so that the next call dials at once if the channel is waiting to
     * reconnect. The link calls it before each of its attempts: the link paces reconnects by its own backoff
     * ({@code link.backoff-max-ms}), and gRPC's (1 s growing by 1.6 per failed connect, up to 2 minutes) would
     * otherwise make every attempt after a long outage fail at once without dialling, until gRPC's next connect,
     * 10 s or more after the peer came back.
     */
    public void resetConnectBackoff() {
        channel.resetConnectBackoff();
    }

    /** Stops new calls, waits up to {@code shutdownGrace} for running ones, then cancels them. */
    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(settings.shutdownGrace().toNanos(), TimeUnit.NANOSECONDS)) {
                channel.shutdownNow();
                channel.awaitTermination(settings.shutdownGrace().toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Builds a {@link PeerChannel}; {@link #build()} checks the configuration. */
    public static final class Builder {
        private String peerRegion;
        private String host;
        private int port;
        private BridgeTls tls;
        private boolean insecure;
        private LinkSettings settings;

        private Builder() {
        }

        /** The region to dial; with TLS it must be in the peer list and its certificate must name it. */
        public Builder peerRegion(String region) {
            this.peerRegion = region;
            return this;
        }

        /** Where its bridge listens. */
        public Builder address(String host, int port) {
            this.host = host;
            this.port = port;
            return this;
        }

        /** Mutual TLS; the normal case. */
        public Builder tls(BridgeTls tls) {
            this.tls = tls;
            return this;
        }

        /** Plaintext, for tests and local meshes only; logs a WARNING. */
        public Builder insecure(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        public Builder settings(LinkSettings settings) {
            this.settings = settings;
            return this;
        }

        /** @throws BridgeConfigException when something is missing or contradicts */
        public PeerChannel build() {
            return new PeerChannel(this);
        }
    }
}
