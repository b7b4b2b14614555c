package io.heliograph.edge.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.heliograph.edge.testing.TestNodes;

class JitWarmupTest {

    @Test
    void runsTheConnectionPathOnMadeUpInputWithoutFailing() {
        // Any refusal or framing error on the way stops the warm-up early: all rounds ran means the path is whole.
        assertEquals(500, JitWarmup.run(TestNodes.TOKENS, 500, Duration.ofSeconds(30)));
    }

    @Test
    void stopsWhenItsTimeIsUpAndCanBeTurnedOff() {
        int done = JitWarmup.run(TestNodes.TOKENS, 10_000_000, Duration.ofMillis(200));
        assertTrue(done > 0 && done < 10_000_000, "rounds " + done);
        assertEquals(0, JitWarmup.run(TestNodes.TOKENS, 0, Duration.ofSeconds(1)));
    }
}
