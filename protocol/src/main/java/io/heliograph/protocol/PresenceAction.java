package io.heliograph.protocol;

import java.util.Locale;

/** The presence actions of Protocol v1. */
public enum PresenceAction {
    ENTER, UPDATE, LEAVE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PresenceAction parse(String text) {
        if (text != null) {
            switch (text) {
                case "enter": return ENTER;
                case "update": return UPDATE;
                case "leave": return LEAVE;
                default: break;
            }
        }
        throw HeliographException.badRequest("action must be one of enter, update, leave");
    }
}
