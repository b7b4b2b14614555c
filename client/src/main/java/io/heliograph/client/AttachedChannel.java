package io.heliograph.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A channel the application attached (or is attaching): its delivery cursor, the application's futures waiting for
 * the first answer, and the state of its re-attach. It stays through transient refusals (429, 500, 503, no answer),
 * which are retried, and leaves only when the application detaches or the edge refuses it permanently.
 *
 * <p>Not thread-safe: guarded by the client's lock.
 */
final class AttachedChannel {

    final String name;
    final ChannelCursor cursor = new ChannelCursor();
    final List<CompletableFuture<AttachResult>> waiters = new ArrayList<>();
    /** The server confirmed an attach at least once; until then a permanent refusal fails the attach. */
    boolean confirmed;
    /** The attach waiting for its answer; an answer to an older one is ignored. */
    PendingRequest inFlight;
    /** Transient refusals in a row, for the backoff before the next try. */
    int retries;
    /** The edge's last transient refusal (not our own timeouts), named when the application's attach gives up. */
    Throwable lastRefusal;

    AttachedChannel(String name) {
        this.name = name;
    }
}
