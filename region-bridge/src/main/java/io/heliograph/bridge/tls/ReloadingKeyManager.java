package io.heliograph.bridge.tls;

import io.heliograph.bridge.BridgeConfigException;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The bridge's own certificate chain and private key, re-read from their files when either changed, checked at the
 * start of every handshake (a stat of two files, on the transport's thread: handshakes are rare, one per link and
 * reconnect). So a rotated certificate is used by the very next connection, with no timer and no restart, and open
 * connections keep the identity they started with.
 *
 * <p>A rotation writes two files, not atomically together: a handshake between the two writes sees a key that does
 * not match the certificate. Such a pair (or any file that does not load) is never installed: the bridge keeps the
 * last good pair, warns once per broken state, and tries again at the next handshake.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {

    private static final System.Logger LOG = System.getLogger(ReloadingKeyManager.class.getName());

    private record Identity(String alias, PemFiles.FileStamp chainStamp, PemFiles.FileStamp keyStamp,
                            X509Certificate[] chain, PrivateKey key) {
    }

    private final Path chainFile;
    private final Path keyFile;
    private final String region;
    private long generation;
    // The current identity, and the one before it for a handshake that chose its alias just before a reload.
    private volatile Identity current;
    private volatile Identity previous;
    private PemFiles.FileStamp lastRefusedChain;
    private PemFiles.FileStamp lastRefusedKey;

    /**
     * Loads the files once, so that a bad configuration stops the bridge at start-up.
     *
     * @throws BridgeConfigException when a file is missing or unreadable, the key does not belong to the first
     *                               certificate, or the certificate does not name {@code region}
     */
    ReloadingKeyManager(Path chainFile, Path keyFile, String region) {
        this.chainFile = chainFile;
        this.keyFile = keyFile;
        this.region = region;
        this.current = load(PemFiles.stamp(chainFile, "cert-chain"), PemFiles.stamp(keyFile, "private-key"));
    }

    /** The certificate this bridge presents now. */
    X509Certificate certificate() {
        return current.chain()[0];
    }

    private Identity load(PemFiles.FileStamp chainStamp, PemFiles.FileStamp keyStamp) {
        List<X509Certificate> chain = PemFiles.readCertificates(chainFile, "cert-chain");
        PrivateKey key = PemFiles.readPrivateKey(keyFile, "private-key");
        PemFiles.requireKeyMatches(key, chain.getFirst(), keyFile, chainFile);
        String named;
        try {
            named = RegionIdentity.regionOf(chain.getFirst()).orElse(null);
        } catch (IllegalArgumentException e) {
            throw new BridgeConfigException("cert-chain: " + chainFile + ": " + e.getMessage(), e);
        }
        if (!region.equals(named)) {
            throw new BridgeConfigException("cert-chain: " + chainFile + " is for "
                    + (named == null ? "no region (no " + RegionIdentity.URI_PREFIX + "<region> or <region>"
                    + RegionIdentity.DNS_SUFFIX + " name)" : "region '" + named + "'")
                    + ", but this bridge is region '" + region + "'");
        }
        return new Identity("heliograph-bridge-" + (++generation), chainStamp, keyStamp,
                chain.toArray(X509Certificate[]::new), key);
    }

    /** Reloads when a file changed; returns the alias of the identity to present. */
    private synchronized String refreshedAlias() {
        Identity identity = current;
        try {
            PemFiles.FileStamp chainStamp = PemFiles.stamp(chainFile, "cert-chain");
            PemFiles.FileStamp keyStamp = PemFiles.stamp(keyFile, "private-key");
            if (chainStamp.equals(identity.chainStamp()) && keyStamp.equals(identity.keyStamp())) {
                return identity.alias();
            }
            if (chainStamp.equals(lastRefusedChain) && keyStamp.equals(lastRefusedKey)) {
                return identity.alias();
            }
            try {
                Identity loaded = load(chainStamp, keyStamp);
                previous = identity;
                current = loaded;
                LOG.log(System.Logger.Level.INFO, "region bridge " + region + ": reloaded certificate "
                        + loaded.chain()[0].getSerialNumber().toString(16) + " from " + chainFile
                        + ", valid until " + loaded.chain()[0].getNotAfter().toInstant());
                return loaded.alias();
            } catch (BridgeConfigException e) {
                lastRefusedChain = chainStamp;
                lastRefusedKey = keyStamp;
                LOG.log(System.Logger.Level.WARNING, "region bridge " + region
                        + ": keeping the previous certificate, the rewritten files do not load: " + e.getMessage());
                return identity.alias();
            }
        } catch (BridgeConfigException e) {
            // A file is missing for a moment (being replaced): keep presenting what we have.
            return identity.alias();
        }
    }

    private Identity byAlias(String alias) {
        Identity identity = current;
        if (identity.alias().equals(alias)) {
            return identity;
        }
        Identity before = previous;
        return before != null && before.alias().equals(alias) ? before : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return refreshedAlias();
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return refreshedAlias();
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return refreshedAlias();
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return refreshedAlias();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return new String[] {current.alias()};
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {current.alias()};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Identity identity = byAlias(alias);
        return identity == null ? null : identity.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Identity identity = byAlias(alias);
        return identity == null ? null : identity.key();
    }
}
