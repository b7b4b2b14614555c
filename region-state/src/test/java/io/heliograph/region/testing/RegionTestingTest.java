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
            int port = RegionTesting.freePort();
            assertTrue(seen.add(port), "port handed out twice");
            assertTrue(port >= RegionTesting.FIRST_PORT && port < RegionTesting.END_PORT,
                    "outside the kernel's ephemeral range: " + port);
        }
    }
}
