package io.heliograph.control.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * Reads {@link ControlConfig} like an edge node reads its own, highest priority first: flags {@code --key=value}
 * (dotted keys as in the YAML), the environment variables of {@link #ENV_KEYS}, the YAML file named by
 * {@code --config=path} (keys under {@code heliograph:}), and the defaults written here. The regions (edges,
 * bridges, preference) normally come from the file.
 */
public final class ControlConfigLoader {

    private static final String ROOT = "heliograph";
    private static final String NAME = "[a-z0-9-]{1,64}";
    private static final String ID = "[A-Za-z0-9_.-]{1,64}";

    /** Environment variables and the keys they set. */
    public static final Map<String, String> ENV_KEYS = Map.ofEntries(
            Map.entry("HELIOGRAPH_CONTROL_REPLICA_ID", "replica-id"),
            Map.entry("HELIOGRAPH_CONTROL_HOST", "host"),
            Map.entry("HELIOGRAPH_CONTROL_PORT", "port"),
            Map.entry("HELIOGRAPH_CONTROL_PUBLIC_URL", "public-url"),
            Map.entry("HELIOGRAPH_ADMIN_TOKEN", "admin-token"),
            Map.entry("HELIOGRAPH_JWT_SECRET", "jwt-secret"),
            Map.entry("HELIOGRAPH_CONTROL_HAZELCAST_PORT", "hazelcast.port"),
            Map.entry("HELIOGRAPH_CONTROL_HAZELCAST_MEMBERS", "hazelcast.members"),
            Map.entry("HELIOGRAPH_CONTROL_AUDIT_LOG", "audit-log"));

    private ControlConfigLoader() {
    }

    public static ControlConfig load(String[] args, Map<String, String> env) {
        Map<String, String> flags = new LinkedHashMap<>();
        String file = null;
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new ConfigException("arguments must look like --key=value, got '" + arg + "'");
            }
            String key = arg.substring(2, arg.indexOf('='));
            String value = arg.substring(arg.indexOf('=') + 1);
            if (key.equals("config")) {
                file = value;
            } else {
                flags.put(ROOT + "." + key, value);
            }
        }
        Map<String, String> fromEnv = new LinkedHashMap<>();
        env.forEach((name, value) -> {
            String key = ENV_KEYS.get(name);
            if (key != null && !value.isEmpty()) {
                fromEnv.put(ROOT + "." + key, value);
            }
        });
        var builder = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(flags))
                .addSource(ConfigSources.create(fromEnv));
        if (file != null) {
            if (!Files.isReadable(Path.of(file))) {
                throw new ConfigException("--config: cannot read " + file);
            }
            builder.addSource(ConfigSources.file(file));
        }
        return from(builder.build().get(ROOT));
    }

    static ControlConfig from(Config c) {
        String host = c.get("host").asString().orElse("127.0.0.1");
        int port = (int) longIn(c, "port", 7070, 0, 65535);
        String replicaId = c.get("replica-id").asString().orElse("cp-" + port);
        requireMatch("replica-id", replicaId, ID);
        String publicUrl = c.get("public-url").asString().orElse(null);
        if (publicUrl != null) {
            httpUrl("public-url", publicUrl);
        }
        String adminToken = c.get("admin-token").asString().orElse(null);
        if (adminToken != null && adminToken.length() < 16) {
            throw new ConfigException("admin-token: at least 16 characters (set HELIOGRAPH_ADMIN_TOKEN)");
        }
        List<ControlConfig.RegionSpec> regions = regions(c.get("regions"));
        long intervalMs = longIn(c, "probe.interval-ms", 1000, 10, 600_000);
        long timeoutMs = longIn(c, "probe.timeout-ms", Math.min(500, intervalMs), 10, 600_000);
        var probe = new ControlConfig.Probe(intervalMs, timeoutMs, bool(c, "probe.metrics", true));
        var failover = new ControlConfig.Failover(longIn(c, "failover.down-after-ms", 3000, 0, 86_400_000),
                bool(c, "failover.auto", true), bool(c, "failback", false));
        String header = c.get("route.header").asString().orElse("X-Client-Region");
        requireMatch("route.header", header, "[A-Za-z0-9-]{1,128}");
        String defaultRegion = c.get("route.default-region").asString().orElse(regions.getFirst().name());
        if (regions.stream().noneMatch(r -> r.name().equals(defaultRegion))) {
            throw new ConfigException("route.default-region: '" + defaultRegion + "' is not a configured region "
                    + regions.stream().map(ControlConfig.RegionSpec::name).toList());
        }
        int hzPort = (int) longIn(c, "hazelcast.port", 5901, 0, 65535);
        var hazelcast = new ControlConfig.Hazelcast(c.get("hazelcast.cluster-name").asString().orElse("hg-control"),
                c.get("hazelcast.host").asString().orElse(host), hzPort, list(c, "hazelcast.members"));
        long leaseTtlMs = longIn(c, "lease.ttl-ms", 3000, 300, 600_000);
        Path auditLog = Path.of(c.get("audit-log").asString().orElse("heliograph-control-audit.jsonl"));
        return new ControlConfig(replicaId, host, port, publicUrl, adminToken, regions, probe, failover,
                new ControlConfig.Route(header, defaultRegion), hazelcast, leaseTtlMs, auditLog);
    }

    private static List<ControlConfig.RegionSpec> regions(Config node) {
        if (!node.exists() || node.asNodeList().orElse(List.of()).isEmpty()) {
            throw new ConfigException("regions: required, at least one region with its edges");
        }
        // A list, not a map: Helidon does not keep the order of a YAML map's keys, and the order is the default
        // preference and the default region.
        if (!node.isList()) {
            throw new ConfigException("regions: must be a list of regions, each with name, edges, bridges and "
                    + "preference");
        }
        List<Config> children = node.asNodeList().get();
        List<String> names = new ArrayList<>();
        for (Config region : children) {
            String name = required(region, "name", "regions." + region.name());
            requireMatch("regions." + region.name() + ".name", name, NAME);
            if (names.contains(name)) {
                throw new ConfigException("regions." + region.name() + ".name: '" + name + "' is used twice");
            }
            names.add(name);
        }
        Set<String> ids = new HashSet<>();
        List<ControlConfig.RegionSpec> regions = new ArrayList<>();
        for (Config region : children) {
            String name = region.get("name").asString().get();
            String prefix = "regions." + name + ".";
            List<ControlConfig.EdgeSpec> edges = new ArrayList<>();
            for (Config edge : region.get("edges").asNodeList().orElse(List.of())) {
                String key = prefix + "edges." + edge.name();
                String id = required(edge, "id", key);
                requireMatch(key + ".id", id, ID);
                if (!ids.add(id)) {
                    throw new ConfigException(key + ".id: '" + id + "' is used twice");
                }
                String http = required(edge, "http", key);
                httpUrl(key + ".http", http);
                String ws = required(edge, "ws", key);
                if (!ws.startsWith("ws://") && !ws.startsWith("wss://")) {
                    throw new ConfigException(key + ".ws: '" + ws + "' must be a ws:// or wss:// URL");
                }
                edges.add(new ControlConfig.EdgeSpec(id, trimSlash(http), ws));
            }
            if (edges.isEmpty()) {
                throw new ConfigException(prefix + "edges: required, at least one edge (id, http, ws)");
            }
            List<ControlConfig.BridgeSpec> bridges = new ArrayList<>();
            for (Config bridge : region.get("bridges").asNodeList().orElse(List.of())) {
                String key = prefix + "bridges." + bridge.name();
                String id = required(bridge, "id", key);
                requireMatch(key + ".id", id, ID);
                if (!ids.add(id)) {
                    throw new ConfigException(key + ".id: '" + id + "' is used twice");
                }
                String http = required(bridge, "http", key);
                httpUrl(key + ".http", http);
                bridges.add(new ControlConfig.BridgeSpec(id, trimSlash(http)));
            }
            List<String> preference = list(region, "preference");
            if (!region.get("preference").exists()) {
                preference = names.stream().filter(n -> !n.equals(name)).toList();
            }
            Set<String> seen = new HashSet<>();
            for (String other : preference) {
                if (other.equals(name)) {
                    throw new ConfigException(prefix + "preference: lists the region itself");
                }
                if (!names.contains(other)) {
                    throw new ConfigException(prefix + "preference: '" + other + "' is not a configured region "
                            + names);
                }
                if (!seen.add(other)) {
                    throw new ConfigException(prefix + "preference: lists " + other + " twice");
                }
            }
            regions.add(new ControlConfig.RegionSpec(name, edges, bridges, preference));
        }
        return regions;
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String required(Config node, String child, String key) {
        return node.get(child).asString()
                .orElseThrow(() -> new ConfigException(key + "." + child + ": required"));
    }

    private static void httpUrl(String key, String value) {
        try {
            URI uri = URI.create(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new ConfigException(key + ": '" + value + "' must be an http:// or https:// URL");
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": '" + value + "' is not a URL");
        }
    }

    private static List<String> list(Config c, String key) {
        Config node = c.get(key);
        if (!node.exists()) {
            return List.of();
        }
        if (node.isList()) {
            return node.asList(String.class).get();
        }
        String value = node.asString().orElse("");
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static boolean bool(Config c, String key, boolean fallback) {
        String raw = c.get(key).asString().orElse(Boolean.toString(fallback)).trim();
        return switch (raw) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key + ": '" + raw + "' must be true or false");
        };
    }

    private static void requireMatch(String key, String value, String regex) {
        if (!value.matches(regex)) {
            throw new ConfigException(key + ": '" + value + "' must match " + regex);
        }
    }

    private static long longIn(Config c, String key, long fallback, long min, long max) {
        String raw = c.get(key).asString().orElse(Long.toString(fallback));
        long v;
        try {
            v = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": '" + raw + "' is not an integer");
        }
        if (v < min || v > max) {
            throw new ConfigException(key + ": " + v + " is outside " + min + ".." + max);
        }
        return v;
    }
}
