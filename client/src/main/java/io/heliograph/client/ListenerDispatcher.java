package io.heliograph.client;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs application listeners on one thread per client, in the order events were accepted: a slow listener delays the
 * ones after it but never reorders them, and never blocks the WebSocket's thread. The backlog it reports drives the
 * connection's flow control.
 */
final class ListenerDispatcher {

    private final ExecutorService thread;
    private final AtomicInteger backlog = new AtomicInteger();
    private final Runnable onCaughtUp;
    private final Consumer<Throwable> onListenerFailure;

    /**
     * @param onCaughtUp        called on the dispatcher thread when the backlog is low again
     * @param onListenerFailure gets what a listener threw; the dispatcher carries on with the next event
     */
    ListenerDispatcher(String threadName, Runnable onCaughtUp, Consumer<Throwable> onListenerFailure) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        this.onCaughtUp = onCaughtUp;
        this.onListenerFailure = onListenerFailure;
    }

    void dispatch(Runnable event) {
        backlog.incrementAndGet();
        try {
            thread.execute(() -> {
                try {
                    event.run();
                } catch (Throwable t) {
                    onListenerFailure.accept(t);
                } finally {
                    if (backlog.decrementAndGet() <= Connection.BACKLOG_LOW) {
                        onCaughtUp.run();
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // Shut down: the client is closed and nobody listens any more.
            backlog.decrementAndGet();
        }
    }

    int backlog() {
        return backlog.get();
    }

    /** Lets the queued events run, then stops the thread. */
    void shutdown() {
        thread.shutdown();
    }
}
