package io.heliograph.edge.config;

/** A configuration value that cannot be used; the message names the key and what it accepts. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
