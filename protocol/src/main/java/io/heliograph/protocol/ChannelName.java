package io.heliograph.protocol;

/** Channel names: 1 to 255 characters of letters, digits and {@code _ - . : @}. */
public final class ChannelName {

    public static final int MAX_LENGTH = 255;

    private ChannelName() {
    }

    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || c == '.' || c == ':' || c == '@';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Returns the name, or throws a 400 naming the rule it breaks. */
    public static String require(String name) {
        if (!isValid(name)) {
            throw HeliographException.badRequest(
                    "invalid channel name: 1 to 255 characters of letters, digits and _ - . : @");
        }
        return name;
    }
}
