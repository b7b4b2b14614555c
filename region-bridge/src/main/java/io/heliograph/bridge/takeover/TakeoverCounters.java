package io.heliograph.bridge.takeover;

import java.util.concurrent.atomic.AtomicLong;

/** What takeovers did on this replica, for {@code /metrics}. */
public final class TakeoverCounters {

    /** Takeovers this region's edges asked for that completed. */
    public final AtomicLong completed = new AtomicLong();
    /** Takeovers refused (a peer unreachable or knowing a higher epoch, the tail not fetched). */
    public final AtomicLong refused = new AtomicLong();
    /** Messages fetched from a peer during takeovers. */
    public final AtomicLong fetched = new AtomicLong();
    /** Yields served to peers taking a channel over. */
    public final AtomicLong yielded = new AtomicLong();
    /** Yields refused: the asker's epoch was stale, or its request was not its own. */
    public final AtomicLong yieldsRefused = new AtomicLong();
    /** Mesh tables a peer's Hello carried that were newer than this region's, and kept. */
    public final AtomicLong tablesLearned = new AtomicLong();
}
