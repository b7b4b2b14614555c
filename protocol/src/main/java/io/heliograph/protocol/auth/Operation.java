package io.heliograph.protocol.auth;

import java.util.Locale;

/** The operations a capability can grant on a channel. */
public enum Operation {
    SUBSCRIBE, PUBLISH, PRESENCE, HISTORY;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
