package io.heliograph.edge.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads samples out of Prometheus text by name and label subset, so tests do not depend on the label order, the extra
 * labels ({@code node}, {@code scope}) or the number format Helidon's exposition uses.
 */
public final class PrometheusText {

    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private PrometheusText() {
    }

    /**
     * The value of the first sample of {@code metric} whose labels include {@code labelPairs} (name, value, ...), or
     * -1 when there is none.
     */
    public static double value(String text, String metric, String... labelPairs) {
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(metric)) {
                continue;
            }
            String rest = line.substring(metric.length());
            Map<String, String> labels = new HashMap<>();
            if (rest.startsWith("{")) {
                int close = rest.lastIndexOf('}');
                Matcher m = LABEL.matcher(rest.substring(1, close));
                while (m.find()) {
                    labels.put(m.group(1), m.group(2));
                }
                rest = rest.substring(close + 1);
            } else if (!rest.startsWith(" ")) {
                continue;
            }
            boolean matches = true;
            for (int i = 0; i + 1 < labelPairs.length; i += 2) {
                matches &= labelPairs[i + 1].equals(labels.get(labelPairs[i]));
            }
            if (matches) {
                return Double.parseDouble(rest.trim().split(" ")[0]);
            }
        }
        return -1;
    }
}
