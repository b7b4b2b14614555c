package io.heliograph.edge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.heliograph.region.sequencing.HomeRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeConfigLoaderTest {

    private static final String SECRET = "0123456789abcdef0123";

    @Test
    void defaultsApplyWhenNothingIsGiven() {
        EdgeConfig c = EdgeConfigLoader.load(new String[0], Map.of("HELIOGRAPH_JWT_SECRET", SECRET));
        assertEquals("us-east", c.region());
        assertEquals(8080, c.port());
        assertEquals(15_000, c.heartbeatMs());
        assertEquals(65_536, c.limits().maxMessageBytes());
        assertEquals(1000, c.limits().maxChannelsPerConnection());
        assertEquals(120_000, c.dedupWindowMs());
        assertEquals("heliograph-us-east", c.hazelcast().clusterName());
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("edge.yaml");
        Files.writeString(file, "heliograph:\n  region: eu-west\n  port: 9000\n  heartbeat-ms: 1000\n"
                + "  hazelcast:\n    members: [\"127.0.0.1:6001\", \"127.0.0.1:6002\"]\n");
        EdgeConfig c = EdgeConfigLoader.load(new String[] {"--config=" + file, "--port=9100"},
                Map.of("HELIOGRAPH_JWT_SECRET", SECRET, "HELIOGRAPH_REGION", "ap-south", "HELIOGRAPH_PORT", "9200"));
        assertEquals(9100, c.port());
        assertEquals("ap-south", c.region());
        assertEquals(1000, c.heartbeatMs());
        assertEquals(List.of("127.0.0.1:6001", "127.0.0.1:6002"), c.hazelcast().members());
    }

    @Test
    void peersAndTheGlobalTimeout() {
        EdgeConfig none = EdgeConfigLoader.load(new String[0], Map.of("HELIOGRAPH_JWT_SECRET", SECRET));
        assertEquals(List.of(), none.replication().peers());
        assertEquals(5_000, none.replication().globalTimeoutMs());
        EdgeConfig c = EdgeConfigLoader.load(new String[] {"--region=us-east", "--durability.global-timeout-ms=900"},
                Map.of("HELIOGRAPH_JWT_SECRET", SECRET, "HELIOGRAPH_PEERS", "eu-west, ap-south"));
        assertEquals(List.of("eu-west", "ap-south"), c.replication().peers());
        assertEquals(900, c.replication().globalTimeoutMs());
        ConfigException own = assertThrows(ConfigException.class, () -> EdgeConfigLoader.load(
                new String[] {"--region=us-east", "--peers=us-east"}, Map.of("HELIOGRAPH_JWT_SECRET", SECRET)));
        assertTrue(own.getMessage().startsWith("peers:"), own.getMessage());
        ConfigException twice = assertThrows(ConfigException.class, () -> EdgeConfigLoader.load(
                new String[] {"--peers=eu-west,eu-west"}, Map.of("HELIOGRAPH_JWT_SECRET", SECRET)));
        assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
    }

    @Test
    void homeRulesNameRegionsOfTheMesh() {
        EdgeConfig c = EdgeConfigLoader.load(new String[] {"--region=us-east", "--peers=eu-west",
                "--homes=chat:eu-*=eu-west, orders=us-east"}, Map.of("HELIOGRAPH_JWT_SECRET", SECRET));
        assertEquals(List.of(HomeRule.parse("chat:eu-*=eu-west"), HomeRule.parse("orders=us-east")),
                c.replication().homes());
        assertEquals(List.of("eu-west", "us-east"), c.replication().regions("us-east"));
        ConfigException unknown = assertThrows(ConfigException.class, () -> EdgeConfigLoader.load(
                new String[] {"--region=us-east", "--peers=eu-west", "--homes=x*=ap-south"},
                Map.of("HELIOGRAPH_JWT_SECRET", SECRET)));
        assertTrue(unknown.getMessage().startsWith("homes:") && unknown.getMessage().contains("ap-south"),
                unknown.getMessage());
        ConfigException malformed = assertThrows(ConfigException.class, () -> EdgeConfigLoader.load(
                new String[] {"--homes=no-region-here"}, Map.of("HELIOGRAPH_JWT_SECRET", SECRET)));
        assertTrue(malformed.getMessage().startsWith("homes:"), malformed.getMessage());
    }

    @Test
    void commaSeparatedMembersFromAFlag() {
        EdgeConfig c = EdgeConfigLoader.load(new String[] {"--hazelcast.members=127.0.0.1:1, 127.0.0.1:2"},
                Map.of("HELIOGRAPH_JWT_SECRET", SECRET));
        assertEquals(List.of("127.0.0.1:1", "127.0.0.1:2"), c.hazelcast().members());
    }

    @Test
    void badValuesNameTheirKey() {
        var env = Map.of("HELIOGRAPH_JWT_SECRET", SECRET);
        assertTrue(assertThrows(ConfigException.class,
                () -> EdgeConfigLoader.load(new String[] {"--port=http"}, env)).getMessage().startsWith("port:"));
        assertTrue(assertThrows(ConfigException.class,
                () -> EdgeConfigLoader.load(new String[] {"--limits.rate-burst=0"}, env)).getMessage()
                .startsWith("limits.rate-burst:"));
        assertTrue(assertThrows(ConfigException.class,
                () -> EdgeConfigLoader.load(new String[] {"--region=US East"}, env)).getMessage()
                .startsWith("region:"));
        assertTrue(assertThrows(ConfigException.class,
                () -> EdgeConfigLoader.load(new String[0], Map.of())).getMessage().startsWith("jwt-secret:"));
        assertThrows(ConfigException.class, () -> EdgeConfigLoader.load(new String[] {"port=1"}, env));
    }
}
