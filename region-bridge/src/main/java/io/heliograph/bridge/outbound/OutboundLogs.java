package io.heliograph.bridge.outbound;

import java.util.concurrent.ThreadLocalRandom;

/**
 * What every {@link OutboundLog} implementation shares. An incarnation only has to differ from the log's previous
 * life, so a fast random number will do.
 */
public final class OutboundLogs {

    private OutboundLogs() {
    }

    /** A fresh incarnation for a log's first append: random, never 0 (0 means "nothing appended yet"). */
    public static long newIncarnation() {
        long value;
        do {
            value = ThreadLocalRandom.current().nextLong();
        } while (value == 0);
        return value;
    }
}
