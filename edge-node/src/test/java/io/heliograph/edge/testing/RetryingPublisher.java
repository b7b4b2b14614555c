package io.heliograph.edge.testing;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import io.heliograph.client.HeliographClient;
import io.heliograph.client.PublishAck;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;

/**
 * Publishes the way the protocol tells an application to: a publish answered 503 (the region could not confirm it
 * with its backup, e.g. while a node dies) is sent again with the same msgId, which answers the first serial if the
 * first attempt was stored after all. The SDK retries only publishes cut off by a reconnect, not 503s.
 */
public final class RetryingPublisher {

    private static final int ATTEMPTS = 20;
    private static final long PAUSE_MS = 250;

    private final HeliographClient client;

    public RetryingPublisher(HeliographClient client) {
        this.client = client;
    }

    public CompletableFuture<PublishAck> publish(String channel, String name, Object data) {
        return attempt(channel, name, data, UUID.randomUUID().toString(), 1);
    }

    private CompletableFuture<PublishAck> attempt(String channel, String name, Object data, String msgId, int n) {
        return client.publish(channel, name, data, msgId).exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (n < ATTEMPTS && cause instanceof HeliographException h && h.code() == ErrorCode.UNAVAILABLE) {
                return CompletableFuture.supplyAsync(() -> null,
                                CompletableFuture.delayedExecutor(PAUSE_MS, TimeUnit.MILLISECONDS))
                        .thenCompose(ignored -> attempt(channel, name, data, msgId, n + 1));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }
}
