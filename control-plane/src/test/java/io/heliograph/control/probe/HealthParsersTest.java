package io.heliograph.control.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The edge's Helidon health JSON, the bridge's /health and its lag metrics, as those processes write them. */
class HealthParsersTest {

    @Test
    void anEdgesReadinessDataIsRead() {
        String body = "{\"status\":\"UP\",\"checks\":[{\"name\":\"region\",\"status\":\"UP\",\"data\":{}},"
                + "{\"name\":\"edge\",\"status\":\"UP\",\"data\":{\"region\":\"eu-west\",\"node\":\"eu-west-1\","
                + "\"draining\":false,\"connections\":12,\"channels\":4,\"meshTableVersion\":7,\"cluster\":{}}}]}";
        EdgeProbe probe = HealthParsers.edge("eu-west-1", body);
        assertTrue(probe.serving());
        assertEquals(12, probe.connections());
        assertEquals(4, probe.channels());
        assertEquals(7, probe.meshTableVersion());
    }

    @Test
    void aDrainingEdgeAnsweredAndDoesNotServe() {
        String body = "{\"status\":\"DOWN\",\"checks\":[{\"name\":\"edge\",\"status\":\"DOWN\",\"data\":"
                + "{\"draining\":true,\"connections\":0,\"channels\":0}}]}";
        EdgeProbe probe = HealthParsers.edge("e", body);
        assertTrue(probe.reachable());
        assertFalse(probe.serving());
        assertFalse(probe.failing());
        assertEquals(-1, probe.meshTableVersion(), "an edge that does not say holds an unknown version");
    }

    @Test
    void somethingThatIsNotHealthJsonIsAFailedProbe() {
        assertTrue(HealthParsers.edge("e", "<html>proxy error</html>").failing());
        assertTrue(HealthParsers.bridge("b", "").error() != null);
    }

    @Test
    void aBridgesRoleAndLinksAreRead() {
        String body = "{\"status\":\"UP\",\"region\":\"eu-west\",\"replica\":\"eu-west-b1\",\"members\":3,"
                + "\"lease\":{\"name\":\"bridge.eu-west\",\"role\":\"holder\",\"epoch\":4},\"peers\":{"
                + "\"us-east\":{\"link\":\"BACKING_OFF\",\"circuit\":\"OPEN\",\"url\":\"https://a\","
                + "\"overflowed\":false,\"lastFailure\":\"UNAVAILABLE\"},"
                + "\"ap-south\":{\"link\":\"STREAMING\",\"circuit\":\"CLOSED\",\"url\":\"https://b\","
                + "\"overflowed\":null,\"lastFailure\":\"\"}}}";
        BridgeProbe probe = HealthParsers.bridge("eu-west-b1", body);
        assertTrue(probe.speaksForRegion());
        assertEquals(4, probe.leaseEpoch());
        assertTrue(probe.reportsLinkDown("us-east"));
        assertFalse(probe.reportsLinkDown("ap-south"));
        assertFalse(probe.reportsLinkDown("mars"), "a peer it does not link to says nothing");
    }

    @Test
    void lagComesFromTheBridgesMetrics() {
        String metrics = "# HELP heliograph_bridge_replication_lag_messages x\n"
                + "# TYPE heliograph_bridge_replication_lag_messages gauge\n"
                + "heliograph_bridge_replication_lag_messages{peer=\"us-east\"} 15\n"
                + "heliograph_bridge_replication_lag_ms{peer=\"us-east\"} 230\n"
                + "heliograph_bridge_replication_lag_messages{peer=\"ap-south\"} 0\n";
        Map<String, long[]> lag = HealthParsers.bridgeLag(metrics);
        assertEquals(15, lag.get("us-east")[0]);
        assertEquals(230, lag.get("us-east")[1]);
        assertEquals(-1, lag.get("ap-south")[1]);
    }
}
