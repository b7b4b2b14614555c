package io.heliograph.edge.config;

import java.nio.file.Files;
import java.nio.file.Path;
import io.heliograph.region.sequencing.HomeRule;
import io.heliograph.region.sequencing.RendezvousHomes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * Reads {@link EdgeConfig} from, highest priority first: command-line flags ({@code --key=value}, keys as in the
 * YAML, dotted), environment variables ({@code HELIOGRAPH_REGION}, see docs/configuration.md), the YAML file named
 * by {@code --config=path}, and the built-in defaults ({@code heliograph-edge.yaml} on the class path).
 */
public final class EdgeConfigLoader {

    private static final String ROOT = "heliograph";

    private EdgeConfigLoader() {
    }

    public static EdgeConfig load(String[] args, Map<String, String> env) {
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
            if (name.startsWith("HELIOGRAPH_")) {
                // HELIOGRAPH_HISTORY_MAX_MESSAGES -> heliograph.history.max-messages is ambiguous, so the
                // documented variables are mapped explicitly.
                String key = ENV_KEYS.get(name);
                if (key != null) {
                    fromEnv.put(ROOT + "." + key, value);
                }
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
        builder.addSource(ConfigSources.classpath("heliograph-edge.yaml"));
        return from(builder.build().get(ROOT));
    }

    /** Environment variables and the keys they set. */
    public static final Map<String, String> ENV_KEYS = Map.ofEntries(
            Map.entry("HELIOGRAPH_REGION", "region"),
            Map.entry("HELIOGRAPH_NODE_ID", "node-id"),
            Map.entry("HELIOGRAPH_HOST", "host"),
            Map.entry("HELIOGRAPH_PORT", "port"),
            Map.entry("HELIOGRAPH_WS_PORT", "ws-port"),
            Map.entry("HELIOGRAPH_PUBLIC_WS_URL", "public-ws-url"),
            Map.entry("HELIOGRAPH_JWT_SECRET", "jwt-secret"),
            Map.entry("HELIOGRAPH_ADMIN_TOKEN", "admin-token"),
            Map.entry("HELIOGRAPH_HAZELCAST_CLUSTER_NAME", "hazelcast.cluster-name"),
            Map.entry("HELIOGRAPH_HAZELCAST_PORT", "hazelcast.port"),
            Map.entry("HELIOGRAPH_HAZELCAST_MEMBERS", "hazelcast.members"),
            Map.entry("HELIOGRAPH_PEERS", "peers"),
            Map.entry("HELIOGRAPH_HOMES", "homes"),
            Map.entry("HELIOGRAPH_DURABILITY_DEFAULTS", "durability.defaults"));

    static EdgeConfig from(Config c) {
        String region = string(c, "region");
        requireMatch("region", region, "[a-z0-9-]{1,64}");
        int port = intIn(c, "port", 0, 65535);
        // WebSocket clients have a listener of their own; by default on the port after the HTTP API's.
        int wsPort = c.get("ws-port").exists() ? intIn(c, "ws-port", 0, 65535) : port == 0 ? 0 : port + 1;
        if (wsPort != 0 && wsPort == port) {
            throw new ConfigException("ws-port: must differ from port (" + port + ")");
        }
        if (wsPort > 65535) {
            throw new ConfigException("ws-port: port + 1 is not a port; set ws-port");
        }
        String nodeId = c.get("node-id").asString().orElse(region + "-" + port);
        requireMatch("node-id", nodeId, "[A-Za-z0-9_.-]{1,64}");
        String secret = c.get("jwt-secret").asString().orElse("");
        if (secret.length() < 16) {
            throw new ConfigException("jwt-secret: required, at least 16 characters (set HELIOGRAPH_JWT_SECRET)");
        }
        String adminToken = c.get("admin-token").asString().orElse("");
        if (!adminToken.isEmpty() && adminToken.length() < 16) {
            throw new ConfigException("admin-token: at least 16 characters when set (HELIOGRAPH_ADMIN_TOKEN); "
                    + "unset, the node refuses every admin call");
        }
        int hzPort = intIn(c, "hazelcast.port", 0, 65535);
        List<String> members = list(c, "hazelcast.members");
        var hazelcast = new EdgeConfig.HazelcastSettings(
                c.get("hazelcast.cluster-name").asString().orElse("heliograph-" + region),
                c.get("hazelcast.host").asString().orElse(string(c, "host")),
                hzPort, members);
        var limits = new EdgeConfig.Limits(
                intIn(c, "limits.max-message-bytes", 64, 16 * 1024 * 1024),
                intIn(c, "limits.max-frame-bytes", 1024, 64 * 1024 * 1024),
                doubleIn(c, "limits.rate-per-second", 1, 1_000_000),
                intIn(c, "limits.rate-burst", 1, 10_000_000),
                intIn(c, "limits.max-channels-per-connection", 1, 1_000_000),
                intIn(c, "limits.outbound-queue-frames", 16, 10_000_000),
                longIn(c, "limits.outbound-queue-bytes", 65_536, 64L * 1024 * 1024 * 1024),
                intIn(c, "limits.max-connections", 1, 10_000_000));
        if (limits.maxFrameBytes() < limits.maxMessageBytes()) {
            throw new ConfigException("limits.max-frame-bytes: must be >= limits.max-message-bytes");
        }
        var history = new EdgeConfig.HistorySettings(
                intIn(c, "history.max-messages", 1, 1_000_000),
                longIn(c, "history.max-age-ms", 1000, Long.MAX_VALUE / 4));
        return new EdgeConfig(region, nodeId, string(c, "host"), port, wsPort,
                c.get("public-ws-url").asString().orElse(null), secret, adminToken, hazelcast, limits, history,
                longIn(c, "presence-timeout-ms", 1000, 3_600_000),
                longIn(c, "dedup-window-ms", 1000, 86_400_000),
                longIn(c, "heartbeat-ms", 100, 3_600_000),
                longIn(c, "shutdown-grace-ms", 0, 600_000),
                intIn(c, "warmup-iterations", 0, 10_000_000),
                intIn(c, "warmup-connections", 0, 100_000),
                replication(c, region),
                longIn(c, "pause-fence-ms", 0, 3_600_000));
    }

    private static EdgeConfig.Replication replication(Config c, String region) {
        List<String> peers = list(c, "peers");
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String peer : peers) {
            requireMatch("peers", peer, "[a-z0-9-]{1,64}");
            if (peer.equals(region)) {
                throw new ConfigException("peers: lists this node's own region " + region);
            }
            if (!seen.add(peer)) {
                throw new ConfigException("peers: lists " + peer + " twice");
            }
        }
        List<HomeRule> homes = new ArrayList<>();
        for (String rule : list(c, "homes")) {
            try {
                homes.add(HomeRule.parse(rule));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("homes: " + e.getMessage());
            }
        }
        List<DurabilityRules.Rule> durabilityRules = new ArrayList<>();
        for (String rule : list(c, "durability.defaults")) {
            try {
                durabilityRules.add(DurabilityRules.Rule.parse(rule));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("durability.defaults: " + e.getMessage());
            }
        }
        DurabilityRules defaults = new DurabilityRules(durabilityRules);
        if (peers.isEmpty() && defaults.asks(io.heliograph.protocol.Durability.GLOBAL)) {
            throw new ConfigException("durability.defaults: a rule asks for global, which needs peers (a region of "
                    + "its own can give region durability only)");
        }
        var replication = new EdgeConfig.Replication(peers, c.get("durability.global-timeout-ms").exists()
                ? longIn(c, "durability.global-timeout-ms", 100, 600_000) : 5_000, homes, defaults);
        try {
            new RendezvousHomes(replication.regions(region), homes);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("homes: " + e.getMessage() + " (this region and its peers)");
        }
        return replication;
    }

    private static String string(Config c, String key) {
        return c.get(key).asString().orElseThrow(() -> new ConfigException(key + ": required"));
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
        List<String> out = new ArrayList<>();
        Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
        return out;
    }

    private static void requireMatch(String key, String value, String regex) {
        if (!value.matches(regex)) {
            throw new ConfigException(key + ": '" + value + "' must match " + regex);
        }
    }

    private static int intIn(Config c, String key, int min, int max) {
        long v = longIn(c, key, min, max);
        return (int) v;
    }

    private static long longIn(Config c, String key, long min, long max) {
        String raw = string(c, key);
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

    private static double doubleIn(Config c, String key, double min, double max) {
        String raw = string(c, key);
        double v;
        try {
            v = Double.parseDouble(raw.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": '" + raw + "' is not a number");
        }
        if (!(v >= min && v <= max)) {
            throw new ConfigException(key + ": " + v + " is outside " + min + ".." + max);
        }
        return v;
    }
}
