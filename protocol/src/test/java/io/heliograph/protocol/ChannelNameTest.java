package io.heliograph.protocol;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChannelNameTest {

    @Test
    void acceptsLettersDigitsAndTheFivePunctuationMarks() {
        assertTrue(ChannelName.isValid("chat:room-1.en_GB@eu"));
        assertTrue(ChannelName.isValid("a".repeat(255)));
    }

    @Test
    void refusesEmptyTooLongAndOtherCharacters() {
        assertFalse(ChannelName.isValid(""));
        assertFalse(ChannelName.isValid(null));
        assertFalse(ChannelName.isValid("a".repeat(256)));
        assertFalse(ChannelName.isValid("room 1"));
        assertFalse(ChannelName.isValid("room/1"));
        assertFalse(ChannelName.isValid("caf\u00e9"));
        assertFalse(ChannelName.isValid("*"));
    }
}
