package io.heliograph.region.channel;

/** Bounds applied at every change of a channel: history by count and age, idempotency keys by age. */
public record HistoryLimits(int maxMessages, long maxAgeMs, long dedupWindowMs) {
}
