package io.heliograph.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one JSON configuration of the protocol. Reading is bounded (nesting depth, string and number lengths) so a
 * hostile frame cannot exhaust the stack or the heap of a node.
 */
public final class Json {

    /** Deepest nesting accepted in a frame; deeper documents are refused with 400. */
    public static final int MAX_NESTING_DEPTH = 64;

    /**
     * Jackson keeps its parse and write buffers per thread by default; an edge node parses on each connection's
     * virtual thread, which lives as long as the connection, so that would pin ~16 KiB per idle connection. A pool
     * shared by all threads keeps only as many buffers as parse at once (bounded, so a burst cannot grow it).
     */
    private static final int RECYCLER_POOL_SIZE = 256;

    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .recyclerPool(com.fasterxml.jackson.core.util.JsonRecyclerPools.newBoundedPool(RECYCLER_POOL_SIZE))
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(1000)
                    .maxStringLength(16 * 1024 * 1024)
                    .build())
            .build())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Json() {
    }

    /** Parses a JSON text; a malformed or too deeply nested text is a 400. */
    public static JsonNode parse(String text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw HeliographException.badRequest("empty JSON");
            }
            return node;
        } catch (HeliographException e) {
            throw e;
        } catch (Exception e) {
            throw HeliographException.badRequest("malformed JSON: " + firstLine(e.getMessage()));
        }
    }

    /**
     * A parsed JSON text and, when it is an object with the member asked for, the exact source text of that member's
     * value ({@code null} otherwise).
     */
    public record Parsed(JsonNode node, String rawMember) {
    }

    /**
     * Parses a JSON text like {@link #parse}, and keeps the exact text of one top-level member's value: the value a
     * client sent (a message's {@code data}) is passed on as written, so no number is rounded ({@code 1e400},
     * {@code 0.1000000000000000055511}) and no string is re-escaped. One pass; the tree is built as usual. When the
     * member occurs twice the last one counts, as in the tree.
     */
    public static Parsed parseKeepingRaw(String text, String member) {
        try (JsonParser parser = MAPPER.getFactory().createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw HeliographException.badRequest("empty JSON");
            }
            if (first != JsonToken.START_OBJECT) {
                return new Parsed(orNull(MAPPER.readTree(parser)), null);
            }
            ObjectNode object = MAPPER.createObjectNode();
            String raw = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                long start = parser.currentTokenLocation().getCharOffset();
                JsonNode value = orNull(MAPPER.readTree(parser));
                if (name.equals(member)) {
                    // The value's last token has been read in full: the parser stands just after it.
                    raw = text.substring((int) start, (int) parser.currentLocation().getCharOffset());
                }
                object.set(name, value);
            }
            return new Parsed(object, raw);
        } catch (HeliographException e) {
            throw e;
        } catch (Exception e) {
            throw HeliographException.badRequest("malformed JSON: " + firstLine(e.getMessage()));
        }
    }

    private static JsonNode orNull(JsonNode node) {
        return node == null ? NullNode.getInstance() : node;
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException("cannot encode JSON", e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
