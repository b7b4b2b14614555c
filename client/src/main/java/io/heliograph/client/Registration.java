package io.heliograph.client;

/** Handle of a registered listener; {@link #remove()} stops further calls to it. */
@FunctionalInterface
public interface Registration {

    void remove();
}
