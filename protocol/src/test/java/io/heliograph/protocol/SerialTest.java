package io.heliograph.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SerialTest {

    @Test
    void parsesAndFormatsTheWireForm() {
        Serial s = Serial.parse("3:42");
        assertEquals(3, s.epoch());
        assertEquals(42, s.seq());
        assertEquals("3:42", s.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", "1:", ":1", "1:2:3", "a:1", "1:-1", "-1:1", "1 :2", "1:9999999999999999999"})
    void refusesAnythingElse(String text) {
        assertThrows(IllegalArgumentException.class, () -> Serial.parse(text));
    }

    @Test
    void ordersByEpochThenSeq() {
        assertTrue(Serial.of(1, 100).compareTo(Serial.of(2, 0)) < 0);
        assertTrue(Serial.of(2, 5).compareTo(Serial.of(2, 4)) > 0);
        assertEquals(0, Serial.of(2, 5).compareTo(Serial.parse("2:5")));
    }

    @Test
    void successionIsExactlyPlusOneInTheSameEpoch() {
        assertTrue(Serial.of(1, 1).isFollowedBy(Serial.of(1, 2)));
        assertFalse(Serial.of(1, 1).isFollowedBy(Serial.of(1, 3)));
        assertFalse(Serial.of(1, 1).isFollowedBy(Serial.of(2, 2)));
    }
}
