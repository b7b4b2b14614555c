package io.heliograph.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcStatsTest {

    @Test
    void cpuTicksAddUserAndSystemTimeEvenWhenTheCommandNameHoldsSpacesAndParentheses() {
        String stat = "4242 (java (edge) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 56 0 0 20 0 40 0 100 "
                + "5000000 12000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";

        assertEquals(1234 + 56, ProcStats.parseCpuTicks(stat));
    }

    @Test
    void readsKibFieldsOfProcStatus() {
        String status = "Name:\tjava\nVmPeak:\t  900000 kB\nVmRSS:\t  123456 kB\nThreads:\t40\n";

        assertEquals(123456, ProcStats.parseKibField(status, "VmRSS:"));
    }

    @Test
    void readsThisProcess() {
        long pid = ProcessHandle.current().pid();

        assertTrue(ProcStats.cpuTicks(pid) >= 0);
        assertTrue(ProcStats.rssKib(pid) > 0);
    }
}
