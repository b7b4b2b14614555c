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

    @Test
    void strictDecodingKeepsValidTextAndRefusesInvalidBytes() {
        String valid = "plain, caf\u00e9, \ud83d\ude00 and a real \uFFFD";
        assertEquals(valid, Utf8.decodeStrict(valid.getBytes(StandardCharsets.UTF_8)));
        byte[][] invalid = {{(byte) 0xC3}, {(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80},
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}};
        for (byte[] bad : invalid) {
            org.junit.jupiter.api.Assertions.assertNull(Utf8.decodeStrict(bad), java.util.Arrays.toString(bad));
        }
    }
}
