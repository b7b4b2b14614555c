package io.heliograph.control.probe;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;

import io.heliograph.control.config.ControlConfig;

/**
 * Probes every configured edge and bridge at once, each with its own timeout, on virtual threads; one round takes
 * at most about the timeout. A probe that does not answer in time, refuses the connection or answers something that is
 * not its health JSON is a failed probe, with the reason kept for {@code /v1/regions}.
 */
public final class Prober implements AutoCloseable {

    private final List<ControlConfig.EdgeSpec> edges;
    private final List<ControlConfig.BridgeSpec> bridges;
    private final Duration timeout;
    private final boolean metrics;
    private final LongSupplier nowMs;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;

    public Prober(ControlConfig config, LongSupplier nowMs) {
        this.edges = config.regions().stream().flatMap(r -> r.edges().stream()).toList();
        this.bridges = config.regions().stream().flatMap(r -> r.bridges().stream()).toList();
        this.timeout = Duration.ofMillis(config.probe().timeoutMs());
        this.metrics = config.probe().metrics();
        this.nowMs = nowMs;
        this.http = HttpClient.newBuilder().executor(executor).connectTimeout(timeout)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** One round: every edge and bridge probed in parallel. */
    public ProbeRound probe() {
        long atMs = nowMs.getAsLong();
        Map<String, CompletableFuture<EdgeProbe>> edgeCalls = new HashMap<>();
        for (ControlConfig.EdgeSpec edge : edges) {
            edgeCalls.put(edge.id(), get(edge.http() + "/health")
                    .thenApply(body -> HealthParsers.edge(edge.id(), body))
                    .exceptionally(e -> EdgeProbe.failed(edge.id(), reason(e))));
        }
        Map<String, CompletableFuture<BridgeProbe>> bridgeCalls = new HashMap<>();
        for (ControlConfig.BridgeSpec bridge : bridges) {
            CompletableFuture<BridgeProbe> health = get(bridge.http() + "/health")
                    .thenApply(body -> HealthParsers.bridge(bridge.id(), body))
                    .exceptionally(e -> BridgeProbe.failed(bridge.id(), reason(e)));
            if (metrics) {
                health = health.thenCompose(probe -> !probe.reachable() ? CompletableFuture.completedFuture(probe)
                        : get(bridge.http() + "/metrics")
                                .thenApply(text -> HealthParsers.withLag(probe, HealthParsers.bridgeLag(text)))
                                .exceptionally(e -> probe));
            }
            bridgeCalls.put(bridge.id(), health);
        }
        Map<String, EdgeProbe> edgeResults = new HashMap<>();
        edgeCalls.forEach((id, call) -> edgeResults.put(id, call.join()));
        Map<String, BridgeProbe> bridgeResults = new HashMap<>();
        bridgeCalls.forEach((id, call) -> bridgeResults.put(id, call.join()));
        return new ProbeRound(atMs, edgeResults, bridgeResults);
    }

    /** The body of any answer (a draining edge and a down bridge answer 503 with their JSON). */
    private CompletableFuture<String> get(String url) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(HttpResponse::body);
    }

    private static String reason(Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                ? e.getCause() : e;
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    @Override
    public void close() {
        http.close();
        executor.shutdownNow();
    }
}
