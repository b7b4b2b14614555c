package io.heliograph.edge.observe;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.json.JsonArray;
import io.helidon.json.JsonBoolean;
import io.helidon.json.JsonNull;
import io.helidon.json.JsonNumber;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonString;
import io.helidon.json.JsonValue;
import io.helidon.webserver.observe.health.HealthObserver;

/**
 * The node's health checks for Helidon's health observer at {@code GET /health}: liveness is "the region member
 * runs", readiness adds "not draining", so a load balancer stops sending clients to a node that is shutting down
 * while the orchestrator does not restart it.
 */
public final class EdgeHealth {

    /** Name of the readiness check; its {@code data} holds what the bench and the process tests read. */
    public static final String READINESS_CHECK = "edge";
    /** Name of the liveness check. */
    public static final String LIVENESS_CHECK = "region";

    private final String region;
    private final String nodeId;
    private final Supplier<Map<String, Object>> cluster;
    private final BooleanSupplier draining;
    private final LongSupplier connections;
    private final LongSupplier channels;
    private final LongSupplier meshTableVersion;
    private final Supplier<String> meshTableConfirm;

    /**
     * @param cluster     the region fabric's description; its {@code running} entry says whether the member runs
     * @param draining    true once a graceful shutdown has begun
     * @param connections open client connections on this node
     * @param channels    channels with subscribers on this node
     */
    public EdgeHealth(String region, String nodeId, Supplier<Map<String, Object>> cluster, BooleanSupplier draining,
                      LongSupplier connections, LongSupplier channels) {
        this(region, nodeId, cluster, draining, connections, channels, () -> 0, () -> null);
    }

    /**
     * @param meshTableVersion the version of the mesh table the region holds (0: none yet)
     * @param meshTableConfirm the nonce this node waits for the control plane to confirm its table with, after a
     *                         pause; null when it waits for none
     */
    public EdgeHealth(String region, String nodeId, Supplier<Map<String, Object>> cluster, BooleanSupplier draining,
                      LongSupplier connections, LongSupplier channels, LongSupplier meshTableVersion,
                      Supplier<String> meshTableConfirm) {
        this.meshTableVersion = meshTableVersion;
        this.meshTableConfirm = meshTableConfirm;
        this.region = region;
        this.nodeId = nodeId;
        this.cluster = cluster;
        this.draining = draining;
        this.connections = connections;
        this.channels = channels;
    }

    /** Helidon's health observer at {@code <observe endpoint>/health}, with details, and only these checks. */
    public HealthObserver observer() {
        return HealthObserver.builder()
                .endpoint("health")
                .details(true)
                .useSystemServices(false)
                .addCheck(this::liveness, HealthCheckType.LIVENESS, LIVENESS_CHECK)
                .addCheck(this::readiness, HealthCheckType.READINESS, READINESS_CHECK)
                .build();
    }

    HealthCheckResponse liveness() {
        Map<String, Object> description = cluster.get();
        return HealthCheckResponse.builder()
                .status(running(description))
                .detail("engine", String.valueOf(description.get("engine")))
                .build();
    }

    HealthCheckResponse readiness() {
        Map<String, Object> description = cluster.get();
        boolean isDraining = draining.getAsBoolean();
        HealthCheckResponse.Builder builder = HealthCheckResponse.builder();
        String confirm = meshTableConfirm.get();
        if (confirm != null) {
            builder.detail("meshTableConfirm", confirm);
        }
        return builder
                .status(running(description) && !isDraining)
                .detail("region", region)
                .detail("node", nodeId)
                .detail("draining", isDraining)
                .detail("connections", connections.getAsLong())
                .detail("channels", channels.getAsLong())
                .detail("meshTableVersion", meshTableVersion.getAsLong())
                .detail("cluster", toJson(description))
                .build();
    }

    private static boolean running(Map<String, Object> description) {
        return Boolean.TRUE.equals(description.get("running"));
    }

    /** Helidon's health writer turns a nested {@code Map} into its {@code toString()}; a JSON value stays JSON. */
    static JsonValue toJson(Object value) {
        return switch (value) {
            case null -> JsonNull.instance();
            case JsonValue json -> json;
            case Map<?, ?> map -> {
                JsonObject.Builder object = JsonObject.builder();
                map.forEach((k, v) -> object.set(String.valueOf(k), toJson(v)));
                yield object.build();
            }
            case Collection<?> items -> {
                List<JsonValue> values = new ArrayList<>(items.size());
                items.forEach(item -> values.add(toJson(item)));
                yield JsonArray.create(values);
            }
            case Boolean b -> JsonBoolean.create(b);
            case Integer i -> JsonNumber.create(i.longValue());
            case Long l -> JsonNumber.create(l);
            case Number n -> JsonNumber.create(n.doubleValue());
            default -> JsonString.create(String.valueOf(value));
        };
    }
}
