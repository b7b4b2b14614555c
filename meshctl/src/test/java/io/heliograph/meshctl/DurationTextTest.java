package io.heliograph.meshctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DurationTextTest {

    @Test
    void unitsAddUpAndIsoIsAccepted() {
        assertEquals(Duration.ofMillis(500), DurationText.parse("500ms"));
        assertEquals(Duration.ofSeconds(90), DurationText.parse("90s"));
        assertEquals(Duration.ofMinutes(90), DurationText.parse("1h30m"));
        assertEquals(Duration.ofDays(7), DurationText.parse("7d"));
        assertEquals(Duration.ofHours(1), DurationText.parse("PT1H"));
        assertEquals(Duration.ofHours(1), DurationText.parse(" 1H "));
    }

    @Test
    void anythingElseIsRefusedWithTheAcceptedForms() {
        for (String bad : new String[] {"", "1", "h", "1 h", "1w", "1.5h", "-1h", "P"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationText.parse(bad),
                    bad);
            assertEquals("'" + bad + "' is not a duration: use e.g. 90s, 15m, 1h, 1h30m, 7d (units ms, s, m, h, d)"
                    + " or ISO-8601 such as PT1H", e.getMessage());
        }
    }

    @Test
    void formatIsShortForMessages() {
        assertEquals("300ms", DurationText.format(Duration.ofMillis(300)));
        assertEquals("10s", DurationText.format(Duration.ofSeconds(10)));
        assertEquals("1.500s", DurationText.format(Duration.ofMillis(1500)));
        assertEquals("90s", DurationText.format(Duration.ofSeconds(90)));
        assertEquals("15m", DurationText.format(Duration.ofMinutes(15)));
        assertEquals("90m", DurationText.format(Duration.ofMinutes(90)));
        assertEquals("2h", DurationText.format(Duration.ofHours(2)));
        assertEquals("400d", DurationText.format(Duration.ofDays(400)));
    }
}
