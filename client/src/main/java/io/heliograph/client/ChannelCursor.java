package io.heliograph.client;

import io.heliograph.protocol.Serial;

/**
 * Where the application stands in one channel: the serial of the last message delivered (or skipped to). It is the
 * gate of exactly-once delivery, since a resumed attach and a re-sent live message can both bring a message twice, and
 * it is the {@code fromSerial} of the next resume.
 *
 * <p>Not thread-safe: the client touches it under its lock.
 */
final class ChannelCursor {

    /** What to do with an arriving message. */
    enum Verdict {
        /** Deliver: it follows the last one directly, or it is the first, or it opens a new epoch. */
        DELIVER,
        /** Deliver, but messages between the last one and this one of the same epoch never came. */
        DELIVER_AFTER_GAP,
        /** Drop: at or before the last delivered serial, so the application has seen it. */
        DUPLICATE
    }

    private Serial last;

    /** Decides about a message with {@code serial} and, unless it is a duplicate, moves the cursor to it. */
    Verdict offer(Serial serial) {
        Serial previous = last;
        if (previous != null && serial.compareTo(previous) <= 0) {
            return Verdict.DUPLICATE;
        }
        last = serial;
        if (previous == null || previous.epoch() != serial.epoch() || previous.isFollowedBy(serial)) {
            return Verdict.DELIVER;
        }
        return Verdict.DELIVER_AFTER_GAP;
    }

    /**
     * Moves the cursor forward to {@code serial} without delivering anything: an explicit {@code fromSerial} or the
     * serial a channel had when it was attached. Never moves backwards, so nothing is delivered twice.
     */
    void skipTo(Serial serial) {
        if (serial != null && (last == null || serial.compareTo(last) > 0)) {
            last = serial;
        }
    }

    /**
     * Moves the cursor to {@code serial}, backwards too: after continuity was lost (410) the edge delivers only what
     * follows {@code serial}, which may be behind the cursor when the channel's state was lost and started again; a
     * cursor left ahead would drop every new message as a duplicate. Null starts over at the channel's first message.
     */
    void resetTo(Serial serial) {
        last = serial;
    }

    /** The last serial delivered or skipped to, or null when nothing yet. */
    Serial lastSerial() {
        return last;
    }
}
