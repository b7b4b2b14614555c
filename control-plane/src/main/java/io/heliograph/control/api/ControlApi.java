package io.heliograph.control.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.heliograph.control.audit.AuditEvent;
import io.heliograph.control.audit.AuditLog;
import io.heliograph.control.config.ControlConfig;
import io.heliograph.control.leader.MeshController;
import io.heliograph.control.probe.BridgeProbe;
import io.heliograph.control.probe.EdgeProbe;
import io.heliograph.control.route.Router;
import io.heliograph.control.state.RegionHealth;
import io.heliograph.control.table.MeshChanges;
import io.heliograph.protocol.Json;
import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.MeshTableJson;

/**
 * The routes of a replica: {@code /health}, the reads ({@code /v1/regions}, {@code /v1/route}, {@code /v1/events})
 * answered from this replica's own probes and the replicas' shared table, and the changes ({@code /v1/failover},
 * {@code /v1/restore}, {@code /v1/drain-node}) which need the admin token and run on the leader: a follower forwards
 * them (marked, so that a forward is never forwarded again) or answers 503 {@code not_leader}.
 */
public final class ControlApi {

    /** Set on a change forwarded by a follower; a replica that does not lead answers it 503 instead. */
    static final String FORWARDED = "X-Heliograph-Forwarded";
    /** The protocol's one JSON configuration: tolerant of fields it does not know (an edge may add some). */
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final System.Logger LOG = System.getLogger(ControlApi.class.getName());

    private final ControlConfig config;
    private final MeshController controller;
    private final AuditLog audit;
    private final AdminAuth auth;
    private final Router router;
    private final Supplier<String> selfUrl;
    private final StatusPage status = new StatusPage(this);
    private final HttpClient forwarder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();

    public ControlApi(ControlConfig config, MeshController controller, AuditLog audit, Supplier<String> selfUrl) {
        this.config = config;
        this.controller = controller;
        this.audit = audit;
        this.auth = new AdminAuth(config.adminToken());
        this.router = new Router(config.route().defaultRegion());
        this.selfUrl = selfUrl;
    }

    public void routing(HttpRouting.Builder routing) {
        routing.get("/health", this::health)
                .get("/v1/regions", this::regions)
                .get("/v1/route", this::route)
                .get("/v1/events", this::events)
                .get("/", status::page)
                .get("/v1/stream", status::stream)
                .post("/v1/failover", (req, res) -> change(req, res, body -> controller.failover(
                        text(body, "region", true), text(body, "to", false), "admin")))
                .post("/v1/restore", (req, res) -> change(req, res, body -> controller.restore(
                        text(body, "region", true), "admin")))
                .post("/v1/drain-node", (req, res) -> change(req, res, body -> controller.drainNode(
                        text(body, "node", true), "admin")));
    }

    private void health(ServerRequest req, ServerResponse res) {
        ObjectNode out = JSON.createObjectNode();
        out.put("status", "UP");
        out.put("replica", config.replicaId());
        out.put("role", controller.leadership().isLeader() ? "leader" : "follower");
        out.put("leader", controller.leadership().leaderId().orElse(null));
        out.put("tableVersion", controller.table().map(MeshTable::version).orElse(0L));
        send(res, 200, out);
    }

    private void regions(ServerRequest req, ServerResponse res) {
        send(res, 200, regionsJson());
    }

    /** The body of {@code GET /v1/regions} (also what the status page's stream sends). */
    ObjectNode regionsJson() {
        MeshController.MeshView view = controller.view();
        Optional<MeshTable> table = controller.table();
        ObjectNode out = JSON.createObjectNode();
        out.put("tableVersion", table.map(MeshTable::version).orElse(0L));
        out.put("leader", controller.leadership().leaderId().orElse(null));
        ArrayNode regions = out.putArray("regions");
        for (ControlConfig.RegionSpec spec : config.regions()) {
            RegionHealth health = view.health().get(spec.name());
            ObjectNode region = regions.addObject();
            region.put("name", spec.name());
            region.put("state", table.map(t -> t.stateOf(spec.name())).orElse(health.observed()).wire());
            ArrayNode preference = region.putArray("preference");
            table.map(t -> t.preference().get(spec.name())).orElse(spec.preference()).forEach(preference::add);
            ArrayNode nodes = region.putArray("nodes");
            for (ControlConfig.EdgeSpec edge : spec.edges()) {
                EdgeProbe probe = view.round().edge(edge.id());
                nodes.addObject().put("id", edge.id()).put("ws", edge.ws()).put("http", edge.http())
                        .put("healthy", probe.serving()).put("connections", probe.connections());
            }
            ArrayNode bridges = region.putArray("bridges");
            for (ControlConfig.BridgeSpec bridge : spec.bridges()) {
                BridgeProbe probe = view.round().bridge(bridge.id());
                ObjectNode b = bridges.addObject().put("id", bridge.id()).put("http", bridge.http())
                        .put("healthy", probe.reachable() && probe.up()).put("role", probe.role());
                ObjectNode peers = b.putObject("peers");
                probe.peers().forEach((peer, link) -> peers.putObject(peer).put("link", link.link())
                        .put("circuit", link.circuit()).put("lagMessages", link.lagMessages())
                        .put("lagMs", link.lagMs()));
            }
            ArrayNode homes = region.putArray("homes");
            ObjectNode epochs = region.putObject("epochs");
            if (table.isPresent()) {
                for (String base : table.get().homedAt(spec.name())) {
                    homes.add(base);
                    epochs.put(base, table.get().homeOf(base).epoch());
                }
            } else {
                homes.add(spec.name());
                epochs.put(spec.name(), 1);
            }
        }
        return out;
    }

    /** Audit events after {@code since}, as JSON. */
    JsonNode eventsJson(long since) {
        return JSON.valueToTree(audit.since(since));
    }

    private void route(ServerRequest req, ServerResponse res) {
        Optional<MeshTable> table = controller.table();
        if (table.isEmpty()) {
            error(res, 503, "no_healthy_region", "no mesh table yet: the control plane has not elected a leader");
            return;
        }
        String near = req.query().contains("near") ? req.query().get("near") : null;
        String header = req.headers().first(HeaderNames.create(config.route().header())).orElse(null);
        try {
            MeshTable.Route route = router.route(table.get(), controller.view().health(), near, header);
            ObjectNode out = JSON.createObjectNode();
            out.put("region", route.region());
            out.put("reason", route.reason());
            out.set("edges", MeshTableJson.edges(route.edges()));
            out.put("tableVersion", route.tableVersion());
            send(res, 200, out);
        } catch (MeshChanges.Refused e) {
            error(res, e.status(), e.code(), e.getMessage());
        }
    }

    private void events(ServerRequest req, ServerResponse res) {
        long since = 0;
        if (req.query().contains("since")) {
            try {
                since = Long.parseLong(req.query().get("since").trim());
            } catch (NumberFormatException e) {
                error(res, 400, "bad_request", "since: '" + req.query().get("since") + "' is not an integer");
                return;
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("events", JSON.valueToTree(audit.since(since)));
        send(res, 200, out);
    }

    @FunctionalInterface
    private interface Change {
        AuditEvent apply(JsonNode body);
    }

    private void change(ServerRequest req, ServerResponse res, Change change) {
        String authorization = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        AdminAuth.Verdict verdict = auth.check(authorization);
        if (!verdict.allowed()) {
            error(res, verdict.status(), verdict.code(), verdict.message());
            return;
        }
        String raw = req.content().hasEntity() ? req.content().as(String.class) : "";
        JsonNode body;
        try {
            body = raw.isBlank() ? JSON.createObjectNode() : JSON.readTree(raw);
            if (!body.isObject()) {
                throw new IOException("the body must be a JSON object");
            }
        } catch (IOException e) {
            error(res, 400, "bad_request", "body: " + e.getMessage());
            return;
        }
        if (!controller.leadership().isLeader()) {
            forward(req, res, raw, authorization);
            return;
        }
        try {
            AuditEvent event = change.apply(body);
            ObjectNode out = JSON.createObjectNode();
            out.set("event", JSON.valueToTree(event));
            send(res, 200, out);
        } catch (MeshChanges.Refused e) {
            error(res, e.status(), e.code(), e.getMessage());
        } catch (MeshController.NotLeader e) {
            notLeader(res, e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, req.path().path() + " failed", e);
            error(res, 500, "internal", "internal error: " + e.getMessage());
        }
    }

    /** To the leader with the same body and token, its answer passed back as it is. */
    private void forward(ServerRequest req, ServerResponse res, String body, String authorization) {
        Optional<String> leader = controller.leadership().leaderUrl();
        if (req.headers().contains(HeaderNames.create(FORWARDED)) || leader.isEmpty()
                || leader.get().equals(selfUrl.get())) {
            notLeader(res, leader.isEmpty() ? "no replica leads the control plane now"
                    : config.replicaId() + " does not lead (yet)");
            return;
        }
        try {
            HttpResponse<String> answer = forwarder.send(HttpRequest.newBuilder(
                            URI.create(leader.get() + req.path().path()))
                    .timeout(Duration.ofSeconds(10))
                    .header("Authorization", authorization)
                    .header("Content-Type", "application/json")
                    .header(FORWARDED, config.replicaId())
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            res.status(answer.statusCode());
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(answer.body());
        } catch (IOException e) {
            notLeader(res, "the leader at " + leader.get() + " did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            notLeader(res, "interrupted while forwarding to the leader");
        }
    }

    private void notLeader(ServerResponse res, String message) {
        ObjectNode out = JSON.createObjectNode();
        out.put("code", "not_leader");
        out.put("message", message);
        out.put("leader", controller.leadership().leaderUrl().orElse(null));
        send(res, 503, out);
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new MeshChanges.Refused(400, "bad_request", field + ": required");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new MeshChanges.Refused(400, "bad_request", field + ": must be a string");
        }
        return value.asText();
    }

    static void error(ServerResponse res, int status, String code, String message) {
        send(res, status, JSON.createObjectNode().put("code", code).put("message", message));
    }

    static void send(ServerResponse res, int status, JsonNode body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        try {
            res.send(JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
