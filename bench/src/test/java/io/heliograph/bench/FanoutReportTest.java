package io.heliograph.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class FanoutReportTest {

    /** A step of {@code rate} msg/s to 2,000 subscribers, every delivery made unless {@code delivered} says less. */
    private static FanoutBench.StepResult step(int rate, double p99, long delivered, double cpuSeconds) {
        long expected = rate * 2000L * 10;
        return new FanoutBench.StepResult(rate, rate * 10L, rate * 10L, expected, delivered, delivered / 10.0,
                p99 / 2, p99, p99, p99, cpuSeconds, 10, 5, 0, 0);
    }

    @Test
    void theBestStepKeepsP99Within50msWithEveryDeliveryMade() {
        var ok = step(10, 40, 200_000, 4);
        var faster = step(25, 49, 500_000, 9);
        var lossy = step(50, 45, 900_000, 15);
        var slow = step(100, 300, 2_000_000, 30);
        assertEquals(faster, FanoutReport.bestStep(List.of(ok, faster, lossy, slow)));
        assertNull(FanoutReport.bestStep(List.of(slow)));
    }

    @Test
    void theHeadlineNamesCpuPerDeliveryInTheTargetRangeAndTheIdleFigures() {
        var low = step(5, 40, 100_000, 3);       // 10,000/s: outside the 20,000–80,000 range
        var inRange = step(10, 40, 200_000, 4);  // 20,000/s, 20 µs per delivery
        IdleResult idle = new IdleResult(10_000, 10_000, 1_000_000, 1_120_000, 5_000, 1.5, 10, 15, 20_000, null);
        MachineDescription machine = new MachineDescription(2, "test cpu", 24L << 20, "Linux", "Java 25");
        String md = new FanoutReport("1g", 2000, 4, 100, 10, 5, "nio", Map.of())
                .render(machine, List.of(low, inRange), idle, "all steps ran");
        assertTrue(md.contains("| Server CPU µs per delivery, 20,000–80,000 deliveries/s | 20.0 at 20,000/s |"), md);
        assertTrue(md.contains("| Memory per idle connection (fresh nodes) | 12.0 KiB |"), md);
        assertTrue(md.contains("| Connections per second (10,000 at once, token checked) | 2,000/s (5.0 s for all) |"),
                md);
        assertTrue(md.contains("1.5 % of the machine"), md);
        assertTrue(md.indexOf("| Headline |") < md.indexOf("| Machine |"), "headline first");
    }

    @Test
    void theFloorStandsBesideTheEdgeStepsAndOnlyStepsItKeptUpWithReachTheHeadline() {
        var edge = step(10, 40, 200_000, 4);      // 20 µs per delivery
        var fast = step(300, 90, 6_000_000, 12);  // 2 µs per delivery
        // 200,000 deliveries in 1.6 CPU-s: 8 µs each; then a rate the floor fell behind at.
        var floorKeptUp = new KernelFloor.Step(10, 200_000, 200_000, 20_000, 9, 19, 1.6, 0);
        var floorBehind = new KernelFloor.Step(300, 6_000_000, 1_500_000, 150_000, 4000, 9000, 10, 0);
        MachineDescription machine = new MachineDescription(2, "test cpu", 24L << 20, "Linux", "Java 25");
        String md = new FanoutReport("1g", 2000, 4, 100, 10, 5, "nio", Map.of())
                .render(machine, List.of(edge, fast), null, "all steps ran", List.of(floorKeptUp, floorBehind));
        assertTrue(md.contains("steps it kept up with) | 8.0 at 20,000/s |"), md);
        assertTrue(md.contains("| 10 | 20,000 | 100.00% | 9.0 | 19.0 | 8.00 | 20.00 | 12.00 | 0 |"), md);
        assertTrue(md.contains("| 300 | 150,000 | 25.00% |"), md);
    }
}
