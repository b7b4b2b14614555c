package io.heliograph.edge.observe;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** A Prometheus histogram with fixed upper bounds (seconds); lock-free on the recording path. */
final class Histogram {

    private final double[] bounds;
    private final AtomicLongArray buckets;
    private final LongAdder count = new LongAdder();
    private final DoubleAdder sum = new DoubleAdder();

    Histogram(double... bounds) {
        this.bounds = bounds.clone();
        this.buckets = new AtomicLongArray(bounds.length);
    }

    void record(double seconds) {
        for (int i = 0; i < bounds.length; i++) {
            if (seconds <= bounds[i]) {
                buckets.incrementAndGet(i);
                break;
            }
        }
        count.increment();
        sum.add(seconds);
    }

    void render(StringBuilder out, String name, String labels) {
        long cumulative = 0;
        String sep = labels.isEmpty() ? "" : labels + ",";
        for (int i = 0; i < bounds.length; i++) {
            cumulative += buckets.get(i);
            out.append(name).append("_bucket{").append(sep).append("le=\"").append(bounds[i]).append("\"} ")
                    .append(cumulative).append('\n');
        }
        out.append(name).append("_bucket{").append(sep).append("le=\"+Inf\"} ").append(count.sum()).append('\n');
        String braces = labels.isEmpty() ? "" : "{" + labels + "}";
        out.append(name).append("_sum").append(braces).append(' ').append(sum.sum()).append('\n');
        out.append(name).append("_count").append(braces).append(' ').append(count.sum()).append('\n');
    }

    long count() {
        return count.sum();
    }
}
