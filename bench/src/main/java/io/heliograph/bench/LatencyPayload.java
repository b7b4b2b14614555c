package io.heliograph.bench;

/**
 * The {@code data} of a benchmark message, {@code {"t":<sendNanoTime>,"s":<step>,"pad":"..."}}, and a reader that
 * finds its numbers in a received frame without parsing the whole frame: the load process reads hundreds of thousands
 * of frames a second on the same cores as the servers, so it must stay cheap. {@code t} is {@link System#nanoTime()}
 * of the publishing JVM, which is also the receiving JVM, so publish-to-receive latency needs no clock sync.
 */
public final class LatencyPayload {

    private static final String T = "\"t\":";
    private static final String S = "\"s\":";

    private LatencyPayload() {
    }

    /** A payload of about {@code targetBytes} bytes of JSON. */
    public static String json(long sendNs, int step, int targetBytes) {
        String head = "{\"t\":" + sendNs + ",\"s\":" + step + ",\"pad\":\"";
        int pad = Math.max(0, targetBytes - head.length() - 2);
        return head + "x".repeat(pad) + "\"}";
    }

    /** The send time in a frame, or -1 when the frame carries none. */
    public static long sendNs(String frame) {
        return number(frame, T);
    }

    /** The step number in a frame, or -1 when the frame carries none. */
    public static long step(String frame) {
        return number(frame, S);
    }

    static long number(String frame, String key) {
        int at = frame.indexOf(key);
        if (at < 0) {
            return -1;
        }
        int i = at + key.length();
        int n = frame.length();
        while (i < n && frame.charAt(i) == ' ') {
            i++;
        }
        boolean negative = i < n && frame.charAt(i) == '-';
        if (negative) {
            i++;
        }
        long value = 0;
        int digits = 0;
        while (i < n) {
            char c = frame.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
            i++;
            digits++;
        }
        if (digits == 0) {
            return -1;
        }
        return negative ? -value : value;
    }
}
