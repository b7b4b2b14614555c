package io.heliograph.control.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration from a YAML file, flags and the environment; errors name the key. */
class ControlConfigLoaderTest {

    private static final String YAML = """
            heliograph:
              replica-id: cp-1
              port: 7071
              regions:
                - name: us-east
                  edges:
                    - {id: us-east-1, http: "http://127.0.0.1:8080", ws: "ws://127.0.0.1:8580/v1/ws"}
                    - {id: us-east-2, http: "http://127.0.0.1:8081/", ws: "ws://127.0.0.1:8581/v1/ws"}
                  bridges:
                    - {id: us-east-b1, http: "http://127.0.0.1:9680"}
                  preference: [ap-south, eu-west]
                - name: eu-west
                  edges:
                    - {id: eu-west-1, http: "http://127.0.0.1:8082", ws: "ws://127.0.0.1:8582/v1/ws"}
                - name: ap-south
                  edges:
                    - {id: ap-south-1, http: "http://127.0.0.1:8083", ws: "ws://127.0.0.1:8583/v1/ws"}
            """;

    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        Path file = dir.resolve("control.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void regionsEdgesBridgesAndPreferenceComeFromTheFileWithDefaultsForTheRest() throws IOException {
        ControlConfig config = ControlConfigLoader.load(new String[] {"--config=" + file(YAML)},
                Map.of("HELIOGRAPH_ADMIN_TOKEN", "from-the-environment-0001"));
        assertEquals("cp-1", config.replicaId());
        assertEquals(7071, config.port());
        assertEquals(List.of("us-east", "eu-west", "ap-south"), config.regionNames());
        ControlConfig.RegionSpec usEast = config.region("us-east").orElseThrow();
        assertEquals("http://127.0.0.1:8081", usEast.edges().get(1).http(), "a trailing slash is dropped");
        assertEquals(List.of("ap-south", "eu-west"), usEast.preference());
        assertEquals(List.of("us-east", "ap-south"), config.region("eu-west").orElseThrow().preference(),
                "without a preference: the other regions in configuration order");
        assertEquals("from-the-environment-0001", config.adminToken());
        assertEquals(1000, config.probe().intervalMs());
        assertEquals(3000, config.failover().downAfterMs());
        assertTrue(config.failover().auto());
        assertEquals(false, config.failover().failback());
        assertEquals("X-Client-Region", config.route().header());
        assertEquals("us-east", config.route().defaultRegion());
        assertEquals("hg-control", config.hazelcast().clusterName());
    }

    @Test
    void flagsWinOverTheFile() throws IOException {
        ControlConfig config = ControlConfigLoader.load(new String[] {"--config=" + file(YAML),
                "--failover.down-after-ms=1500", "--route.default-region=eu-west", "--failback=true"}, Map.of());
        assertEquals(1500, config.failover().downAfterMs());
        assertEquals("eu-west", config.route().defaultRegion());
        assertTrue(config.failover().failback());
    }

    @Test
    void badValuesNameTheirKey() throws IOException {
        Path good = file(YAML);
        assertTrue(assertThrows(ConfigException.class, () -> ControlConfigLoader.load(
                new String[] {"--config=" + good, "--probe.interval-ms=fast"}, Map.of()))
                .getMessage().startsWith("probe.interval-ms:"));
        assertTrue(assertThrows(ConfigException.class, () -> ControlConfigLoader.load(
                new String[] {"--config=" + good, "--route.default-region=mars"}, Map.of()))
                .getMessage().startsWith("route.default-region:"));
        assertTrue(assertThrows(ConfigException.class, () -> ControlConfigLoader.load(
                new String[] {"--config=" + good}, Map.of("HELIOGRAPH_ADMIN_TOKEN", "short")))
                .getMessage().startsWith("admin-token:"));
        Path badPreference = file(YAML.replace("[ap-south, eu-west]", "[ap-south, mars]"));
        assertTrue(assertThrows(ConfigException.class, () -> ControlConfigLoader.load(
                new String[] {"--config=" + badPreference}, Map.of()))
                .getMessage().startsWith("regions.us-east.preference:"));
        Path noWs = file(YAML.replace(", ws: \"ws://127.0.0.1:8582/v1/ws\"", ""));
        assertTrue(assertThrows(ConfigException.class, () -> ControlConfigLoader.load(
                new String[] {"--config=" + noWs}, Map.of())).getMessage().startsWith("regions.eu-west.edges.0.ws:"));
        assertTrue(assertThrows(ConfigException.class, () -> ControlConfigLoader.load(new String[0], Map.of()))
                .getMessage().startsWith("regions:"));
    }
}
