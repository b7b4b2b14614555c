package io.heliograph.bridge.tls;

import io.heliograph.bridge.BridgeConfigException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Reads the PEM files of a bridge's TLS configuration, with messages that name the setting, the file and what is wrong
 * with it: a bad file must stop the bridge at start-up with one clear line, not fail every handshake later.
 */
final class PemFiles {

    private PemFiles() {
    }

    /**
     * When and how large a file was and which file it is (the inode, where the file system has one): a change of any
     * means it was rewritten. The file key catches an atomic rename of a same-sized file within one clock tick.
     */
    record FileStamp(long lastModifiedNanos, long size, Object fileKey) {
    }

    static FileStamp stamp(Path file, String setting) {
        requireFile(file, setting);
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS),
                    attributes.size(), attributes.fileKey());
        } catch (IOException e) {
            throw new BridgeConfigException(setting + ": cannot read " + file + " (" + describe(e) + ")", e);
        }
    }

    /** One or more certificates, in file order (a chain: the holder's first). */
    static List<X509Certificate> readCertificates(Path file, String setting) {
        String text = readText(file, setting);
        if (!text.contains("-----BEGIN CERTIFICATE-----")) {
            throw new BridgeConfigException(setting + ": " + file
                    + " holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
        }
        try {
            List<X509Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))
                    .stream().map(X509Certificate.class::cast).toList();
            if (certificates.isEmpty()) {
                throw new BridgeConfigException(setting + ": " + file + " holds no certificate");
            }
            return certificates;
        } catch (CertificateException e) {
            throw new BridgeConfigException(setting + ": " + file + " is not a valid PEM certificate file ("
                    + e.getMessage() + ")", e);
        }
    }

    /** An unencrypted private key, PKCS#8 ({@code BEGIN PRIVATE KEY}) or the traditional RSA/EC forms. */
    static PrivateKey readPrivateKey(Path file, String setting) {
        String text = readText(file, setting);
        Object parsed;
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            parsed = parser.readObject();
        } catch (IOException e) {
            throw new BridgeConfigException(setting + ": " + file + " is not a valid PEM file (" + describe(e) + ")",
                    e);
        }
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (parsed instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (parsed instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
        } catch (IOException e) {
            throw new BridgeConfigException(setting + ": " + file + " holds a private key this JVM cannot use ("
                    + describe(e) + ")", e);
        }
        String found = parsed == null ? "no PEM object" : parsed.getClass().getSimpleName();
        throw new BridgeConfigException(setting + ": " + file + " holds " + found
                + ", expected an unencrypted private key (-----BEGIN PRIVATE KEY-----, PKCS#8)");
    }

    /** Proves the key belongs to the certificate by signing with one and verifying with the other. */
    static void requireKeyMatches(PrivateKey key, X509Certificate certificate, Path keyFile, Path chainFile) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new BridgeConfigException("private-key: " + keyFile + " holds a "
                    + key.getAlgorithm() + " key; bridges use EC, RSA or Ed25519 keys");
        };
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // A key of another algorithm than the certificate's lands here too: it does not match either.
        }
        throw new BridgeConfigException("private-key: " + keyFile + " does not belong to the certificate "
                + certificate.getSubjectX500Principal().getName() + " in cert-chain " + chainFile);
    }

    private static void requireFile(Path file, String setting) {
        if (file == null) {
            throw new BridgeConfigException(setting + " is not set");
        }
        if (!Files.isRegularFile(file)) {
            throw new BridgeConfigException(setting + ": " + file + " does not exist or is not a file");
        }
    }

    private static String readText(Path file, String setting) {
        requireFile(file, setting);
        try {
            // Latin-1 decodes any bytes, so a DER or binary file gets the "no PEM" message rather than a charset error.
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new BridgeConfigException(setting + ": cannot read " + file + " (" + describe(e) + ")", e);
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
