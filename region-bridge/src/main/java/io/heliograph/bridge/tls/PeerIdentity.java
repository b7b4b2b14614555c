package io.heliograph.bridge.tls;

import io.grpc.Context;

import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;

/**
 * The authenticated peer of a bridge call: the region its certificate names (already checked against the peer list)
 * and the certificate itself. Set in the gRPC {@link Context} of every RegionBridge call by the server's peer check,
 * so that the replication code can compare a Hello's {@code origin_region} with who actually connected.
 */
public record PeerIdentity(String region, X509Certificate certificate) {

    static final Context.Key<PeerIdentity> CONTEXT_KEY = Context.key("heliograph.bridge.peer-identity");

    public PeerIdentity {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(certificate, "certificate");
    }

    /** The peer of the call being handled; empty on a plaintext ({@code insecure}) server or outside a call. */
    public static Optional<PeerIdentity> current() {
        return Optional.ofNullable(CONTEXT_KEY.get());
    }
}
