package io.heliograph.bridge.process;

import io.heliograph.protocol.Serial;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.heliograph.region.testing.RegionTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge nodes append to the outbound log from other processes; the bridge's sender learns of each append from a
 * Hazelcast event instead of its next poll. With the poll a minute apart and heartbeats (whose acks wake the sender
 * too) 20 s apart, messages still cross within moments.
 */
class SenderWakeTest {

    @TempDir
    Path directory;

    private BridgeMesh mesh;

    @AfterEach
    void close() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void anAppendInTheRegionWakesTheSenderWithoutWaitingForItsPoll() {
        mesh = new BridgeMesh(directory, "--link.idle-poll-ms=60000", "--link.heartbeat-ms=20000",
                "--link.silence-timeout-ms=60000").start();
        await("linked", Duration.ofSeconds(30), () -> mesh.a.holder() != null
                && mesh.a.holder().links().sender("eu-west").map(s -> s.state().name().equals("STREAMING"))
                .orElse(false));
        for (int round = 1; round <= 3; round++) {
            long started = System.nanoTime();
            List<Serial> sent = mesh.a.publish("room:wake", 1);
            await("round " + round + " arrived", Duration.ofSeconds(10),
                    () -> mesh.b.history("room:wake").containsAll(sent));
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            // Generous for a loaded 2-core machine, far below the 60 s poll.
            assertTrue(tookMs < 5_000, "round " + round + " took " + tookMs + " ms");
        }
        assertEquals(3, mesh.b.history("room:wake").size());
    }
}
