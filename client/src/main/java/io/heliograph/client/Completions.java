package io.heliograph.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;

/**
 * Completes the futures handed to the application on a virtual thread of the client's own, never on the WebSocket's
 * thread or under the client's lock, so that the application's callbacks cannot stall the socket. Thread-safe.
 */
final class Completions {

    private final ExecutorService executor;

    Completions(ExecutorService executor) {
        this.executor = executor;
    }

    <T> void complete(CompletableFuture<T> future, T value) {
        run(() -> future.complete(value));
    }

    void fail(CompletableFuture<?> future, Throwable error) {
        run(() -> future.completeExceptionally(error));
    }

    void run(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // Closed: there is no thread of ours left to protect.
            task.run();
        }
    }

    /** A future the application may block on or chain to, completed off our threads when {@code internal} is. */
    <T> CompletableFuture<T> publicView(CompletableFuture<T> internal) {
        CompletableFuture<T> view = new CompletableFuture<>();
        internal.whenComplete((value, error) -> run(() -> {
            if (error != null) {
                view.completeExceptionally(unwrap(error));
            } else {
                view.complete(value);
            }
        }));
        return view;
    }

    void shutdown() {
        executor.shutdown();
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static ErrorCode codeOf(Throwable error) {
        return error instanceof HeliographException h ? h.code() : ErrorCode.INTERNAL;
    }
}
