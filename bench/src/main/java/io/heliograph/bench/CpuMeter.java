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
                 double othersPercentOfMachine, Map<String, Double> contextSwitchesPerSecond) {

        /** Sum over the processes whose name starts with {@code prefix}, in percent of one core. */
        double sum(String prefix) {
            return percentOfCore.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToDouble(Map.Entry::getValue).sum();
        }
    }

    /** A reading to take the difference from. */
    record Snapshot(long atNs, Map<String, Long> ticks, long machineBusyTicks, Map<String, Long> switches) {
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
        Map<String, Long> switches = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            try {
                ticks.put(name, ProcStats.cpuTicks(pid));
            } catch (RuntimeException e) {
                ticks.put(name, -1L); // exited
            }
            switches.put(name, contextSwitches(pid));
        });
        return new Snapshot(System.nanoTime(), ticks, machineBusyTicks(), switches);
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
        Map<String, Double> switches = new LinkedHashMap<>();
        now.switches().forEach((name, n) -> {
            long was = before.switches().getOrDefault(name, -1L);
            switches.put(name, was < 0 || n < 0 ? Double.NaN : (n - was) / seconds);
        });
        return new Usage(seconds, percent, machine, others, switches);
    }

    /**
     * Voluntary and involuntary context switches of every thread of {@code pid} so far (threads that ended are not
     * counted), or -1: how often a process's threads block and wake, which is where a chain of hand-offs costs.
     */
    static long contextSwitches(long pid) {
        java.io.File[] tasks = new java.io.File("/proc/" + pid + "/task").listFiles();
        if (tasks == null) {
            return -1;
        }
        long sum = 0;
        for (java.io.File task : tasks) {
            try {
                for (String line : java.nio.file.Files.readAllLines(task.toPath().resolve("status"))) {
                    if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                        sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                // the thread ended meanwhile
            }
        }
        return sum;
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
