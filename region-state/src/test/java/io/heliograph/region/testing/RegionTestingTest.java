package io.heliograph.region.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class RegionTestingTest {

    @Test
    void freePortsAreNeverHandedOutTwice() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            assertTrue(seen.add(RegionTesting.freePort()), "port handed out twice");
        }
    }
}
