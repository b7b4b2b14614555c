package io.heliograph.bridge.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * Decides during the handshake whether the other side may be talked to. Both sides require a chain to a trusted CA.
 * A client also requires the server to be the region it dialled ({@code expectedRegion}); the server's check of the
 * client's region is {@link PeerRegionInterceptor}'s, after the handshake, so that a refused region hears why
 * (PERMISSION_DENIED naming it) instead of a bare TLS alert.
 *
 * <p>The address dialled is deliberately not verified (no host name check): bridges move between hosts and are
 * reached by IP; what a bridge is trusted for is the region its certificate names.
 */
final class PeerTrustManager extends X509ExtendedTrustManager {

    private final TrustedCas cas;
    private final String expectedRegion;
    private final BridgeRefusals refusals;

    /** @param expectedRegion the region a client dialled; null on the server side */
    PeerTrustManager(TrustedCas cas, String expectedRegion, BridgeRefusals refusals) {
        this.cas = cas;
        this.expectedRegion = expectedRegion;
        this.refusals = refusals;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        requireTrustedChain(chain, authType, true);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        requireTrustedChain(chain, authType, true);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        requireTrustedChain(chain, authType, true);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkServer(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkServer(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkServer(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return cas.verifier().getAcceptedIssuers();
    }

    private void checkServer(X509Certificate[] chain, String authType) throws CertificateException {
        requireTrustedChain(chain, authType, false);
        if (expectedRegion == null) {
            return;
        }
        String named;
        try {
            named = RegionIdentity.regionOf(chain[0]).orElse(null);
        } catch (IllegalArgumentException e) {
            named = null;
        }
        if (named == null) {
            refusals.increment(BridgeRefusals.Reason.NO_REGION);
            throw new CertificateException("bridge server certificate " + subject(chain)
                    + " names no region; expected region '" + expectedRegion + "'");
        }
        if (!named.equals(expectedRegion)) {
            refusals.increment(BridgeRefusals.Reason.UNEXPECTED_REGION);
            throw new CertificateException("bridge server certificate is for region '" + named
                    + "', but region '" + expectedRegion + "' was dialled");
        }
    }

    private void requireTrustedChain(X509Certificate[] chain, String authType, boolean client)
            throws CertificateException {
        // The two-argument checks: PKIX path, validity and key usage against the CAs, no host name (see above).
        try {
            if (client) {
                cas.verifier().checkClientTrusted(chain, authType);
            } else {
                cas.verifier().checkServerTrusted(chain, authType);
            }
        } catch (CertificateException | IllegalArgumentException e) {
            refusals.increment(BridgeRefusals.Reason.UNTRUSTED_CERTIFICATE);
            throw new CertificateException("bridge " + (client ? "client" : "server") + " certificate "
                    + subject(chain) + " is not trusted by the CAs in " + cas.file() + ": " + e.getMessage(), e);
        }
    }

    private static String subject(X509Certificate[] chain) {
        return chain == null || chain.length == 0 ? "(none)" : "'" + chain[0].getSubjectX500Principal().getName()
                + "'";
    }
}
