package io.heliograph.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class Utf8Test {

    @Test
    void countsLikeTheEncoder() {
        for (String s : new String[] {"", "abc", "caf\u00e9", "\u20ac100", "\ud83d\ude00 smile", "\u00e9".repeat(1000)}) {
            assertEquals(s.getBytes(StandardCharsets.UTF_8).length, Utf8.encodedLength(s), s);
        }
    }

    @Test
    void limitIsInBytesNotCharacters() {
        String euros = "\u20ac".repeat(100); // 100 characters, 300 bytes
        assertTrue(Utf8.exceeds(euros, 299));
        assertFalse(Utf8.exceeds(euros, 300));
        assertFalse(Utf8.exceeds("a".repeat(100), 100));
    }
}
