package io.heliograph.region.sequencing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RendezvousHomesTest {

    private static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");

    @Test
    void everyRegionComputesTheSameHomeWhateverTheOrderOfItsRegions() {
        var a = new RendezvousHomes(REGIONS, List.of());
        var b = new RendezvousHomes(List.of("ap-south", "us-east", "eu-west"), List.of());
        for (int i = 0; i < 2_000; i++) {
            assertEquals(a.homeOf("room:" + i), b.homeOf("room:" + i));
        }
    }

    @Test
    void homesSpreadOverTheRegionsAndStartInTheFirstEpoch() {
        var homes = new RendezvousHomes(REGIONS, List.of());
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 9_000; i++) {
            Home home = homes.homeOf("room:" + i);
            assertEquals(1, home.epoch());
            counts.merge(home.region(), 1, Integer::sum);
        }
        for (String region : REGIONS) {
            int count = counts.getOrDefault(region, 0);
            assertTrue(count > 2_600 && count < 3_400, region + " is home of " + count + " of 9000: " + counts);
        }
    }

    @Test
    void theHashIsFixedSoThatHomesNeverMoveWithABuild() {
        // Pinned values: if these change, regions running different builds would sequence one channel twice.
        var homes = new RendezvousHomes(REGIONS, List.of());
        assertEquals(List.of("ap-south", "eu-west", "us-east", "ap-south"),
                List.of("room:1", "orders", "chat:general", "a").stream().map(c -> homes.homeOf(c).region()).toList());
    }

    @Test
    void addingARegionMovesOnlyChannelsToTheNewRegion() {
        var three = new RendezvousHomes(REGIONS, List.of());
        var four = new RendezvousHomes(List.of("us-east", "eu-west", "ap-south", "sa-east"), List.of());
        int moved = 0;
        for (int i = 0; i < 4_000; i++) {
            String before = three.homeOf("c" + i).region();
            String after = four.homeOf("c" + i).region();
            if (!before.equals(after)) {
                assertEquals("sa-east", after, "c" + i + " moved between old regions");
                moved++;
            }
        }
        assertTrue(moved > 700 && moved < 1_300, moved + " of 4000 moved to the new region");
    }

    @Test
    void theFirstMatchingRuleWins() {
        var homes = new RendezvousHomes(REGIONS, List.of(HomeRule.parse("chat:eu-*=eu-west"),
                HomeRule.parse("chat:*=ap-south"), HomeRule.parse("exact=us-east")));
        assertEquals("eu-west", homes.homeOf("chat:eu-paris").region());
        assertEquals("ap-south", homes.homeOf("chat:us-nyc").region());
        assertEquals("us-east", homes.homeOf("exact").region());
        assertEquals(new RendezvousHomes(REGIONS, List.of()).homeOf("exact2"), homes.homeOf("exact2"));
    }

    @Test
    void aRuleForAnUnknownRegionIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new RendezvousHomes(REGIONS, List.of(HomeRule.parse("x*=mars"))));
        assertTrue(e.getMessage().contains("mars"), e.getMessage());
    }

    @Test
    void patternsMatchWithStarsOnly() {
        assertTrue(HomeRule.parse("*=a").matches(""));
        assertTrue(HomeRule.parse("a*b*c=a").matches("aXXbYYc"));
        assertTrue(HomeRule.parse("a*b*c=a").matches("abc"));
        assertFalse(HomeRule.parse("a*b*c=a").matches("aXXbYY"));
        assertTrue(HomeRule.parse("*:*=a").matches("x:y"));
        assertFalse(HomeRule.parse("room.1=a").matches("roomX1"), "a dot is a dot, not a regex");
        assertTrue(HomeRule.parse("k=v=a").matches("k=v"), "the last = separates the region");
        assertThrows(IllegalArgumentException.class, () -> HomeRule.parse("no-region"));
        assertThrows(IllegalArgumentException.class, () -> HomeRule.parse("x=Bad_Region"));
    }
}
