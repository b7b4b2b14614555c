package io.heliograph.bridge.process;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link BridgeMain} as a real process: a configuration that cannot work exits 1 with one line naming the key. */
class BridgeMainTest {

    @Test
    void aBadConfigurationExitsWithStatusOneAndALineNamingTheKey() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                BridgeMain.class.getName(), "--region=us-east", "--peers.eu-west=http://127.0.0.1:1",
                "--insecure=true", "--hazelcast.members=127.0.0.1:5701", "--lease.ttl-ms=abc"))
                .redirectErrorStream(false).start();
        try {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exited");
            String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, process.exitValue(), stderr);
            assertTrue(stderr.contains("bridge: cannot start: lease.ttl-ms: 'abc' is not an integer"), stderr);
            assertEquals("", stdout);
        } finally {
            process.destroyForcibly();
        }
    }
}
