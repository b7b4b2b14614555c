package io.heliograph.protocol;

/**
 * Position of a message in its channel: {@code "<epoch>:<seq>"}. Messages are totally ordered by (epoch, seq); within
 * one epoch seq grows by exactly one per message, so a gap is visible to every reader.
 */
public record Serial(long epoch, long seq) implements Comparable<Serial> {

    public Serial {
        if (epoch < 0 || seq < 0) {
            throw new IllegalArgumentException("serial parts must be non-negative: " + epoch + ":" + seq);
        }
    }

    public static Serial of(long epoch, long seq) {
        return new Serial(epoch, seq);
    }

    /**
     * Parses the wire form.
     *
     * @throws IllegalArgumentException when the text is not two non-negative decimal integers joined by a colon
     */
    public static Serial parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("serial is null");
        }
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1 || text.indexOf(':', colon + 1) >= 0) {
            throw new IllegalArgumentException("serial must look like <epoch>:<seq>, got '" + text + "'");
        }
        return new Serial(parsePart(text, 0, colon), parsePart(text, colon + 1, text.length()));
    }

    private static long parsePart(String text, int from, int to) {
        if (to - from > 18) {
            throw new IllegalArgumentException("serial part too long in '" + text + "'");
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("serial parts must be decimal digits, got '" + text + "'");
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** The serial that directly follows this one in the same epoch. */
    public Serial next() {
        return new Serial(epoch, seq + 1);
    }

    /** True when {@code other} is the very next message after this one (same epoch, seq + 1). */
    public boolean isFollowedBy(Serial other) {
        return other.epoch == epoch && other.seq == seq + 1;
    }

    @Override
    public int compareTo(Serial o) {
        int byEpoch = Long.compare(epoch, o.epoch);
        return byEpoch != 0 ? byEpoch : Long.compare(seq, o.seq);
    }

    @Override
    public String toString() {
        return epoch + ":" + seq;
    }
}
