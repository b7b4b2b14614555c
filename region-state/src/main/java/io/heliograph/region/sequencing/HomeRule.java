package io.heliograph.region.sequencing;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A configured home for the channels whose names match {@code pattern}: {@code chat:eu-*=eu-west}. The pattern is a
 * channel name in which {@code *} stands for any run of characters (none included); nothing else is special, so a
 * rule is read the same way by every region and every operator.
 */
public record HomeRule(String pattern, String region) {

    private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,64}");

    public HomeRule {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(region, "region");
        if (pattern.isEmpty() || pattern.length() > 256) {
            throw new IllegalArgumentException("a home rule's pattern has 1 to 256 characters, got '" + pattern + "'");
        }
        if (!REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("home rule " + pattern + ": region '" + region + "' must match "
                    + REGION.pattern());
        }
    }

    /**
     * Parses {@code pattern=region}; the last {@code =} separates them (a channel name may hold {@code =}).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static HomeRule parse(String text) {
        int split = text.lastIndexOf('=');
        if (split <= 0 || split == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not pattern=region (e.g. chat:eu-*=eu-west)");
        }
        return new HomeRule(text.substring(0, split).trim(), text.substring(split + 1).trim());
    }

    /** Whether {@code channel} matches the pattern; linear in their lengths (greedy with backtracking to the last star). */
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
        return pattern + "=" + region;
    }
}
