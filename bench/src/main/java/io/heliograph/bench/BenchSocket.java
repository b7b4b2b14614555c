package io.heliograph.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** What the fan-out bench needs of a subscriber or idle connection, whichever client implements it. */
interface BenchSocket {

    /** Attaches to {@code channel}; completes when the {@code attached} frame arrives. */
    CompletableFuture<?> attach(String channel, Duration timeout);

    boolean isOpen();

    /** Closes politely; the caller bounds the wait and then calls {@link #abort()}. */
    CompletableFuture<?> close();

    void abort();
}
