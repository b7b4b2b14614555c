package io.heliograph.bridge.outbound;

/**
 * How much an {@link OutboundLog} holds for one peer before it drops its oldest unacknowledged entries: the bounds
 * that keep a bridge's memory finite while a peer is away. An entry is dropped as soon as any one bound is exceeded;
 * the peer then catches up with Backfill from the origin's history.
 *
 * @param maxEntries at most this many entries held ({@code outbound.max-entries})
 * @param maxBytes   at most this many payload bytes held ({@code outbound.max-bytes}); also the largest entry accepted
 * @param maxAgeMs   no entry older than this is held ({@code outbound.max-age-ms}); older ones are dropped at the next
 *                   append, acknowledgement or {@link OutboundLog#trimExpired()}
 */
public record OutboundLimits(int maxEntries, long maxBytes, long maxAgeMs) {

    /** 100,000 entries, 64 MiB, 10 minutes: a peer away for longer than a deploy's rolling restart catches up by Backfill. */
    public static final OutboundLimits DEFAULTS = new OutboundLimits(100_000, 64L * 1024 * 1024, 600_000);

    public OutboundLimits {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("outbound.max-entries must be at least 1, was " + maxEntries);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("outbound.max-bytes must be at least 1, was " + maxBytes);
        }
        if (maxAgeMs < 1) {
            throw new IllegalArgumentException("outbound.max-age-ms must be at least 1, was " + maxAgeMs);
        }
    }
}
