package io.heliograph.bridge.process;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.heliograph.bridge.BridgeConfigException;
import io.heliograph.bridge.LinkSettings;
import io.heliograph.bridge.link.LinkTiming;
import io.heliograph.bridge.outbound.OutboundLimits;
import io.heliograph.bridge.tls.BridgeTlsFiles;
import io.heliograph.region.channel.HistoryLimits;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@link BridgeConfig} the way the edge node reads its own, highest priority first: command-line flags
 * ({@code --key=value}, keys as in the YAML, dotted), the documented {@code HELIOGRAPH_*} environment variables
 * ({@link #ENV_KEYS}), the YAML file named by {@code --config=path}, and the defaults written here. Every value is
 * checked at once; the first bad one stops start-up with a {@link BridgeConfigException} whose message begins with
 * its key.
 */
public final class BridgeConfigLoader {

    private static final String ROOT = "heliograph";
    private static final String NAME = "[a-z0-9-]{1,64}";

    /** Environment variables and the keys they set (mapped explicitly: the dashes of a key are ambiguous). */
    public static final Map<String, String> ENV_KEYS = Map.ofEntries(
            Map.entry("HELIOGRAPH_REGION", "region"),
            Map.entry("HELIOGRAPH_BRIDGE_REPLICA_ID", "replica-id"),
            Map.entry("HELIOGRAPH_BRIDGE_HOST", "host"),
            Map.entry("HELIOGRAPH_BRIDGE_PORT", "port"),
            Map.entry("HELIOGRAPH_BRIDGE_PEERS", "peers"),
            Map.entry("HELIOGRAPH_BRIDGE_TLS_CERT_CHAIN", "tls.cert-chain"),
            Map.entry("HELIOGRAPH_BRIDGE_TLS_PRIVATE_KEY", "tls.private-key"),
            Map.entry("HELIOGRAPH_BRIDGE_TLS_TRUSTED_CA", "tls.trusted-ca"),
            Map.entry("HELIOGRAPH_BRIDGE_INSECURE", "insecure"),
            Map.entry("HELIOGRAPH_HAZELCAST_CLUSTER_NAME", "hazelcast.cluster-name"),
            Map.entry("HELIOGRAPH_HAZELCAST_HOST", "hazelcast.host"),
            Map.entry("HELIOGRAPH_HAZELCAST_PORT", "hazelcast.port"),
            Map.entry("HELIOGRAPH_HAZELCAST_MEMBERS", "hazelcast.members"),
            Map.entry("HELIOGRAPH_BRIDGE_LEASE_TTL_MS", "lease.ttl-ms"),
            Map.entry("HELIOGRAPH_BRIDGE_HTTP_HOST", "http.host"),
            Map.entry("HELIOGRAPH_BRIDGE_HTTP_PORT", "http.port"));

    private BridgeConfigLoader() {
    }

    /** @throws BridgeConfigException naming the first key whose value cannot be used */
    public static BridgeConfig load(String[] args, Map<String, String> env) {
        Map<String, String> flags = new LinkedHashMap<>();
        String file = null;
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new BridgeConfigException("arguments must look like --key=value, got '" + arg + "'");
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
            if (key != null) {
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
                throw new BridgeConfigException("config: cannot read " + file);
            }
            builder.addSource(ConfigSources.file(file));
        }
        return from(builder.build().get(ROOT));
    }

    static BridgeConfig from(Config c) {
        String region = required(c, "region");
        match("region", region, NAME);
        String host = c.get("host").asString().orElse("127.0.0.1");
        int port = (int) longIn(c, "port", 9443, 0, 65535);
        String replicaId = c.get("replica-id").asString().orElse(region + "-bridge-" + port);
        match("replica-id", replicaId, "[A-Za-z0-9_.-]{1,64}");
        boolean insecure = bool(c, "insecure");
        BridgeTlsFiles tls = tls(c, insecure);
        Map<String, List<BridgeConfig.PeerAddress>> peers = peers(c, region, tls != null);

        String hzHost = c.get("hazelcast.host").asString().orElse(host);
        int hzPort = (int) longIn(c, "hazelcast.port", 5801, 0, 65535);
        List<String> members = list(c.get("hazelcast.members"));
        if (members.isEmpty()) {
            // A lite member owns no partitions: alone it could store nothing, so it must join the region's members.
            throw new BridgeConfigException("hazelcast.members: required: host:port of at least one member of the"
                    + " region (an edge node); a bridge is a lite member and holds no data itself");
        }
        for (String member : members) {
            match("hazelcast.members", member, "[A-Za-z0-9_.-]+:[0-9]{1,5}");
        }
        var hazelcast = new BridgeConfig.Hazelcast(
                c.get("hazelcast.cluster-name").asString().orElse("heliograph-" + region), hzHost, hzPort, members);

        var history = new HistoryLimits((int) longIn(c, "history.max-messages", 1000, 1, 1_000_000),
                longIn(c, "history.max-age-ms", 3_600_000, 1000, Long.MAX_VALUE / 4),
                longIn(c, "dedup-window-ms", 120_000, 1000, 86_400_000));
        long leaseTtlMs = longIn(c, "lease.ttl-ms", 3_000, 300, 600_000);
        OutboundLimits outbound;
        try {
            outbound = new OutboundLimits(
                    (int) longIn(c, "outbound.max-entries", OutboundLimits.DEFAULTS.maxEntries(), 1, 100_000_000),
                    longIn(c, "outbound.max-bytes", OutboundLimits.DEFAULTS.maxBytes(), 1024, 1L << 40),
                    longIn(c, "outbound.max-age-ms", OutboundLimits.DEFAULTS.maxAgeMs(), 1000, Long.MAX_VALUE / 4));
        } catch (IllegalArgumentException e) {
            throw new BridgeConfigException("outbound: " + e.getMessage(), e);
        }
        LinkTiming d = LinkTiming.defaults();
        // LinkTiming checks its own ranges and names the link.* key itself.
        LinkTiming timing = new LinkTiming(
                longIn(c, "link.heartbeat-ms", d.heartbeatMs(), 1, 600_000),
                longIn(c, "link.silence-timeout-ms", d.silenceTimeoutMs(), 1, 3_600_000),
                (int) longIn(c, "link.ack-every-entries", d.ackEveryEntries(), 1, 1_000_000),
                longIn(c, "link.ack-delay-ms", d.ackDelayMs(), 0, 600_000),
                (int) longIn(c, "link.max-in-flight", d.maxInFlight(), 1, 10_000_000),
                (int) longIn(c, "link.read-batch", d.readBatch(), 1, 100_000),
                longIn(c, "link.idle-poll-ms", d.idlePollMs(), 1, 60_000),
                longIn(c, "link.backoff-initial-ms", d.backoffInitialMs(), 1, 600_000),
                longIn(c, "link.backoff-max-ms", d.backoffMaxMs(), 1, 3_600_000),
                longIn(c, "link.stable-session-ms", d.stableSessionMs(), 1, 3_600_000),
                longIn(c, "link.breaker-open-ms", d.breakerOpenMs(), 1, 3_600_000),
                (int) longIn(c, "link.backfill-page-limit", d.backfillPageLimit(), 1, 100_000),
                (int) longIn(c, "link.backfill-max-pages", d.backfillMaxPages(), 1, 1_000_000),
                longIn(c, "link.reorder-wait-ms", d.reorderWaitMs(), 1, 60_000));
        LinkSettings defaults = LinkSettings.defaults();
        LinkSettings settings = LinkSettings.builder()
                .keepAliveTime(Duration.ofMillis(longIn(c, "grpc.keep-alive-time-ms",
                        defaults.keepAliveTime().toMillis(), 1, 3_600_000)))
                .keepAliveTimeout(Duration.ofMillis(longIn(c, "grpc.keep-alive-timeout-ms",
                        defaults.keepAliveTimeout().toMillis(), 1, 600_000)))
                .permitKeepAliveTime(Duration.ofMillis(longIn(c, "grpc.permit-keep-alive-time-ms",
                        defaults.permitKeepAliveTime().toMillis(), 1, 3_600_000)))
                .unaryDeadline(Duration.ofMillis(longIn(c, "grpc.unary-deadline-ms",
                        defaults.unaryDeadline().toMillis(), 1, 600_000)))
                .handshakeTimeout(Duration.ofMillis(longIn(c, "grpc.handshake-timeout-ms",
                        defaults.handshakeTimeout().toMillis(), 1, 600_000)))
                .maxInboundMessageBytes((int) longIn(c, "grpc.max-inbound-message-bytes",
                        defaults.maxInboundMessageBytes(), 65_536, 256L * 1024 * 1024))
                .shutdownGrace(Duration.ofMillis(longIn(c, "shutdown-grace-ms", 5_000, 0, 600_000)))
                .build();
        String httpHost = c.get("http.host").asString().orElse(host);
        int httpPort = (int) longIn(c, "http.port", 9490, 0, 65535);
        if (httpPort != 0 && httpPort == port && httpHost.equals(host)) {
            throw new BridgeConfigException("http.port: must differ from port (" + port + ")");
        }
        return new BridgeConfig(region, replicaId, host, port, peers, tls, insecure, hazelcast, history, leaseTtlMs,
                outbound, timing, settings, httpHost, httpPort,
                longIn(c, "presence.peer-timeout-ms", 15_000, 1_000, 3_600_000));
    }

    private static BridgeTlsFiles tls(Config c, boolean insecure) {
        List<String> keys = List.of("tls.cert-chain", "tls.private-key", "tls.trusted-ca");
        List<String> given = keys.stream().filter(k -> c.get(k).exists()).toList();
        if (insecure) {
            if (!given.isEmpty()) {
                throw new BridgeConfigException("insecure: true together with " + given + "; choose TLS or insecure");
            }
            return null;
        }
        for (String key : keys) {
            if (!given.contains(key)) {
                throw new BridgeConfigException(key + ": required (or insecure=true for plaintext, tests and local"
                        + " meshes only)");
            }
        }
        // Whether the files exist and hold what they should is checked when they are read (BridgeTls), naming them.
        return new BridgeTlsFiles(Path.of(required(c, "tls.cert-chain")), Path.of(required(c, "tls.private-key")),
                Path.of(required(c, "tls.trusted-ca")));
    }

    /**
     * {@code peers} is either an object ({@code peers.eu-west: [url, url]}, or {@code --peers.eu-west=url,url}) or
     * one string {@code eu-west=url,url;ap-south=url} (the form of {@code HELIOGRAPH_BRIDGE_PEERS}).
     */
    private static Map<String, List<BridgeConfig.PeerAddress>> peers(Config c, String region, boolean tls) {
        Config node = c.get("peers");
        Map<String, List<String>> raw = new LinkedHashMap<>();
        if (!node.exists()) {
            throw new BridgeConfigException("peers: required: each peer region and its bridge URLs, e.g."
                    + " peers.eu-west=https://10.0.1.5:9443,https://10.0.1.6:9443");
        }
        if (node.type() == Config.Type.OBJECT) {
            for (Config peer : node.asNodeList().get()) {
                raw.put(peer.name(), list(peer));
            }
        } else {
            for (String entry : node.asString().orElse("").split(";")) {
                if (entry.isBlank()) {
                    continue;
                }
                int eq = entry.indexOf('=');
                if (eq < 0) {
                    throw new BridgeConfigException("peers: '" + entry.trim() + "' must look like region=url[,url]");
                }
                raw.put(entry.substring(0, eq).trim(), splitList(entry.substring(eq + 1)));
            }
        }
        if (raw.isEmpty()) {
            throw new BridgeConfigException("peers: at least one peer region is required");
        }
        Map<String, List<BridgeConfig.PeerAddress>> peers = new LinkedHashMap<>();
        raw.forEach((peer, urls) -> {
            String key = "peers." + peer;
            match(key, peer, NAME);
            if (peer.equals(region)) {
                throw new BridgeConfigException(key + ": a region is not its own peer");
            }
            if (urls.isEmpty()) {
                throw new BridgeConfigException(key + ": at least one bridge URL is required");
            }
            List<BridgeConfig.PeerAddress> addresses = new ArrayList<>();
            for (String url : urls) {
                addresses.add(address(key, url, tls));
            }
            peers.put(peer, List.copyOf(addresses));
        });
        return peers;
    }

    private static BridgeConfig.PeerAddress address(String key, String url, boolean tls) {
        String rest = url;
        if (url.startsWith("https://") || url.startsWith("http://")) {
            boolean secure = url.startsWith("https://");
            if (secure != tls) {
                throw new BridgeConfigException(key + ": '" + url + "' is " + (secure ? "TLS" : "plaintext")
                        + " but this bridge is configured " + (tls ? "with TLS (use https://)"
                        : "insecure (use http://)"));
            }
            rest = url.substring(url.indexOf("://") + 3);
        }
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        int colon = rest.lastIndexOf(':');
        if (colon <= 0 || !rest.substring(colon + 1).matches("[0-9]{1,5}")) {
            throw new BridgeConfigException(key + ": '" + url + "' must be https://host:port (http:// when insecure)");
        }
        int port = Integer.parseInt(rest.substring(colon + 1));
        if (port < 1 || port > 65535) {
            throw new BridgeConfigException(key + ": '" + url + "': port must be 1..65535");
        }
        return new BridgeConfig.PeerAddress(rest.substring(0, colon), port, tls);
    }

    private static String required(Config c, String key) {
        return c.get(key).asString().filter(s -> !s.isBlank())
                .orElseThrow(() -> new BridgeConfigException(key + ": required"));
    }

    private static boolean bool(Config c, String key) {
        String raw = c.get(key).asString().orElse("false").trim();
        return switch (raw) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new BridgeConfigException(key + ": '" + raw + "' must be true or false");
        };
    }

    private static List<String> list(Config node) {
        if (!node.exists()) {
            return List.of();
        }
        if (node.isList()) {
            return node.asList(String.class).get().stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        return splitList(node.asString().orElse(""));
    }

    private static List<String> splitList(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static void match(String key, String value, String regex) {
        if (!value.matches(regex)) {
            throw new BridgeConfigException(key + ": '" + value + "' must match " + regex);
        }
    }

    private static long longIn(Config c, String key, long defaultValue, long min, long max) {
        Config node = c.get(key);
        if (!node.exists()) {
            return defaultValue;
        }
        String raw = node.asString().orElse("");
        long v;
        try {
            v = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new BridgeConfigException(key + ": '" + raw + "' is not an integer");
        }
        if (v < min || v > max) {
            throw new BridgeConfigException(key + ": " + v + " is outside " + min + ".." + max);
        }
        return v;
    }
}
