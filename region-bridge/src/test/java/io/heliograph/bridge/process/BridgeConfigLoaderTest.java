package io.heliograph.bridge.process;

import io.heliograph.bridge.BridgeConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bridge's configuration from flags, environment and YAML, and errors that begin with the key at fault. */
class BridgeConfigLoaderTest {

    @TempDir
    Path directory;

    static final String[] VALID = {
            "--region=us-east", "--replica-id=us-east-b1", "--port=9443",
            "--peers.eu-west=https://10.0.1.5:9443,https://10.0.1.6:9443",
            "--tls.cert-chain=/etc/hg/chain.pem", "--tls.private-key=/etc/hg/key.pem", "--tls.trusted-ca=/etc/hg/ca.pem",
            "--hazelcast.members=10.0.0.1:5701,10.0.0.2:5701"};

    static String[] with(String... overrides) {
        List<String> args = new ArrayList<>();
        List<String> keys = Arrays.stream(overrides).map(o -> o.substring(0, o.indexOf('=') + 1)).toList();
        for (String arg : VALID) {
            if (keys.stream().noneMatch(arg::startsWith)) {
                args.add(arg);
            }
        }
        Arrays.stream(overrides).filter(o -> !o.endsWith("=")).forEach(args::add);
        return args.toArray(String[]::new);
    }

    static String error(String[] args, Map<String, String> env) {
        return assertThrows(BridgeConfigException.class, () -> BridgeConfigLoader.load(args, env)).getMessage();
    }

    @Test
    void flagsGiveATypedConfigurationWithDefaultsForTheRest() {
        BridgeConfig config = BridgeConfigLoader.load(VALID, Map.of());
        assertEquals("us-east", config.region());
        assertEquals("us-east-b1", config.replicaId());
        assertEquals("bridge.us-east", config.leaseName());
        assertEquals(List.of("https://10.0.1.5:9443", "https://10.0.1.6:9443"),
                config.peers().get("eu-west").stream().map(BridgeConfig.PeerAddress::url).toList());
        assertEquals(Path.of("/etc/hg/key.pem"), config.tls().privateKey());
        assertFalse(config.insecure());
        assertEquals("heliograph-us-east", config.hazelcast().clusterName());
        assertEquals(List.of("10.0.0.1:5701", "10.0.0.2:5701"), config.hazelcast().members());
        assertEquals(3_000, config.leaseTtlMs());
        assertEquals(100_000, config.outbound().maxEntries());
        assertEquals(1_000, config.timing().heartbeatMs());
        assertEquals(9490, config.httpPort());
    }

    @Test
    void environmentVariablesAndAYamlFileAreReadWithFlagsFirst() throws Exception {
        Path yaml = directory.resolve("bridge.yaml");
        Files.writeString(yaml, """
                heliograph:
                  region: eu-west
                  port: 7000
                  insecure: true
                  peers:
                    us-east: [http://127.0.0.1:7100, http://127.0.0.1:7101]
                    ap-south: [127.0.0.1:7200]
                  hazelcast:
                    members: [127.0.0.1:5701]
                  outbound:
                    max-entries: 500
                  lease:
                    ttl-ms: 6000
                """);
        BridgeConfig config = BridgeConfigLoader.load(new String[]{"--config=" + yaml, "--port=7001"},
                Map.of("HELIOGRAPH_BRIDGE_REPLICA_ID", "eu-west-b2", "HELIOGRAPH_BRIDGE_LEASE_TTL_MS", "4000",
                        "HELIOGRAPH_BRIDGE_HTTP_PORT", "0"));
        assertEquals("eu-west", config.region());
        assertEquals(7001, config.port(), "a flag beats the file");
        assertEquals("eu-west-b2", config.replicaId());
        assertEquals(4000, config.leaseTtlMs(), "the environment beats the file");
        assertTrue(config.insecure());
        assertNull(config.tls());
        assertEquals(2, config.peers().get("us-east").size());
        assertEquals("http://127.0.0.1:7200", config.peers().get("ap-south").getFirst().url());
        assertEquals(500, config.outbound().maxEntries());
        assertEquals(0, config.httpPort());
    }

    @Test
    void theGrpcTransportSettingsAreKeysOfTheirOwn() {
        BridgeConfig config = BridgeConfigLoader.load(with("--grpc.keep-alive-time-ms=20000",
                "--grpc.keep-alive-timeout-ms=3000", "--grpc.permit-keep-alive-time-ms=15000",
                "--grpc.unary-deadline-ms=7000", "--grpc.handshake-timeout-ms=4000",
                "--grpc.max-inbound-message-bytes=1048576"), Map.of());
        assertEquals(java.time.Duration.ofSeconds(20), config.settings().keepAliveTime());
        assertEquals(java.time.Duration.ofSeconds(3), config.settings().keepAliveTimeout());
        assertEquals(java.time.Duration.ofSeconds(15), config.settings().permitKeepAliveTime());
        assertEquals(java.time.Duration.ofSeconds(7), config.settings().unaryDeadline());
        assertEquals(java.time.Duration.ofSeconds(4), config.settings().handshakeTimeout());
        assertEquals(1_048_576, config.settings().maxInboundMessageBytes());
        assertEquals(io.heliograph.bridge.LinkSettings.defaults().keepAliveTime(),
                BridgeConfigLoader.load(VALID, Map.of()).settings().keepAliveTime(), "defaults otherwise");
    }

    @Test
    void peersCanBeOneStringAsInTheEnvironment() {
        BridgeConfig config = BridgeConfigLoader.load(with("--peers.eu-west="),
                Map.of("HELIOGRAPH_BRIDGE_PEERS", "eu-west=https://a:1,https://b:2; ap-south=https://c:3"));
        assertEquals(List.of("eu-west", "ap-south").stream().sorted().toList(),
                config.peers().keySet().stream().sorted().toList());
        assertEquals("b", config.peers().get("eu-west").get(1).host());
    }

    @Test
    void everyBadValueStopsStartUpWithItsKey() {
        Map<String, String> none = Map.of();
        assertTrue(error(with("--region="), none).startsWith("region: required"));
        assertTrue(error(with("--region=US East"), none).startsWith("region: 'US East' must match"));
        assertTrue(error(with("--port=ninety"), none).startsWith("port: 'ninety' is not an integer"));
        assertTrue(error(with("--port=70000"), none).startsWith("port: 70000 is outside 0..65535"));
        assertTrue(error(with("--peers.eu-west="), none).startsWith("peers: required"));
        assertTrue(error(with("--peers.eu-west=http://10.0.1.5:9443"), none)
                .startsWith("peers.eu-west: 'http://10.0.1.5:9443' is plaintext but this bridge is configured with"
                        + " TLS"));
        assertTrue(error(with("--peers.eu-west=10.0.1.5"), none).startsWith("peers.eu-west: '10.0.1.5' must be"));
        assertTrue(error(with("--peers.us-east=https://a:1"), none).contains("a region is not its own peer"));
        assertTrue(error(with("--tls.trusted-ca="), none).startsWith("tls.trusted-ca: required (or insecure=true"));
        assertTrue(error(with("--insecure=yes"), none).startsWith("insecure: 'yes' must be true or false"));
        assertTrue(error(with("--insecure=true"), none).startsWith("insecure: true together with"));
        assertTrue(error(with("--hazelcast.members="), none).startsWith("hazelcast.members: required"));
        assertTrue(error(with("--hazelcast.members=nohost"), none).startsWith("hazelcast.members: 'nohost'"));
        assertTrue(error(with("--lease.ttl-ms=10"), none).startsWith("lease.ttl-ms: 10 is outside"));
        assertTrue(error(with("--link.silence-timeout-ms=1500"), none).startsWith("link.silence-timeout-ms (1500)"));
        assertTrue(error(with("--http.port=9443"), none).startsWith("http.port: must differ from port"));
        assertTrue(error(with("--grpc.keep-alive-time-ms=5000"), none).startsWith("keep-alive-time must be at least"));
        assertTrue(error(with("--grpc.permit-keep-alive-time-ms=20000"), none)
                .startsWith("permit-keep-alive-time (20000 ms) must not exceed keep-alive-time"));
        assertTrue(error(with("--grpc.max-inbound-message-bytes=100"), none)
                .startsWith("grpc.max-inbound-message-bytes: 100 is outside"));
        assertTrue(error(new String[]{"region=us-east"}, none).contains("--key=value"));
        assertTrue(error(new String[]{"--config=" + directory.resolve("missing.yaml")}, none)
                .startsWith("config: cannot read"));
    }

    @Test
    void aMissingCertificateFileStopsTheProcessNamingItsKeyBeforeItJoinsTheRegion() {
        BridgeConfig config = BridgeConfigLoader.load(with("--tls.cert-chain=" + directory.resolve("none.pem")),
                Map.of());
        String message = assertThrows(BridgeConfigException.class, () -> BridgeProcess.start(config)).getMessage();
        assertTrue(message.startsWith("tls.cert-chain: ") && message.contains("none.pem"), message);
    }
}
