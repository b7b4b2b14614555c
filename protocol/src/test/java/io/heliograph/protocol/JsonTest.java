package io.heliograph.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void keepsTheExactTextOfTheMemberValueWhateverItsKind() {
        for (String value : new String[] {"1e400", "0.1000000000000000055511", "12345678901234567890.5", "-0.0",
                "\"caf\\u00e9 \\/\"", "null", "true", "[ 1 ,2E-999 ]", "{ \"a\" : { \"b\" : [] } }", "\"\""}) {
            Json.Parsed parsed = Json.parseKeepingRaw("{\"type\":\"publish\", \"data\" :" + value + " ,\"x\":1}",
                    "data");
            assertEquals(value, parsed.rawMember());
            assertEquals("publish", parsed.node().get("type").asText());
            assertEquals(1, parsed.node().get("x").asInt());
        }
    }

    @Test
    void theLastOfTwoEqualMembersCountsAsInTheTree() {
        Json.Parsed parsed = Json.parseKeepingRaw("{\"data\":1,\"data\":[2]}", "data");
        assertEquals("[2]", parsed.rawMember());
        assertTrue(parsed.node().get("data").isArray());
    }

    @Test
    void absentMemberAndNonObjectsHaveNoRawText() {
        assertNull(Json.parseKeepingRaw("{\"type\":\"ping\"}", "data").rawMember());
        assertTrue(Json.parseKeepingRaw("[1,2]", "data").node().isArray());
        assertNull(Json.parseKeepingRaw("[1,2]", "data").rawMember());
    }

    @Test
    void malformedTextIsABadRequest() {
        for (String bad : new String[] {"{\"data\":1", "{\"data\":}", "", "{\"a\" 1}", "[".repeat(100)}) {
            HeliographException e = assertThrows(HeliographException.class, () -> Json.parseKeepingRaw(bad, "data"),
                    bad);
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
        }
    }
}
