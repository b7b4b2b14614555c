package io.heliograph.bridge.tls;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.heliograph.bridge.BridgeConfigException;

import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * A bridge's mutual TLS: who it is (its region, proven by its certificate), whom it trusts (the CAs) and whom it
 * talks to (the peer regions). Makes the server credentials (client certificate required), the channel credentials
 * for dialling one peer region, and the server's peer check. The files are loaded and checked when this is built;
 * after that, rewritten files are picked up at the next handshake (see {@link ReloadingKeyManager}), so nothing here
 * runs in the background and nothing needs closing.
 */
public final class BridgeTls {

    private final String region;
    private final Set<String> peerRegions;
    private final ReloadingKeyManager identity;
    private final TrustedCas cas;
    private final BridgeRefusals refusals = new BridgeRefusals();

    private BridgeTls(Builder builder) {
        this.region = RegionIdentity.requireValidRegion(builder.region, "region");
        if (builder.peerRegions.isEmpty()) {
            throw new BridgeConfigException("peer-regions is empty: region bridge " + region
                    + " would refuse every peer");
        }
        for (String peer : builder.peerRegions) {
            RegionIdentity.requireValidRegion(peer, "peer-regions");
        }
        if (builder.peerRegions.contains(region)) {
            throw new BridgeConfigException("peer-regions lists the bridge's own region '" + region + "'");
        }
        if (builder.files == null) {
            throw new BridgeConfigException("region bridge " + region
                    + ": TLS files are not set (cert-chain, private-key, trusted-ca)");
        }
        this.peerRegions = Set.copyOf(builder.peerRegions);
        this.identity = new ReloadingKeyManager(builder.files.certChain(), builder.files.privateKey(), region);
        this.cas = new TrustedCas(builder.files.trustedCa());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The region this bridge is. */
    public String region() {
        return region;
    }

    /** The regions this bridge accepts calls from and may dial. */
    public Set<String> peerRegions() {
        return peerRegions;
    }

    /** Peers refused so far, by reason, on the server and channel sides together. */
    public BridgeRefusals refusals() {
        return refusals;
    }

    /** The certificate this bridge presents now (after any reload). */
    public X509Certificate certificate() {
        return identity.certificate();
    }

    /** For the bridge's server: presents this region's certificate and requires a trusted client certificate. */
    public ServerCredentials serverCredentials() {
        return TlsServerCredentials.newBuilder()
                .keyManager(identity)
                .trustManager(new PeerTrustManager(cas, null, refusals))
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build();
    }

    /**
     * For dialling {@code peerRegion}: presents this region's certificate and accepts only a server whose trusted
     * certificate names {@code peerRegion}.
     *
     * @throws BridgeConfigException when {@code peerRegion} is not a configured peer
     */
    public ChannelCredentials channelCredentials(String peerRegion) {
        requirePeer(peerRegion);
        return TlsChannelCredentials.newBuilder()
                .keyManager(identity)
                .trustManager(new PeerTrustManager(cas, peerRegion, refusals))
                .build();
    }

    /** The server's check that a call comes from a peer region; wraps the RegionBridge service. */
    public ServerInterceptor peerCheck() {
        return new PeerRegionInterceptor(region, peerRegions, refusals);
    }

    /** @throws BridgeConfigException when {@code peerRegion} is not a configured peer */
    public void requirePeer(String peerRegion) {
        if (!peerRegions.contains(peerRegion)) {
            throw new BridgeConfigException("region bridge " + region + ": '" + peerRegion
                    + "' is not in peer-regions " + new TreeSet<>(peerRegions));
        }
    }

    /** Builds a {@link BridgeTls}; {@link #build()} loads and checks the files. */
    public static final class Builder {
        private String region;
        private final Set<String> peerRegions = new TreeSet<>();
        private BridgeTlsFiles files;

        private Builder() {
        }

        /** The region this bridge is; its certificate must name it. */
        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /** The regions to accept and dial (adds to any given before). */
        public Builder peerRegions(Collection<String> regions) {
            peerRegions.addAll(regions);
            return this;
        }

        public Builder files(BridgeTlsFiles files) {
            this.files = files;
            return this;
        }

        /** @throws BridgeConfigException naming the setting when anything is missing or wrong */
        public BridgeTls build() {
            return new BridgeTls(this);
        }
    }
}
