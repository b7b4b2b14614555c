package io.heliograph.control.config;

/** A configuration value that cannot be used; the message begins with the key and says what it accepts. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
