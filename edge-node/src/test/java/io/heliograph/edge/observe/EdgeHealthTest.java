package io.heliograph.edge.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.observe.ObserveFeature;

import io.heliograph.launcher.EdgeProcess;
import io.heliograph.protocol.Json;

/** Helidon's health observer with the node's checks: readiness follows draining and the region, liveness the region. */
class EdgeHealthTest {

    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final HttpClient http = HttpClient.newHttpClient();
    private WebServer server;

    @BeforeEach
    void start() {
        EdgeHealth health = new EdgeHealth("us-east", "n1", this::cluster, draining::get, () -> 3, () -> 2);
        server = WebServer.builder()
                .port(0)
                .featuresDiscoverServices(false)
                .addFeature(ObserveFeature.builder()
                        .endpoint("/")
                        .observersDiscoverServices(false)
                        .addObserver(health.observer())
                        .build())
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private Map<String, Object> cluster() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("engine", "hazelcast");
        out.put("running", running.get());
        out.put("members", 2);
        out.put("memberAddresses", List.of("[127.0.0.1]:5701", "[127.0.0.1]:5702"));
        return out;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void upNodeAnswers200WithItsRegionDetails() throws Exception {
        HttpResponse<String> r = get("/health");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = Json.parse(r.body());
        assertEquals("UP", body.path("status").asText());
        JsonNode data = EdgeProcess.readinessData(body);
        assertEquals("us-east", data.path("region").asText());
        assertEquals("n1", data.path("node").asText());
        assertFalse(data.path("draining").asBoolean());
        assertEquals(3, data.path("connections").asInt());
        assertEquals(2, data.path("channels").asInt());
        assertEquals(2, data.path("cluster").path("members").asInt());
        assertEquals(2, data.path("cluster").path("memberAddresses").size());
    }

    @Test
    void theReadinessCheckHasTheNameTheProcessFixtureWaitsFor() {
        // launcher reads /health without edge-node's classes, so it spells the check's name itself.
        assertEquals(EdgeProcess.READINESS_CHECK, EdgeHealth.READINESS_CHECK);
    }

    @Test
    void drainingNodeIsNotReadyButAlive() throws Exception {
        draining.set(true);
        HttpResponse<String> r = get("/health");
        assertEquals(503, r.statusCode());
        JsonNode body = Json.parse(r.body());
        assertEquals("DOWN", body.path("status").asText());
        assertTrue(EdgeProcess.readinessData(body).path("draining").asBoolean());
        assertEquals(503, get("/health/ready").statusCode());
        assertEquals(200, get("/health/live").statusCode());
    }

    @Test
    void stoppedRegionMemberIsDown() throws Exception {
        running.set(false);
        assertEquals(503, get("/health").statusCode());
        assertEquals(503, get("/health/live").statusCode());
    }
}
