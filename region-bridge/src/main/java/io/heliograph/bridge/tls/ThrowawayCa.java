package io.heliograph.bridge.tls;

import io.heliograph.bridge.BridgeConfigException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.List;

/**
 * A certificate authority made on the spot, offline, for tests and local meshes ({@code ./mesh up}): it issues each
 * region's bridge a certificate that names the region ({@code heliograph://region/<region>} and
 * {@code <region>.bridge.heliograph}) and can be reached as {@code localhost} or {@code 127.0.0.1}, valid for both
 * server and client authentication because every bridge is both. Keys are EC P-256. Not for production: its key sits
 * in a file next to the certificates.
 *
 * <p>Layout of its directory ({@link BridgeTlsFiles#inDirectory}): {@code ca.pem}, {@code ca-key.pem} and, per region,
 * {@code <region>/chain.pem} (the region's certificate, then the CA's) and {@code <region>/key.pem} (PKCS#8). Files
 * are replaced atomically, the key before the chain, so a running bridge reloads a consistent pair.
 */
public final class ThrowawayCa {

    /** File name of the CA's private key in its directory. */
    public static final String CA_KEY = "ca-key.pem";
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final InstantSource clock;

    private ThrowawayCa(X509Certificate certificate, PrivateKey key, InstantSource clock) {
        this.certificate = certificate;
        this.key = key;
        this.clock = clock;
    }

    /** A new CA named {@code commonName}, valid for {@code validity} from now. */
    public static ThrowawayCa create(String commonName, Duration validity, InstantSource clock) {
        KeyPair pair = newKeyPair();
        X500Name subject = new X500Name("CN=" + commonName + ",O=Heliograph throwaway CA");
        Instant now = clock.instant();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, newSerial(),
                    Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(validity)), subject, pair.getPublic());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(pair.getPublic()));
            return new ThrowawayCa(sign(builder, pair.getPrivate()), pair.getPrivate(), clock);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot make a CA certificate: " + e.getMessage(), e);
        }
    }

    /**
     * The CA in {@code directory} if there is one ({@code ca.pem} and {@code ca-key.pem}), else a new one (valid one
     * year) written there: a local mesh keeps its CA across restarts, so running bridges keep trusting each other.
     */
    public static ThrowawayCa loadOrCreate(Path directory, InstantSource clock) {
        Path caFile = directory.resolve(BridgeTlsFiles.CA_CERT);
        Path keyFile = directory.resolve(CA_KEY);
        if (Files.exists(caFile) && Files.exists(keyFile)) {
            X509Certificate certificate = PemFiles.readCertificates(caFile, "trusted-ca").getFirst();
            PrivateKey key = PemFiles.readPrivateKey(keyFile, "ca-key");
            PemFiles.requireKeyMatches(key, certificate, keyFile, caFile);
            return new ThrowawayCa(certificate, key, clock);
        }
        ThrowawayCa ca = create("heliograph-local-mesh", Duration.ofDays(365), clock);
        ca.writeCa(directory);
        return ca;
    }

    /** The CA's certificate, the one peers must trust. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** Writes {@code ca.pem} and {@code ca-key.pem} (owner-only) into {@code directory}, creating it. */
    public void writeCa(Path directory) {
        writeAtomically(directory.resolve(CA_KEY), pem(key), true);
        writeAtomically(directory.resolve(BridgeTlsFiles.CA_CERT), pem(certificate), false);
    }

    /**
     * Issues {@code region} a new key and certificate valid for {@code validity}, writes them in the directory layout
     * (replacing any earlier ones: that is a rotation), and the CA's certificate too.
     *
     * @return where they were written
     */
    public BridgeTlsFiles issueRegion(Path directory, String region, Duration validity) {
        BridgeTlsFiles files = BridgeTlsFiles.inDirectory(directory, region);
        KeyPair pair = newKeyPair();
        X509Certificate issued = regionCertificate(region, pair, validity);
        if (!Files.exists(files.trustedCa())) {
            writeAtomically(files.trustedCa(), pem(certificate), false);
        }
        writeAtomically(files.privateKey(), pem(pair.getPrivate()), true);
        writeAtomically(files.certChain(), pem(issued) + pem(certificate), false);
        return files;
    }

    private X509Certificate regionCertificate(String region, KeyPair pair, Duration validity) {
        X500Name subject = new X500Name("CN=" + RegionIdentity.dnsName(region) + ",O=Heliograph bridge");
        Instant now = clock.instant();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, newSerial(),
                    Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(validity)), subject, pair.getPublic());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.uniformResourceIdentifier, RegionIdentity.uriName(region)),
                    new GeneralName(GeneralName.dNSName, RegionIdentity.dnsName(region)),
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(pair.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    extensions.createAuthorityKeyIdentifier(certificate));
            return sign(builder, key);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue a certificate for region " + region + ": "
                    + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys: " + e.getMessage(), e);
        }
    }

    private static BigInteger newSerial() {
        // Positive and at most 20 octets (RFC 5280), random so that a rotated certificate is told apart.
        return new BigInteger(127, RANDOM).setBit(126);
    }

    private static String pem(Object object) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            // Private keys as unencrypted PKCS#8 (BEGIN PRIVATE KEY), the form every TLS stack reads.
            writer.writeObject(object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null).generate() : object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static void writeAtomically(Path file, String content, boolean ownerOnly) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
            // Temporary files start owner-only; certificates are public, keys stay owner-only.
            if (temporary.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString(ownerOnly ? "rw-------"
                        : "rw-r--r--"));
            }
            Files.writeString(temporary, content, StandardCharsets.US_ASCII);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new BridgeConfigException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code ThrowawayCa <directory> <region>...}: makes (or keeps) the CA in the directory and issues each region a
     * fresh certificate, valid 30 days. What {@code ./mesh up} runs before it starts bridges.
     */
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: ThrowawayCa <directory> <region>...");
            System.exit(2);
        }
        Path directory = Path.of(args[0]);
        try {
            ThrowawayCa ca = loadOrCreate(directory, InstantSource.system());
            for (String region : List.of(args).subList(1, args.length)) {
                BridgeTlsFiles files = ca.issueRegion(directory, region, Duration.ofDays(30));
                System.out.println("bridge-tls " + region + " " + files.certChain() + " " + files.privateKey() + " "
                        + files.trustedCa());
            }
        } catch (BridgeConfigException e) {
            System.err.println("ThrowawayCa: " + e.getMessage());
            System.exit(1);
        }
    }
}
