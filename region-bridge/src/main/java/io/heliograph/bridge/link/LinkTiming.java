package io.heliograph.bridge.link;

import io.heliograph.bridge.BridgeConfigException;

import java.time.Duration;

/**
 * How a peer link paces itself, on both ends: heartbeats and the silence deadline (faster than HTTP/2 keepalive,
 * which grpc-java will not run more often than every 10 s), how often acknowledgements go out, how much may be in
 * flight, and how reconnects back off.
 *
 * @param heartbeatMs          an idle side sends an {@code Ack} (its current cumulative ack) at least this often
 * @param silenceTimeoutMs     a stream on which nothing arrived for this long is dead: it is cancelled and the sender
 *                             reconnects. At least twice {@code heartbeatMs}, so one late heartbeat is not fatal
 * @param ackEveryEntries      with {@code ackDelayMs} above 0, the receiver acknowledges at least every this many
 *                             held entries…
 * @param ackDelayMs           …and at the latest this long after the first unacknowledged one was held; 0 (the
 *                             default): as soon as a store finishes, so acknowledgements coalesce only while stores
 *                             are in flight (what finishes meanwhile goes in the next one)
 * @param maxInFlight          at most this many entries sent and not yet acknowledged; gRPC's own flow control
 *                             ({@code isReady}) bounds the bytes besides
 * @param readBatch            entries read from the outbound log at once
 * @param idlePollMs           with nothing to send, the sender asks the log's status again after this long, and
 *                             reads only if something new is there: the fallback for a lost append signal
 *                             ({@link LinkSender#wake()}, which reads at once)
 * @param backoffInitialMs     first reconnect delay; it doubles per failed attempt, with ±50 % jitter…
 * @param backoffMaxMs         …up to this
 * @param stableSessionMs      a stream that lasted this long was healthy: after it ends the backoff starts again
 *                             from the beginning, and the first reconnect is immediate
 * @param breakerOpenMs        how long the circuit breaker stays open after repeated failed connects
 * @param backfillPageLimit    messages asked for per Backfill call, and the most the server gives
 * @param backfillMaxPages     Backfill calls for one gap at most, so a peer that answers endless pages cannot hold
 *                             the link
 * @param reorderWaitMs        an envelope that arrives before its channel's predecessor waits this long for it on the
 *                             link (several edge nodes append to one outbound log, so neighbours can swap) before
 *                             its gap is filled by Backfill
 */
public record LinkTiming(long heartbeatMs, long silenceTimeoutMs, int ackEveryEntries, long ackDelayMs,
                         int maxInFlight, int readBatch, long idlePollMs, long backoffInitialMs, long backoffMaxMs,
                         long stableSessionMs, long breakerOpenMs, int backfillPageLimit, int backfillMaxPages,
                         long reorderWaitMs) {

    public LinkTiming {
        positive(heartbeatMs, "link.heartbeat-ms");
        positive(ackEveryEntries, "link.ack-every-entries");
        if (ackDelayMs < 0) {
            throw new BridgeConfigException("link.ack-delay-ms must be 0 or more, got " + ackDelayMs);
        }
        positive(maxInFlight, "link.max-in-flight");
        positive(readBatch, "link.read-batch");
        positive(idlePollMs, "link.idle-poll-ms");
        positive(backoffInitialMs, "link.backoff-initial-ms");
        positive(stableSessionMs, "link.stable-session-ms");
        positive(breakerOpenMs, "link.breaker-open-ms");
        positive(backfillPageLimit, "link.backfill-page-limit");
        positive(backfillMaxPages, "link.backfill-max-pages");
        positive(reorderWaitMs, "link.reorder-wait-ms");
        if (silenceTimeoutMs < 2 * heartbeatMs) {
            throw new BridgeConfigException("link.silence-timeout-ms (" + silenceTimeoutMs
                    + ") must be at least twice link.heartbeat-ms (" + heartbeatMs + ")");
        }
        if (backoffMaxMs < backoffInitialMs) {
            throw new BridgeConfigException("link.backoff-max-ms (" + backoffMaxMs
                    + ") must not be below link.backoff-initial-ms (" + backoffInitialMs + ")");
        }
    }

    /**
     * Heartbeat 1 s, silence 3 s, ack as soon as a store finishes (64 entries: only used with a delay), 1,024 in
     * flight, batches of 256, idle poll 1 s (appends wake the sender; the poll is the fallback for a lost signal),
     * backoff 100 ms doubling to 2 s (a restored link streams again within about 3 s; trying an unreachable peer
     * every 1-3 s costs a TCP connect), stable after 10 s, breaker open 2 s, Backfill pages of 500, at most 1,000
     * pages per gap, an envelope ahead of its predecessor waits 500 ms for it.
     */
    public static LinkTiming defaults() {
        return new LinkTiming(1_000, 3_000, 64, 0, 1_024, 256, 1_000, 100, 2_000, 10_000, 2_000, 500, 1_000, 500);
    }

    public Duration backoffInitial() {
        return Duration.ofMillis(backoffInitialMs);
    }

    public Duration backoffMax() {
        return Duration.ofMillis(backoffMaxMs);
    }

    /** The same with other heartbeat and silence deadlines (tests that stall a side on purpose). */
    public LinkTiming withSilence(long heartbeatMs, long silenceTimeoutMs) {
        return new LinkTiming(heartbeatMs, silenceTimeoutMs, ackEveryEntries, ackDelayMs, maxInFlight, readBatch,
                idlePollMs, backoffInitialMs, backoffMaxMs, stableSessionMs, breakerOpenMs, backfillPageLimit,
                backfillMaxPages, reorderWaitMs);
    }

    /** The same with another in-flight bound. */
    public LinkTiming withMaxInFlight(int maxInFlight) {
        return new LinkTiming(heartbeatMs, silenceTimeoutMs, ackEveryEntries, ackDelayMs, maxInFlight, readBatch,
                idlePollMs, backoffInitialMs, backoffMaxMs, stableSessionMs, breakerOpenMs, backfillPageLimit,
                backfillMaxPages, reorderWaitMs);
    }

    /** The same with another idle poll. */
    public LinkTiming withIdlePoll(long idlePollMs) {
        return new LinkTiming(heartbeatMs, silenceTimeoutMs, ackEveryEntries, ackDelayMs, maxInFlight, readBatch,
                idlePollMs, backoffInitialMs, backoffMaxMs, stableSessionMs, breakerOpenMs, backfillPageLimit,
                backfillMaxPages, reorderWaitMs);
    }

    /** The same with other reconnect pacing. */
    public LinkTiming withBackoff(long initialMs, long maxMs, long breakerOpenMs) {
        return new LinkTiming(heartbeatMs, silenceTimeoutMs, ackEveryEntries, ackDelayMs, maxInFlight, readBatch,
                idlePollMs, initialMs, maxMs, stableSessionMs, breakerOpenMs, backfillPageLimit, backfillMaxPages,
                reorderWaitMs);
    }

    /** The same with another wait for an envelope's predecessor. */
    public LinkTiming withReorderWait(long reorderWaitMs) {
        return new LinkTiming(heartbeatMs, silenceTimeoutMs, ackEveryEntries, ackDelayMs, maxInFlight, readBatch,
                idlePollMs, backoffInitialMs, backoffMaxMs, stableSessionMs, breakerOpenMs, backfillPageLimit,
                backfillMaxPages, reorderWaitMs);
    }

    private static void positive(long value, String key) {
        if (value <= 0) {
            throw new BridgeConfigException(key + " must be positive, got " + value);
        }
    }
}
