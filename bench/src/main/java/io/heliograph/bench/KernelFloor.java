package io.heliograph.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The same fan-out as the edge steps, served by two {@link FloorServer} processes instead of two edge nodes: the
 * same subscribers on the same load client, the same rates and payloads. What those processes spend per delivery
 * is what one write per delivery costs on this machine, whatever the server; the edge nodes' figure beside it says
 * how much of theirs is their own.
 */
final class KernelFloor implements AutoCloseable {

    /** One rate served by the floor servers. */
    record Step(int ratePerSecond, long expected, long delivered, double deliveriesPerSecond, double p50Ms,
                double p99Ms, double serverCpuSeconds, long partialWrites) {

        double cpuMicrosPerDelivery() {
            return delivered == 0 ? Double.NaN : serverCpuSeconds * 1e6 / delivered;
        }

        double completeness() {
            return expected == 0 ? 1 : (double) delivered / expected;
        }
    }

    private static final long MAX_LATENCY_US = TimeUnit.SECONDS.toMicros(120);

    private final List<Server> servers = new ArrayList<>();
    private final Consumer<String> log;
    private final long clockTicks = ProcStats.clockTicksPerSecond();
    private final Recorder latencyUs = new Recorder(MAX_LATENCY_US, 3);
    private final LongAdder received = new LongAdder();
    private final LongAccumulator lastReceiveNs = new LongAccumulator(Math::max, 0);
    private volatile long currentStep = -1;
    private final List<BenchSocket> subscribers = new ArrayList<>();

    private record Server(Process process, PrintWriter commands, BufferedReader answers, int port) {
    }

    private KernelFloor(Consumer<String> log) {
        this.log = log;
    }

    /** Starts {@code count} floor servers on {@code basePort..} with {@code writers} writer threads each. */
    static KernelFloor start(int count, int basePort, int writers, Path logDir, Consumer<String> log)
            throws IOException {
        KernelFloor floor = new KernelFloor(log);
        String java = ProcessHandle.current().info().command().orElse("java");
        Files.createDirectories(logDir);
        try {
            for (int i = 0; i < count; i++) {
                int port = basePort + i;
                ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp",
                        System.getProperty("java.class.path"), FloorServer.class.getName(), Integer.toString(port),
                        Integer.toString(writers));
                pb.redirectError(logDir.resolve("floor-" + i + ".log").toFile());
                Process p = pb.start();
                BufferedReader answers = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                PrintWriter commands = new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8);
                floor.servers.add(new Server(p, commands, answers, port));
                String first = answers.readLine();
                if (first == null || !first.startsWith("listening")) {
                    throw new IOException("floor server " + i + " did not start (log " + logDir + ")");
                }
            }
        } catch (IOException | RuntimeException e) {
            floor.close();
            throw e;
        }
        return floor;
    }

    /** Opens {@code count} subscribers spread evenly over the floor servers; answers how many got in. */
    int openSubscribers(NioLoad nio, int count, Duration timeout) throws InterruptedException {
        LoadSocket.MessageSink sink = new LoadSocket.MessageSink() {
            @Override
            public void onMessage(String frame) {
                record(frame);
            }

            @Override
            public void onControl(String type, JsonNode frame) {
            }
        };
        List<CompletableFuture<NioLoad.Socket>> opening = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Server s = servers.get(i % servers.size());
            opening.add(nio.open(URI.create("ws://127.0.0.1:" + s.port() + "/v1/ws"), "floor", sink, timeout));
            if (opening.size() % 200 == 0) {
                // Bounded handshakes in flight, like the edge steps' subscribers.
                for (CompletableFuture<NioLoad.Socket> f : opening.subList(opening.size() - 200, opening.size())) {
                    try {
                        f.join();
                    } catch (RuntimeException ignored) {
                        // counted below
                    }
                }
            }
        }
        for (CompletableFuture<NioLoad.Socket> f : opening) {
            try {
                subscribers.add(f.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (Exception e) {
                // not in: the step's expected deliveries count only those that are
            }
        }
        return subscribers.size();
    }

    private void record(String frame) {
        long nowNs = System.nanoTime();
        if (LatencyPayload.step(frame) != currentStep) {
            return;
        }
        long us = (nowNs - LatencyPayload.sendNs(frame)) / 1000;
        latencyUs.recordValue(Math.min(Math.max(us, 0), MAX_LATENCY_US));
        received.increment();
        lastReceiveNs.accumulate(nowNs);
    }

    /**
     * Every floor server sends {@code ratePerSecond} messages a second to its own subscribers for {@code duration},
     * so the subscribers together receive what the edge steps' subscribers receive at that publish rate.
     */
    Step run(int step, int ratePerSecond, Duration duration, int payloadBytes, Duration drain) throws IOException,
            InterruptedException {
        int count = (int) (ratePerSecond * duration.toSeconds());
        long intervalNs = 1_000_000_000L / ratePerSecond;
        latencyUs.getIntervalHistogram();
        received.reset();
        currentStep = step;
        long cpuBefore = cpuTicks();
        long begunNs = System.nanoTime();
        lastReceiveNs.reset();
        lastReceiveNs.accumulate(begunNs);
        for (Server s : servers) {
            s.commands().println("send " + count + " " + intervalNs + " " + step + " " + payloadBytes);
        }
        long partial = 0;
        for (Server s : servers) {
            String answer = s.answers().readLine();
            if (answer == null || !answer.startsWith("sent")) {
                throw new IOException("floor server on port " + s.port() + " stopped: " + answer);
            }
            partial += Long.parseLong(answer.split(" ")[3]);
        }
        long expected = (long) count * subscribers.size();
        long deadline = System.nanoTime() + drain.toNanos();
        while (received.sum() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long cpuTicks = cpuTicks() - cpuBefore;
        Histogram h = latencyUs.getIntervalHistogram();
        long delivered = received.sum();
        double activeS = Math.max(1e-3, (lastReceiveNs.get() - begunNs) / 1e9);
        Step result = new Step(ratePerSecond, expected, delivered, delivered / activeS,
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                (double) cpuTicks / clockTicks, partial);
        log.accept(String.format(java.util.Locale.ROOT, "  floor step %d msg/s: %.0f deliveries/s, complete %.2f%%, "
                        + "p50 %.1f ms, p99 %.1f ms, CPU %.1f µs per delivery, %d partial writes",
                ratePerSecond, result.deliveriesPerSecond(), result.completeness() * 100, result.p50Ms(),
                result.p99Ms(), result.cpuMicrosPerDelivery(), partial));
        return result;
    }

    private long cpuTicks() {
        long sum = 0;
        for (Server s : servers) {
            sum += ProcStats.cpuTicks(s.process().pid());
        }
        return sum;
    }

    @Override
    public void close() {
        for (BenchSocket s : subscribers) {
            s.abort();
        }
        for (Server s : servers) {
            s.commands().println("quit");
        }
        for (Server s : servers) {
            try {
                if (!s.process().waitFor(5, TimeUnit.SECONDS)) {
                    s.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                s.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
