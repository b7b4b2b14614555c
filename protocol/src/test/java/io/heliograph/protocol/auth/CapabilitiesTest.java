package io.heliograph.protocol.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class CapabilitiesTest {

    @Test
    void starMatchesAnyRunOfCharactersAndNothingElseIsSpecial() {
        Capabilities caps = Capabilities.of(Map.of("chat:*", List.of("subscribe"), "a*b*c", List.of("publish"),
                "exact.(x)", List.of("history")));
        assertTrue(caps.allows("chat:", Operation.SUBSCRIBE));
        assertTrue(caps.allows("chat:lobby", Operation.SUBSCRIBE));
        assertFalse(caps.allows("chat", Operation.SUBSCRIBE));
        assertFalse(caps.allows("chat:lobby", Operation.PUBLISH));
        assertTrue(caps.allows("abc", Operation.PUBLISH));
        assertTrue(caps.allows("a-b-b-c", Operation.PUBLISH));
        assertFalse(caps.allows("abcx", Operation.PUBLISH));
        assertFalse(caps.allows("ac", Operation.PUBLISH));
        assertTrue(caps.allows("exact.(x)", Operation.HISTORY));
        assertFalse(caps.allows("exactX(x)", Operation.HISTORY), "a dot is a dot, not any character");
    }

    /** The matcher agrees with the regular expression the pattern means, on random patterns and names. */
    @Test
    void agreesWithTheRegularExpressionOfThePattern() {
        Random random = new Random(42);
        String alphabet = "ab*";
        for (int round = 0; round < 20_000; round++) {
            String pattern = randomString(random, alphabet, 6);
            String channel = randomString(random, "ab", 7);
            StringBuilder regex = new StringBuilder();
            for (char c : pattern.toCharArray()) {
                regex.append(c == '*' ? ".*" : Pattern.quote(String.valueOf(c)));
            }
            boolean expected = Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(channel).matches();
            assertEquals(expected, Capabilities.matches(pattern.split("\\*", -1), channel),
                    "pattern '" + pattern + "' on '" + channel + "'");
        }
    }

    private static String randomString(Random random, String alphabet, int maxLength) {
        int n = random.nextInt(maxLength + 1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
