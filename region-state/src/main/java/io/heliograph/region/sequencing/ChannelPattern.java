package io.heliograph.region.sequencing;

import java.util.Objects;

/**
 * A channel name in which {@code *} stands for any run of characters (none included); nothing else is special, so a
 * pattern reads the same to every region and every operator: {@code chat:eu-*}.
 */
public record ChannelPattern(String pattern) {

    public ChannelPattern {
        Objects.requireNonNull(pattern, "pattern");
        if (pattern.isEmpty() || pattern.length() > 256) {
            throw new IllegalArgumentException("a channel pattern has 1 to 256 characters, got '" + pattern + "'");
        }
    }

    /** Whether {@code channel} matches; linear in their lengths (greedy, backtracking only to the last star). */
    public boolean matches(String channel) {
        int p = 0;
        int c = 0;
        int star = -1;
        int resume = 0;
        while (c < channel.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = c;
            } else if (p < pattern.length() && pattern.charAt(p) == channel.charAt(c)) {
                p++;
                c++;
            } else if (star >= 0) {
                p = star + 1;
                c = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
