package io.heliograph.bridge.tls;

import io.heliograph.bridge.BridgeConfigException;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The CAs a bridge trusts, from one PEM file that may hold several (during a CA rotation it holds the old and the new),
 * re-read when the file changed, checked at every handshake like {@link ReloadingKeyManager}. A rewritten file that
 * does not load is not installed: the previous CAs stay, with one warning.
 */
final class TrustedCas {

    private static final System.Logger LOG = System.getLogger(TrustedCas.class.getName());

    private record Loaded(PemFiles.FileStamp stamp, X509TrustManager verifier) {
    }

    private final Path caFile;
    private volatile Loaded loaded;
    private PemFiles.FileStamp lastRefused;

    /** @throws BridgeConfigException when the file is missing, unreadable or holds no CA certificate */
    TrustedCas(Path caFile) {
        this.caFile = caFile;
        this.loaded = load(PemFiles.stamp(caFile, "trusted-ca"));
    }

    Path file() {
        return caFile;
    }

    /** The PKIX verifier for the CAs in the file now. */
    synchronized X509TrustManager verifier() {
        Loaded current = loaded;
        PemFiles.FileStamp stamp;
        try {
            stamp = PemFiles.stamp(caFile, "trusted-ca");
        } catch (BridgeConfigException e) {
            return current.verifier();
        }
        if (stamp.equals(current.stamp()) || stamp.equals(lastRefused)) {
            return current.verifier();
        }
        try {
            loaded = load(stamp);
            LOG.log(System.Logger.Level.INFO, "region bridge: reloaded trusted CAs from " + caFile);
            return loaded.verifier();
        } catch (BridgeConfigException e) {
            lastRefused = stamp;
            LOG.log(System.Logger.Level.WARNING, "region bridge: keeping the previous trusted CAs, the rewritten "
                    + caFile + " does not load: " + e.getMessage());
            return current.verifier();
        }
    }

    private Loaded load(PemFiles.FileStamp stamp) {
        List<X509Certificate> cas = PemFiles.readCertificates(caFile, "trusted-ca");
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            return new Loaded(stamp, (X509TrustManager) factory.getTrustManagers()[0]);
        } catch (GeneralSecurityException | IOException e) {
            throw new BridgeConfigException("trusted-ca: " + caFile + " cannot be used as trust anchors ("
                    + e.getMessage() + ")", e);
        }
    }
}
