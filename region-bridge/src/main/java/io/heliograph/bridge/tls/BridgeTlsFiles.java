package io.heliograph.bridge.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a bridge's TLS material lives: its certificate chain (its own certificate first, then any intermediates),
 * its private key (PKCS#8 PEM) and the CA certificates it trusts for its peers.
 *
 * @param certChain  setting {@code cert-chain}
 * @param privateKey setting {@code private-key}
 * @param trustedCa  setting {@code trusted-ca}
 */
public record BridgeTlsFiles(Path certChain, Path privateKey, Path trustedCa) {

    /** File name of the CA certificate in a {@link ThrowawayCa} directory. */
    public static final String CA_CERT = "ca.pem";
    /** File name of a region's certificate chain, in the region's sub-directory. */
    public static final String CHAIN = "chain.pem";
    /** File name of a region's private key, in the region's sub-directory. */
    public static final String KEY = "key.pem";

    public BridgeTlsFiles {
        Objects.requireNonNull(certChain, "cert-chain");
        Objects.requireNonNull(privateKey, "private-key");
        Objects.requireNonNull(trustedCa, "trusted-ca");
    }

    /** The layout {@link ThrowawayCa} writes: {@code <dir>/ca.pem}, {@code <dir>/<region>/chain.pem} and {@code key.pem}. */
    public static BridgeTlsFiles inDirectory(Path directory, String region) {
        Path regionDirectory = directory.resolve(RegionIdentity.requireValidRegion(region, "region"));
        return new BridgeTlsFiles(regionDirectory.resolve(CHAIN), regionDirectory.resolve(KEY),
                directory.resolve(CA_CERT));
    }
}
