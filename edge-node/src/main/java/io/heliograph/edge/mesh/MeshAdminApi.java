package io.heliograph.edge.mesh;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Json;
import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.MeshTableJson;
import io.heliograph.region.mesh.MeshTableStore;

/**
 * The control plane's calls on an edge node (docs/control-plane.md, "Control plane → edge"), and {@code negotiate} for
 * clients. Admin calls need {@code Authorization: Bearer <admin token>}, compared in constant time: 401 without one,
 * 403 with a wrong one, and 403 for every admin call when the node has no admin token configured.
 */
public final class MeshAdminApi {

    private static final System.Logger LOG = System.getLogger(MeshAdminApi.class.getName());
    /** The header a CDN or load balancer sets with the client's region, used when {@code near} is not given. */
    public static final String CLIENT_REGION_HEADER = "X-Client-Region";
    /** On a mesh-table push: the nonce the node's {@code /health} published after a pause ({@link PauseFence}). */
    public static final String CONFIRM_HEADER = "X-Heliograph-Confirm";

    private final String region;
    private final byte[] adminToken;
    private final MeshTableStore tables;
    /** Negotiate answers given: where the next answer's list of edges starts. */
    private final java.util.concurrent.atomic.AtomicLong answers = new java.util.concurrent.atomic.AtomicLong();
    private final Supplier<MeshTable.EdgeAddress> self;
    private final Runnable drain;
    private final java.util.function.BooleanSupplier undrain;
    private final java.util.function.IntConsumer countError;
    private final java.util.function.Predicate<String> confirm;

    /**
     * @param adminToken empty: admin calls are refused
     * @param self       this node's addresses (what negotiate answers before any table)
     * @param drain      redirects this node's clients and stops taking new ones
     * @param undrain    takes new clients again (false: the node is shutting down)
     * @param countError told the status of every refused call
     * @param confirm    given the nonce a push carries ({@value #CONFIRM_HEADER}), after the table was offered;
     *                   answers whether it confirmed this node's mesh table (see {@link PauseFence})
     */
    public MeshAdminApi(String region, String adminToken, MeshTableStore tables, Supplier<MeshTable.EdgeAddress> self,
                        Runnable drain, java.util.function.BooleanSupplier undrain,
                        java.util.function.IntConsumer countError,
                        java.util.function.Predicate<String> confirm) {
        this.confirm = confirm;
        this.region = region;
        this.adminToken = adminToken == null ? new byte[0] : adminToken.getBytes(StandardCharsets.UTF_8);
        this.tables = tables;
        this.self = self;
        this.drain = drain;
        this.undrain = undrain;
        this.countError = countError;
    }

    public void routing(HttpRouting.Builder routing) {
        routing.put("/v1/admin/mesh-table", admin(this::putTable))
                .get("/v1/admin/mesh-table", admin(this::getTable))
                .post("/v1/admin/drain", admin(this::drain))
                .post("/v1/admin/undrain", admin(this::undrain))
                .get("/v1/negotiate", handled(this::negotiate));
    }

    private void putTable(ServerRequest req, ServerResponse res) {
        String body = req.content().as(String.class);
        MeshTable table;
        try {
            table = MeshTableJson.read(Json.parse(body));
        } catch (MeshTableJson.MalformedTable e) {
            throw HeliographException.badRequest(e.getMessage());
        }
        MeshTableStore.Offered offered = tables.offer(table);
        if (offered.applied()) {
            LOG.log(System.Logger.Level.INFO, "mesh table " + table.version() + " from " + table.leader().id()
                    + " (leader epoch " + table.leader().epoch() + "): homes " + table.homes());
        }
        // The leader pushes its current table with the nonce this node published after a pause: the region now holds
        // that table or a newer one, so the node may sequence on it again.
        String nonce = req.headers().first(HeaderNames.create(CONFIRM_HEADER)).orElse(null);
        boolean confirmed = nonce != null && confirm.test(nonce);
        send(res, Status.OK_200, Map.of("applied", offered.applied(), "version", offered.heldVersion(),
                "confirmed", confirmed));
    }

    private void getTable(ServerRequest req, ServerResponse res) {
        Map<String, Object> out = new LinkedHashMap<>();
        var table = tables.current();
        out.put("table", table.map(MeshTableJson::tree).orElse(null));
        out.put("version", table.map(MeshTable::version).orElse(0L));
        send(res, Status.OK_200, out);
    }

    private void drain(ServerRequest req, ServerResponse res) {
        drain.run();
        send(res, Status.OK_200, Map.of("draining", true));
    }

    private void undrain(ServerRequest req, ServerResponse res) {
        if (!undrain.getAsBoolean()) {
            throw new HeliographException(ErrorCode.UNAVAILABLE, "this node is shutting down; it stays drained");
        }
        send(res, Status.OK_200, Map.of("draining", false));
    }

    /**
     * The region's edges starting one further at every answer: a client connects to the first edge it is given, so
     * the clients of a failover (all asking at once) spread over the next region's nodes instead of all landing on
     * its first one.
     */
    private List<MeshTable.EdgeAddress> rotated(List<MeshTable.EdgeAddress> edges) {
        if (edges.size() < 2) {
            return edges;
        }
        int start = (int) Math.floorMod(answers.getAndIncrement(), (long) edges.size());
        List<MeshTable.EdgeAddress> out = new java.util.ArrayList<>(edges.subList(start, edges.size()));
        out.addAll(edges.subList(0, start));
        return out;
    }

    /** {@code near}, else the client-region header, else this node's own region (docs/control-plane.md). */
    private void negotiate(ServerRequest req, ServerResponse res) {
        String near = req.query().contains("near") ? req.query().get("near") : null;
        String header = req.headers().first(HeaderNames.create(CLIENT_REGION_HEADER)).orElse(null);
        String asked = near != null && !near.isBlank() ? near : header != null && !header.isBlank() ? header : null;
        if (asked != null && !asked.matches("[a-z0-9-]{1,64}")) {
            throw HeliographException.badRequest("near: '" + asked + "' is not a region name");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        var table = tables.current();
        if (table.isEmpty()) {
            // No table yet: this node knows only its own region, and itself in it.
            out.put("region", region);
            out.put("reason", "default");
            out.put("edges", MeshTableJson.edges(List.of(self.get())));
            out.put("tableVersion", 0);
            send(res, Status.OK_200, out);
            return;
        }
        MeshTable current = table.get();
        if (asked != null && !current.regions().containsKey(asked)) {
            throw HeliographException.badRequest("near: unknown region " + asked + " (regions: "
                    + current.regions().keySet() + ")");
        }
        var route = near != null && !near.isBlank() ? current.route(near, null, "near")
                : asked != null ? current.route(null, asked, "header") : current.route(null, region, "default");
        if (route.isEmpty()) {
            throw new HeliographException(ErrorCode.UNAVAILABLE, "no region serves clients now (mesh table "
                    + current.version() + ")");
        }
        out.put("region", route.get().region());
        out.put("reason", route.get().reason());
        out.put("edges", MeshTableJson.edges(rotated(route.get().edges())));
        out.put("tableVersion", route.get().tableVersion());
        send(res, Status.OK_200, out);
    }

    @FunctionalInterface
    private interface Call {
        void handle(ServerRequest req, ServerResponse res);
    }

    private io.helidon.webserver.http.Handler admin(Call call) {
        return handled((req, res) -> {
            var auth = req.headers().first(HeaderNames.AUTHORIZATION);
            if (auth.isEmpty() || !auth.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new HeliographException(ErrorCode.UNAUTHORIZED, "admin calls need Authorization: Bearer "
                        + "<admin token>");
            }
            byte[] given = auth.get().substring(7).trim().getBytes(StandardCharsets.UTF_8);
            if (adminToken.length == 0) {
                throw new HeliographException(ErrorCode.FORBIDDEN, "this node has no admin token configured "
                        + "(admin-token / HELIOGRAPH_ADMIN_TOKEN): admin calls are refused");
            }
            if (!MessageDigest.isEqual(given, adminToken)) {
                throw new HeliographException(ErrorCode.FORBIDDEN, "wrong admin token");
            }
            call.handle(req, res);
        });
    }

    private io.helidon.webserver.http.Handler handled(Call call) {
        return (req, res) -> {
            try {
                call.handle(req, res);
            } catch (HeliographException e) {
                countError.accept(e.code().code());
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("code", e.code().code());
                body.put("message", e.getMessage());
                res.status(Status.create(e.code().code())).header(HeaderValues.CONTENT_TYPE_JSON)
                        .send(Json.write(body));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "admin API failure", e);
                countError.accept(500);
                res.status(Status.INTERNAL_SERVER_ERROR_500).header(HeaderValues.CONTENT_TYPE_JSON)
                        .send(Json.write(Map.of("code", 500, "message", "internal error")));
            }
        };
    }

    private static void send(ServerResponse res, Status status, Object body) {
        res.status(status).header(HeaderValues.CONTENT_TYPE_JSON).send(Json.write(body));
    }
}
