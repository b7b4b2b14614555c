package io.heliograph.client;

import java.net.URI;
import java.util.List;

/**
 * The edge URLs a client may use, tried round-robin: after a failure the next attempt goes to the URL after the one
 * that failed, so a dead node is not retried while others are waiting. Not thread-safe: used under the client's lock.
 */
final class EndpointRing {

    private final List<URI> urls;
    private int index;

    EndpointRing(List<URI> urls) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("at least one URL is required");
        }
        this.urls = List.copyOf(urls);
    }

    URI current() {
        return urls.get(index);
    }

    /** Moves past the current URL and returns the next one. */
    URI advance() {
        index = (index + 1) % urls.size();
        return urls.get(index);
    }

    int size() {
        return urls.size();
    }
}
