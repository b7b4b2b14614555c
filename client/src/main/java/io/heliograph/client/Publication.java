package io.heliograph.client;

import java.util.concurrent.CompletableFuture;

/**
 * A publish on its way: its message id is known at once, before any ack, so that an application that must retry on
 * its own (after a crash, after the deadline) can publish again with the same id and the edge deduplicates it.
 *
 * @param msgId the idempotency key, the application's or one the client generated
 * @param ack   completes with the edge's ack; fails only for a permanent refusal (e.g. 403, 413), when the publish's
 *              deadline passes, or when the client is closed or fails
 */
public record Publication(String msgId, CompletableFuture<PublishAck> ack) {
}
