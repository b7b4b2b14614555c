package io.heliograph.bridge.link;

import java.util.concurrent.atomic.AtomicLong;

/** What one {@link LinkSender} did since it started, for {@code /metrics}; counters only grow. */
public final class SenderCounters {

    final AtomicLong framesSent = new AtomicLong();
    final AtomicLong payloadBytesSent = new AtomicLong();

    /** Payload bytes of the envelope and presence frames sent (resends included). */
    public long payloadBytesSent() {
        return payloadBytesSent.get();
    }
    final AtomicLong presenceSnapshotEntries = new AtomicLong();

    /** Members sent in presence snapshots at the start of streams. */
    public long presenceSnapshotEntries() {
        return presenceSnapshotEntries.get();
    }
    final AtomicLong framesResent = new AtomicLong();
    final AtomicLong framesAcked = new AtomicLong();
    final AtomicLong heartbeatsSent = new AtomicLong();
    final AtomicLong streamsOpened = new AtomicLong();
    final AtomicLong failedAttempts = new AtomicLong();
    final AtomicLong silentStreams = new AtomicLong();
    final AtomicLong refusedAcks = new AtomicLong();
    final AtomicLong overflowReports = new AtomicLong();
    final AtomicLong failedCommits = new AtomicLong();

    /** Commits of acknowledged envelopes that failed (made later by the channel's next acknowledgement or a retry). */
    public long failedCommits() {
        return failedCommits.get();
    }

    /** Envelope and presence frames sent, resends after a reconnect included. */
    public long framesSent() {
        return framesSent.get();
    }

    /** Of {@link #framesSent()}, those this sender had sent before (after a reconnect, not acknowledged in time). */
    public long framesResent() {
        return framesResent.get();
    }

    /**
     * Entries the peer acknowledged while this sender ran (the log's acknowledgement moving on), not counting the
     * acknowledgement it found when it started.
     */
    public long framesAcked() {
        return framesAcked.get();
    }

    public long heartbeatsSent() {
        return heartbeatsSent.get();
    }

    /** Streams whose Hellos were exchanged. */
    public long streamsOpened() {
        return streamsOpened.get();
    }

    /** Connection attempts and streams that failed (refused, unreachable, silent, broken), or were not permitted by the open circuit breaker. */
    public long failedAttempts() {
        return failedAttempts.get();
    }

    /** Streams given up because nothing arrived within the silence deadline. */
    public long silentStreams() {
        return silentStreams.get();
    }

    /** Acks from the peer beyond anything this log assigned (the peer is confused, or this log's state was lost). */
    public long refusedAcks() {
        return refusedAcks.get();
    }

    /** Times the outbound log was found to have dropped entries the peer had not acknowledged (one per overflow). */
    public long overflowReports() {
        return overflowReports.get();
    }
}
