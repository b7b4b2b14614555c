package io.heliograph.client;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything a client counts, in one place so that each part (connection, channels, presence, requests, pacer)
 * increments its own and {@link HeliographClient} shows them all. Thread-safe.
 */
final class ClientCounters {
    final AtomicLong reconnects = new AtomicLong();
    final AtomicLong connectionAttempts = new AtomicLong();
    final AtomicLong negotiations = new AtomicLong();
    final AtomicLong regionChanges = new AtomicLong();
    /** Moves back to the preferred region once it served again ({@link PreferredRegionReturn}). */
    final AtomicLong regionReturns = new AtomicLong();
    final AtomicLong duplicatesDropped = new AtomicLong();
    final AtomicLong messagesDelivered = new AtomicLong();
    final AtomicLong gapsDetected = new AtomicLong();
    final AtomicLong continuityLosses = new AtomicLong();
    final AtomicLong publishesResent = new AtomicLong();
    final AtomicLong publishesExpired = new AtomicLong();
    final AtomicLong heartbeatTimeouts = new AtomicLong();
    final AtomicLong rateLimitRefusals = new AtomicLong();
    final AtomicLong policyCloses = new AtomicLong();
    final AtomicLong framesPaced = new AtomicLong();
    final AtomicLong attachRetries = new AtomicLong();
    final AtomicLong presenceRetries = new AtomicLong();
    final AtomicLong channelsDropped = new AtomicLong();
}
