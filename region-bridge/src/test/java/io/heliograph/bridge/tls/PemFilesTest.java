package io.heliograph.bridge.tls;

import io.heliograph.bridge.BridgeConfigException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bad TLS configuration stops the bridge at build time with a message naming the setting and what is wrong. */
class PemFilesTest {

    private static final Duration VALIDITY = Duration.ofDays(1);

    @TempDir
    Path directory;
    private ThrowawayCa ca;
    private BridgeTlsFiles usEast;

    @BeforeEach
    void issue() {
        ca = ThrowawayCa.create("config", VALIDITY, InstantSource.system());
        ca.writeCa(directory);
        usEast = ca.issueRegion(directory, "us-east", VALIDITY);
    }

    private static String refusal(BridgeTlsFiles files, String region, String... peers) {
        return assertThrows(BridgeConfigException.class, () -> BridgeTls.builder().region(region)
                .peerRegions(List.of(peers)).files(files).build()).getMessage();
    }

    @Test
    void theThrowawayCaWritesTheDocumentedLayoutAndARegionCertificateThatNamesTheRegion() throws Exception {
        assertEquals(directory.resolve("us-east/chain.pem"), usEast.certChain());
        assertEquals(directory.resolve("us-east/key.pem"), usEast.privateKey());
        assertEquals(directory.resolve("ca.pem"), usEast.trustedCa());
        assertTrue(Files.exists(directory.resolve(ThrowawayCa.CA_KEY)));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(usEast.privateKey())), "keys are owner-only");
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(usEast.certChain())), "certificates are readable");
        List<java.security.cert.X509Certificate> chain = PemFiles.readCertificates(usEast.certChain(), "cert-chain");
        assertEquals(2, chain.size(), "the region's certificate, then the CA's");
        assertEquals("us-east", RegionIdentity.regionOf(chain.getFirst()).orElseThrow());
        assertEquals(ca.certificate(), chain.get(1));
        assertEquals(ca.certificate(), ThrowawayCa.loadOrCreate(directory, InstantSource.system()).certificate(),
                "an existing CA directory is kept");
    }

    @Test
    void aMissingFileIsNamedWithItsSetting() {
        BridgeTlsFiles files = new BridgeTlsFiles(directory.resolve("nope.pem"), usEast.privateKey(),
                usEast.trustedCa());
        String message = refusal(files, "us-east", "eu-west");
        assertTrue(message.startsWith("cert-chain: ") && message.contains("nope.pem does not exist"), message);
    }

    @Test
    void aCertificateGivenAsThePrivateKeyIsNamedAsTheWrongKindOfPem() {
        BridgeTlsFiles files = new BridgeTlsFiles(usEast.certChain(), usEast.certChain(), usEast.trustedCa());
        String message = refusal(files, "us-east", "eu-west");
        assertTrue(message.startsWith("private-key: ") && message.contains("expected an unencrypted private key"),
                message);
    }

    @Test
    void aFileThatIsNotPemIsRefused() throws Exception {
        Path garbage = Files.writeString(directory.resolve("ca.der"), "\u0030\u0082 not pem at all");
        String message = refusal(new BridgeTlsFiles(usEast.certChain(), usEast.privateKey(), garbage), "us-east",
                "eu-west");
        assertTrue(message.startsWith("trusted-ca: ") && message.contains("holds no PEM certificate"), message);
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() {
        BridgeTlsFiles euWest = ca.issueRegion(directory, "eu-west", VALIDITY);
        String message = refusal(new BridgeTlsFiles(usEast.certChain(), euWest.privateKey(), usEast.trustedCa()),
                "us-east", "eu-west");
        assertTrue(message.contains("does not belong to the certificate"), message);
    }

    @Test
    void aCertificateForAnotherRegionThanTheBridgesIsRefused() {
        String message = refusal(usEast, "eu-west", "us-east");
        assertTrue(message.contains("is for region 'us-east', but this bridge is region 'eu-west'"), message);
    }

    @Test
    void regionNamesAndPeerListsAreChecked() {
        assertTrue(refusal(usEast, "US East", "eu-west").startsWith("region must be a region name"));
        assertTrue(refusal(usEast, "us-east").startsWith("peer-regions is empty"));
        assertTrue(refusal(usEast, "us-east", "us-east").contains("own region"));
    }
}
