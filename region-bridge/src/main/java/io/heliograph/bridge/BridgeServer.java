package io.heliograph.bridge;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.heliograph.bridge.tls.BridgeTls;
import io.heliograph.bridge.tls.RegionIdentity;
import io.heliograph.bridge.v1.RegionBridgeGrpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server of one region's bridge: the RegionBridge service behind the peer check (mutual TLS, peer regions
 * only), and the standard health service ({@code grpc.health.v1.Health}), which any client holding a certificate of
 * a trusted CA may ask. Calls run on virtual threads.
 *
 * <p>Health answers SERVING for {@code ""} and for {@code heliograph.bridge.v1.RegionBridge} once started, and
 * NOT_SERVING from the moment {@link #close()} begins; {@link #health()} lets the replication code say NOT_SERVING
 * meanwhile (for example while it does not hold its region's lease).
 */
public final class BridgeServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(BridgeServer.class.getName());

    private final String region;
    private final LinkSettings settings;
    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    private BridgeServer(Builder builder) {
        this.region = RegionIdentity.requireValidRegion(builder.region, "region");
        this.settings = Objects.requireNonNullElseGet(builder.settings, LinkSettings::defaults);
        if (builder.service == null) {
            throw new BridgeConfigException("region bridge " + region + ": no RegionBridge service given");
        }
        String serviceName = builder.service.bindService().getServiceDescriptor().getName();
        if (!RegionBridgeGrpc.SERVICE_NAME.equals(serviceName)) {
            throw new BridgeConfigException("region bridge " + region + ": the service must implement "
                    + RegionBridgeGrpc.SERVICE_NAME + ", got " + serviceName);
        }
        if (builder.port < 0 || builder.port > 65535) {
            throw new BridgeConfigException("bridge port must be 0..65535 (0: any free port), got " + builder.port);
        }
        boolean plaintext = TransportSecurity.plaintext(builder.tls, builder.insecure,
                "region bridge server " + region);
        if (!plaintext && !builder.tls.region().equals(region)) {
            throw new BridgeConfigException("region bridge " + region + ": its TLS is for region '"
                    + builder.tls.region() + "'");
        }
        ServerCredentials credentials = plaintext ? InsecureServerCredentials.create()
                : builder.tls.serverCredentials();
        ServerServiceDefinition bridge = plaintext ? builder.service.bindService()
                : ServerInterceptors.intercept(builder.service, builder.tls.peerCheck());
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(builder.host, builder.port), credentials)
                .addService(bridge)
                .addService(health.getHealthService())
                .executor(executor)
                .keepAliveTime(settings.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTimeout(settings.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .permitKeepAliveTime(settings.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .permitKeepAliveWithoutCalls(true)
                .handshakeTimeout(settings.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .maxInboundMessageSize(settings.maxInboundMessageBytes())
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds the port and starts serving; health turns SERVING. */
    public BridgeServer start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("region bridge " + region + " cannot listen: " + e.getMessage(), e);
        }
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(RegionBridgeGrpc.SERVICE_NAME, ServingStatus.SERVING);
        LOG.log(System.Logger.Level.INFO, "region bridge " + region + " listening on " + server.getListenSockets());
        return this;
    }

    /** The port it listens on (the one the OS chose when built with port 0); valid after {@link #start()}. */
    public int port() {
        return server.getPort();
    }

    public String region() {
        return region;
    }

    /** The health service's status, for callers that need to report NOT_SERVING while running. */
    public HealthStatusManager health() {
        return health;
    }

    /** Health NOT_SERVING, then no new calls, then up to {@code shutdownGrace} for running calls, then cancels. */
    @Override
    public void close() {
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(settings.shutdownGrace().toNanos(), TimeUnit.NANOSECONDS)) {
                server.shutdownNow();
                server.awaitTermination(settings.shutdownGrace().toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            executor.shutdownNow();
        }
    }

    /** Builds a {@link BridgeServer}; {@link #build()} checks the configuration. */
    public static final class Builder {
        private String region;
        private String host = "0.0.0.0";
        private int port = -1;
        private BridgeTls tls;
        private boolean insecure;
        private LinkSettings settings;
        private BindableService service;

        private Builder() {
        }

        /** The region this bridge serves. */
        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /** Where to listen; port 0 lets the OS choose (see {@link BridgeServer#port()}). */
        public Builder listen(String host, int port) {
            this.host = Objects.requireNonNull(host, "host");
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

        /** The RegionBridge implementation (Link and Backfill). */
        public Builder service(BindableService service) {
            this.service = service;
            return this;
        }

        /** @throws BridgeConfigException when something is missing or contradicts */
        public BridgeServer build() {
            return new BridgeServer(this);
        }
    }
}
