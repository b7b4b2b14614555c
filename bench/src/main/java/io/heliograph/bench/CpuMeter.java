package io.heliograph.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU of named processes over a window, from {@code /proc/<pid>/stat} ({@link ProcStats}), and of the whole machine
 * from {@code /proc/stat}, so that what other processes (another session's build) took in the same window shows
 * beside the bench's own figures.
 */
final class CpuMeter {

    /** CPU over one window: per process in percent of one core, and the machine's in percent of all cores. */
    record Usage(double seconds, Map<String, Double> percentOfCore, double machineBusyPercent,
                 double othersPercentOfMachine) {

        /** Sum over the processes whose name starts with {@code prefix}, in percent of one core. */
        double sum(String prefix) {
            return percentOfCore.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToDouble(Map.Entry::getValue).sum();
        }
    }

    /** A reading to take the difference from. */
    record Snapshot(long atNs, Map<String, Long> ticks, long machineBusyTicks) {
    }

    private final Map<String, Long> pids;
    private final long hz = ProcStats.clockTicksPerSecond();
    private final int cpus = Runtime.getRuntime().availableProcessors();

    /** @param pids process name (e.g. {@code edge us-east-1}) to pid, in the order to report them */
    CpuMeter(Map<String, Long> pids) {
        this.pids = new LinkedHashMap<>(pids);
    }

    Snapshot snapshot() {
        Map<String, Long> ticks = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            try {
                ticks.put(name, ProcStats.cpuTicks(pid));
            } catch (RuntimeException e) {
                ticks.put(name, -1L); // exited
            }
        });
        return new Snapshot(System.nanoTime(), ticks, machineBusyTicks());
    }

    Usage since(Snapshot before) {
        Snapshot now = snapshot();
        double seconds = Math.max(1e-3, (now.atNs() - before.atNs()) / 1e9);
        Map<String, Double> percent = new LinkedHashMap<>();
        long ours = 0;
        for (Map.Entry<String, Long> e : now.ticks().entrySet()) {
            long was = before.ticks().getOrDefault(e.getKey(), -1L);
            if (was < 0 || e.getValue() < 0) {
                percent.put(e.getKey(), Double.NaN);
                continue;
            }
            long used = e.getValue() - was;
            ours += used;
            percent.put(e.getKey(), 100.0 * used / hz / seconds);
        }
        long busy = now.machineBusyTicks() - before.machineBusyTicks();
        double machine = 100.0 * busy / hz / seconds / cpus;
        double others = 100.0 * Math.max(0, busy - ours) / hz / seconds / cpus;
        return new Usage(seconds, percent, machine, others);
    }

    /** Ticks the machine's CPUs were busy (user, nice, system, irq, softirq), from the first line of /proc/stat. */
    static long machineBusyTicks() {
        try {
            String line = ProcStats.read(java.nio.file.Path.of("/proc/stat")).lines().findFirst().orElse("");
            return parseBusy(line);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    static long parseBusy(String cpuLine) {
        String[] f = cpuLine.trim().split(" +");
        // cpu user nice system idle iowait irq softirq steal ...
        return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                + Long.parseLong(f[7]);
    }

    /** The 1, 5 and 15 minute load averages, as /proc/loadavg gives them. */
    static String loadAverage() {
        try {
            String[] f = ProcStats.read(java.nio.file.Path.of("/proc/loadavg")).trim().split(" +");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (RuntimeException e) {
            return "unknown";
        }
    }
}
