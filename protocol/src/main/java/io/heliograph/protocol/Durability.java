package io.heliograph.protocol;

import java.util.Locale;


/**
 * How durable a publish is when it is acknowledged (shared/MULTI-REGION.md): {@code REGION}, held by the home region
 * with its synchronous backup (survives the loss of any one node); {@code GLOBAL}, held by at least one other region
 * too (survives the loss of the home region). A publish is delivered to subscribers only once it is durable, so no
 * subscriber ever holds a message that a failure then takes out of the channel's history.
 */
public enum Durability {
    REGION,
    GLOBAL;

    /** The wire name: {@code region} or {@code global}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a client's {@code durability} field; null when absent. */
    public static Durability parse(String text) {
        if (text == null) {
            return null;
        }
        return switch (text) {
            case "region" -> REGION;
            case "global" -> GLOBAL;
            default -> throw HeliographException.badRequest("durability must be \"region\" or \"global\"");
        };
    }
}
