package io.heliograph.control.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.heliograph.control.config.ControlConfig;

/**
 * Three regions of fake edges and bridges (one bridge each, holding its region's lease, every link streaming) and the
 * configurations of control-plane replicas that watch them; plus a small HTTP client for the control plane's API.
 */
public final class FakeMesh implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** An answer of the control plane's API. */
    public record Answer(int status, JsonNode body) {
    }

    private final Map<String, List<FakeEdge>> edges = new LinkedHashMap<>();
    private final Map<String, FakeBridge> bridges = new LinkedHashMap<>();

    public FakeMesh(int edgesPerRegion) {
        for (String region : Configs.REGIONS) {
            List<FakeEdge> list = new ArrayList<>();
            for (int i = 1; i <= edgesPerRegion; i++) {
                list.add(new FakeEdge(region, region + "-" + i, Configs.TOKEN));
            }
            edges.put(region, list);
            bridges.put(region, new FakeBridge(region, region + "-b1",
                    Configs.REGIONS.stream().filter(r -> !r.equals(region)).toList()));
        }
    }

    public List<FakeEdge> edges(String region) {
        return edges.get(region);
    }

    public List<FakeEdge> allEdges() {
        return edges.values().stream().flatMap(List::stream).toList();
    }

    public FakeBridge bridge(String region) {
        return bridges.get(region);
    }

    /** Every edge of {@code region} stops answering. */
    public void killEdges(String region) {
        edges.get(region).forEach(FakeEdge::kill);
    }

    public List<ControlConfig.RegionSpec> regions() {
        List<ControlConfig.RegionSpec> specs = new ArrayList<>();
        for (String region : Configs.REGIONS) {
            specs.add(new ControlConfig.RegionSpec(region,
                    edges.get(region).stream().map(e -> new ControlConfig.EdgeSpec(e.id(), e.http(), e.ws())).toList(),
                    List.of(new ControlConfig.BridgeSpec(bridges.get(region).id(), bridges.get(region).http())),
                    Configs.preference(region)));
        }
        return specs;
    }

    /** A replica's configuration: probes every {@code intervalMs}, down after {@code downAfterMs}. */
    public ControlConfig config(String replicaId, long intervalMs, long downAfterMs, int hazelcastPort,
                                List<String> members, String clusterName, Path auditLog) {
        ControlConfig base = Configs.config(replicaId, regions(), intervalMs, downAfterMs, true, false,
                hazelcastPort, members, auditLog);
        return new ControlConfig(base.replicaId(), base.host(), base.port(), base.publicUrl(), base.adminToken(),
                base.regions(), base.probe(), base.failover(), base.route(),
                new ControlConfig.Hazelcast(clusterName, "127.0.0.1", hazelcastPort, members), base.leaseTtlMs(),
                base.auditLog());
    }

    public static Answer get(String url) {
        return call(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    /** POST with {@code Authorization: Bearer token} (none when null). */
    public static Answer post(String url, String body, String token) {
        return post(url, body, token, Map.of());
    }

    /** POST with {@code Authorization: Bearer token} (none when null) and further headers. */
    public static Answer post(String url, String body, String token, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        return call(request);
    }

    private static Answer call(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(15)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), JSON.readTree(response.body()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        allEdges().forEach(FakeEdge::close);
        bridges.values().forEach(FakeBridge::close);
    }
}
