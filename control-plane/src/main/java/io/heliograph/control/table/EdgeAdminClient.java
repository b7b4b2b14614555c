package io.heliograph.control.table;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.protocol.Json;
import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.MeshTableJson;

/**
 * The control plane's calls on an edge's admin API (docs/control-plane.md, "Control plane → edge"), each with the
 * admin token and a short timeout: push a table, read the table it holds, drain it. A call that fails answers
 * empty or false; the caller tries again on the next probe cycle.
 */
public final class EdgeAdminClient implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EdgeAdminClient.class.getName());

    /** Per URL, the last answer's status (or -1: no answer): a failure is logged when it changes, not every cycle. */
    private final java.util.Map<String, Integer> lastStatus = new java.util.concurrent.ConcurrentHashMap<>();
    private final String adminToken;
    private final Duration timeout;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;

    /** The header a push confirms an edge's table with after its pause (docs/control-plane.md). */
    public static final String CONFIRM_HEADER = "X-Heliograph-Confirm";

    public EdgeAdminClient(String adminToken, Duration timeout) {
        this.adminToken = adminToken == null ? "" : adminToken;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().executor(executor).connectTimeout(timeout)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** An edge's answer to a push: whether its region took the table, and the version it holds after it. */
    public record PushAnswer(boolean applied, long version) {
    }

    /** {@code PUT /v1/admin/mesh-table}: the edge's answer, empty when it failed. */
    public Optional<PushAnswer> push(String edgeHttp, String tableJson) {
        return push(edgeHttp, tableJson, null);
    }

    /**
     * As {@link #push(String, String)}, confirming the table to an edge that asked for it after a pause with
     * {@code confirm} (its {@code meshTableConfirm}; null: none).
     */
    public Optional<PushAnswer> push(String edgeHttp, String tableJson, String confirm) {
        HttpRequest.Builder request = request(edgeHttp + "/v1/admin/mesh-table");
        if (confirm != null) {
            request.header(CONFIRM_HEADER, confirm);
        }
        return call(request
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(tableJson)).build())
                .filter(a -> a.path("version").canConvertToLong())
                .map(a -> new PushAnswer(a.path("applied").asBoolean(false), a.path("version").asLong()));
    }

    /** {@code GET /v1/admin/mesh-table}: the table the edge's region holds; empty when none or it did not answer. */
    public Optional<MeshTable> fetch(String edgeHttp) {
        return call(request(edgeHttp + "/v1/admin/mesh-table").GET().build())
                .map(a -> a.path("table"))
                .filter(JsonNode::isObject)
                .flatMap(t -> {
                    try {
                        return Optional.of(MeshTableJson.read(t));
                    } catch (IllegalArgumentException e) {
                        LOG.log(System.Logger.Level.WARNING, edgeHttp + " holds a table this replica cannot read: "
                                + e.getMessage());
                        return Optional.empty();
                    }
                });
    }

    /** {@code POST /v1/admin/drain}: true when the edge took it. */
    public boolean drain(String edgeHttp) {
        return call(request(edgeHttp + "/v1/admin/drain").POST(HttpRequest.BodyPublishers.noBody()).build())
                .isPresent();
    }

    /** {@code POST /v1/admin/undrain}: true when the edge takes clients again. */
    public boolean undrain(String edgeHttp) {
        return call(request(edgeHttp + "/v1/admin/undrain").POST(HttpRequest.BodyPublishers.noBody()).build())
                .isPresent();
    }

    private HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("Authorization", "Bearer " + adminToken);
    }

    /** The JSON answer of a 2xx; empty otherwise (logged at DEBUG: an unreachable edge is expected in a failover). */
    private Optional<JsonNode> call(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            Integer before = lastStatus.put(request.method() + " " + request.uri(), response.statusCode());
            if (response.statusCode() / 100 != 2) {
                // An edge without the admin API (404) or with another token (403) answers so on every cycle.
                LOG.log(before == null || before != response.statusCode() ? System.Logger.Level.WARNING
                        : System.Logger.Level.DEBUG, () -> request.method() + " " + request.uri() + ": "
                        + response.statusCode() + " " + response.body());
                return Optional.empty();
            }
            String body = response.body();
            return Optional.of(body == null || body.isBlank() ? Json.MAPPER.createObjectNode()
                    : Json.MAPPER.readTree(body));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> request.method() + " " + request.uri() + ": " + e);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        http.close();
        executor.shutdownNow();
    }
}
