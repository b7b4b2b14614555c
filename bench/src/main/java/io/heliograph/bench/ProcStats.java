package io.heliograph.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** CPU time and resident memory of a process, read from Linux {@code /proc}. */
public final class ProcStats {

    private ProcStats() {
    }

    /** User plus system CPU time of {@code pid}, in clock ticks. */
    public static long cpuTicks(long pid) {
        return parseCpuTicks(read(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /** utime (field 14) plus stime (field 15); the command name in parentheses may itself hold spaces. */
    static long parseCpuTicks(String stat) {
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        // rest[0] is field 3 (state), so field n is rest[n - 3].
        return Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
    }

    /** Resident set size of {@code pid} in KiB ({@code VmRSS}). */
    public static long rssKib(long pid) {
        return parseKibField(read(Path.of("/proc", Long.toString(pid), "status")), "VmRSS:");
    }

    static long parseKibField(String status, String field) {
        for (String line : status.split("\n")) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split(" +")[0]);
            }
        }
        throw new IllegalStateException(field + " not found");
    }

    /** Soft limit on open files of this process, or -1 when unknown. */
    public static long maxOpenFiles() {
        for (String line : read(Path.of("/proc/self/limits")).split("\n")) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split(" +")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return -1;
    }

    /** Clock ticks per second ({@code getconf CLK_TCK}); 100 when getconf cannot answer. */
    public static long clockTicksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            System.err.println("getconf CLK_TCK failed (" + e.getMessage() + "); assuming 100");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }

    static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
