package io.heliograph.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FanoutBenchTest {

    @Test
    void sumsEveryLabelSetOfAMetricAndNothingElse() {
        String text = """
                # HELP heliograph_messages_dropped_total Messages not delivered, by reason.
                # TYPE heliograph_messages_dropped_total counter
                heliograph_messages_dropped_total{reason="slow_consumer"} 3
                heliograph_messages_dropped_total{reason="closed"} 4
                heliograph_messages_dropped_totalx 100
                heliograph_messages_out_total 9
                """;

        assertEquals(7.0, FanoutBench.sumMetric(text, "heliograph_messages_dropped_total"));
        assertEquals(9.0, FanoutBench.sumMetric(text, "heliograph_messages_out_total"));
    }
}
