package io.heliograph.edge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.config.ConfigException;
import io.heliograph.edge.config.DurabilityRules;
import io.heliograph.edge.config.EdgeConfigLoader;
import io.heliograph.edge.observe.EdgeMetrics;
import io.heliograph.protocol.Durability;
import io.heliograph.protocol.auth.Capabilities;
import io.heliograph.protocol.auth.TokenClaims;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.channel.HistoryLimits;
import io.heliograph.region.channel.InMemoryChannelLog;
import io.heliograph.region.fabric.FanOut;
import io.heliograph.region.fabric.LocalFabric;
import io.heliograph.region.presence.InMemoryPresenceRegistry;
import io.heliograph.region.presence.PresenceReplication;
import io.heliograph.region.sequencing.Commitment;
import io.heliograph.region.sequencing.Forwarder;
import io.heliograph.region.sequencing.HomeTable;
import io.heliograph.region.sequencing.Sequencer;

/** A publish that names no durability gets the first matching {@code durability.defaults} rule's, else the region's. */
class DurabilityDefaultsTest {

    private static final String SECRET = "test-secret-0123456789abcdef";
    private final EdgeMetrics metrics = new EdgeMetrics("durability-" + System.nanoTime());

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void aRuleDecidesTheDefaultOfItsChannelsAndAPublisherStillDecidesForItself() {
        List<String> asked = new ArrayList<>();
        Commitment recording = new Commitment() {
            @Override
            public void awaitDurable(String channel, AppendResult result, Durability durability) {
                asked.add(channel + "=" + durability.wireName());
            }

            @Override
            public Durability byDefault() {
                return Durability.GLOBAL;
            }

            @Override
            public boolean offers(Durability durability) {
                return true;
            }
        };
        var log = new InMemoryChannelLog(new HistoryLimits(100, 3_600_000, 120_000), System::currentTimeMillis);
        var fabric = new LocalFabric();
        var rules = new DurabilityRules(List.of(DurabilityRules.Rule.parse("metrics:*=region")));
        EdgeOperations operations = new EdgeOperations(log, new Sequencer("us-east",
                HomeTable.everyChannelIn("us-east"), log, Forwarder.NONE, () -> { }), recording,
                new InMemoryPresenceRegistry(), PresenceReplication.NONE, rules, fabric, new FanOut(fabric, null),
                metrics, "us-east", 65536, System::currentTimeMillis);
        TokenClaims claims = new TokenClaims("alice", Instant.MAX, Capabilities.all());

        assertEquals(Durability.REGION, operations.publish(claims, "metrics:cpu", null, "1", null, null).durability());
        assertEquals(Durability.GLOBAL, operations.publish(claims, "orders", null, "1", null, null).durability());
        assertEquals(Durability.GLOBAL,
                operations.publish(claims, "metrics:mem", null, "1", null, Durability.GLOBAL).durability());
        assertEquals(List.of("metrics:cpu=region", "orders=global", "metrics:mem=global"), asked);
    }

    @Test
    void rulesAreCheckedAtStart() {
        var config = EdgeConfigLoader.load(new String[] {"--region=us-east", "--peers=eu-west",
                "--durability.defaults=metrics:*=region, audit:*=global"}, Map.of("HELIOGRAPH_JWT_SECRET", SECRET));
        assertEquals(Durability.REGION, config.replication().durabilityDefaults().forChannel("metrics:x", null));
        assertEquals(Durability.GLOBAL, config.replication().durabilityDefaults().forChannel("audit:x", null));
        ConfigException noPeers = assertThrows(ConfigException.class, () -> EdgeConfigLoader.load(new String[] {
                "--durability.defaults=audit:*=global"}, Map.of("HELIOGRAPH_JWT_SECRET", SECRET)));
        assertTrue(noPeers.getMessage().startsWith("durability.defaults:"), noPeers.getMessage());
        ConfigException bad = assertThrows(ConfigException.class, () -> EdgeConfigLoader.load(new String[] {
                "--durability.defaults=x*=forever"}, Map.of("HELIOGRAPH_JWT_SECRET", SECRET)));
        assertTrue(bad.getMessage().contains("forever"), bad.getMessage());
    }
}
