package io.heliograph.bridge.tls;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Set;

/**
 * The server side of the peer check: a call is accepted only from a bridge whose certificate (already verified
 * against the trusted CAs by the handshake) names a region in the peer list. A refused call is closed with
 * PERMISSION_DENIED naming the region, so the operator of the refused bridge reads what to fix; an accepted call
 * carries its {@link PeerIdentity} in the gRPC context.
 */
final class PeerRegionInterceptor implements ServerInterceptor {

    private static final System.Logger LOG = System.getLogger(PeerRegionInterceptor.class.getName());

    private final String localRegion;
    private final Set<String> peerRegions;
    private final BridgeRefusals refusals;

    PeerRegionInterceptor(String localRegion, Set<String> peerRegions, BridgeRefusals refusals) {
        this.localRegion = localRegion;
        this.peerRegions = Set.copyOf(peerRegions);
        this.refusals = refusals;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        X509Certificate certificate = peerCertificate(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (certificate == null) {
            return refuse(call, BridgeRefusals.Reason.UNTRUSTED_CERTIFICATE,
                    "region bridge " + localRegion + " accepts only TLS calls with a client certificate");
        }
        String region;
        try {
            region = RegionIdentity.regionOf(certificate).orElse(null);
        } catch (IllegalArgumentException e) {
            region = null;
        }
        if (region == null) {
            return refuse(call, BridgeRefusals.Reason.NO_REGION, "region bridge " + localRegion
                    + ": the client certificate '" + certificate.getSubjectX500Principal().getName()
                    + "' names no region (" + RegionIdentity.URI_PREFIX + "<region>)");
        }
        if (!peerRegions.contains(region)) {
            return refuse(call, BridgeRefusals.Reason.REGION_NOT_A_PEER, "region bridge " + localRegion
                    + ": region '" + region + "' is not a peer (peers: " + String.join(", ",
                    peerRegions.stream().sorted().toList()) + ")");
        }
        Context context = Context.current().withValue(PeerIdentity.CONTEXT_KEY, new PeerIdentity(region,
                certificate));
        return Contexts.interceptCall(context, call, headers, next);
    }

    private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, BridgeRefusals.Reason reason,
                                                String description) {
        refusals.increment(reason);
        LOG.log(System.Logger.Level.WARNING, description + "; call " + call.getMethodDescriptor().getFullMethodName()
                + " from " + call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR) + " refused");
        call.close(Status.PERMISSION_DENIED.withDescription(description), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    private static X509Certificate peerCertificate(SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? x509 : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }
}
