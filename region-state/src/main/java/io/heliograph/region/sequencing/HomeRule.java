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
        new ChannelPattern(pattern); // checks it
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

    /** Whether {@code channel} matches the pattern ({@link ChannelPattern}). */
    public boolean matches(String channel) {
        return new ChannelPattern(pattern).matches(channel);
    }

    @Override
    public String toString() {
        return pattern + "=" + region;
    }
}
