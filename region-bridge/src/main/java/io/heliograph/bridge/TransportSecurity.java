package io.heliograph.bridge;

import io.heliograph.bridge.tls.BridgeTls;

/**
 * The one rule for both ends of a link: TLS, or plaintext only when asked for by name. Plaintext means peers are not
 * authenticated at all (anyone who can reach the port may claim any region), so it is for tests and throwaway local
 * meshes, and it is announced with a WARNING each time a server or channel is built with it.
 */
final class TransportSecurity {

    private static final System.Logger LOG = System.getLogger(TransportSecurity.class.getName());

    private TransportSecurity() {
    }

    /**
     * @return true for plaintext
     * @throws BridgeConfigException when neither or both of TLS and {@code insecure} are set
     */
    static boolean plaintext(BridgeTls tls, boolean insecure, String what) {
        if (tls != null && insecure) {
            throw new BridgeConfigException(what + ": both TLS and insecure are set; choose one");
        }
        if (tls == null && !insecure) {
            throw new BridgeConfigException(what + ": no TLS configured (cert-chain, private-key, trusted-ca)."
                    + " Plaintext between regions needs the explicit insecure flag, for tests and local meshes only");
        }
        if (insecure) {
            LOG.log(System.Logger.Level.WARNING, what + " runs PLAINTEXT (insecure): peers are not authenticated"
                    + " and traffic between regions is not encrypted");
        }
        return insecure;
    }
}
