package io.heliograph.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine a benchmark ran on, as recorded beside its figures. */
public record MachineDescription(int cpus, String cpuModel, long memoryKib, String os, String java) {

    public static MachineDescription current() {
        String model = "unknown";
        long memKib = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            memKib = ProcStats.parseKibField(Files.readString(Path.of("/proc/meminfo")), "MemTotal:");
        } catch (IOException | RuntimeException e) {
            System.err.println("machine description incomplete: " + e.getMessage());
        }
        return new MachineDescription(Runtime.getRuntime().availableProcessors(), model, memKib,
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.runtime.version"));
    }

    public String markdown() {
        return "| CPUs (nproc) | " + cpus + " |\n"
                + "| CPU model | " + cpuModel + " |\n"
                + "| Memory | " + String.format("%.1f GiB", memoryKib / 1024.0 / 1024.0) + " |\n"
                + "| OS | " + os + " |\n"
                + "| Java | " + java + " |\n";
    }
}
