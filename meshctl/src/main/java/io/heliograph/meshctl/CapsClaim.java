package io.heliograph.meshctl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.protocol.ChannelName;
import io.heliograph.protocol.auth.Capabilities;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A token's {@code caps} claim as typed on the command line: a JSON object mapping channel patterns to lists of
 * operations, checked as the edge checks it ({@link Capabilities#of}, docs/protocol.md "Authentication") and a
 * little more: a pattern must be able to match some channel, so that a typo is not minted into a token that
 * silently grants nothing.
 */
record CapsClaim(Map<String, List<String>> grants) {

    static final String EXAMPLE = "{\"chat:*\":[\"subscribe\",\"publish\"],\"news\":[\"history\"]}";

    CapsClaim {
        grants = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(grants));
    }

    /**
     * Parses and checks {@code json}.
     *
     * @throws IllegalArgumentException saying what is wrong and where
     */
    static CapsClaim parse(String json) {
        JsonNode root;
        try {
            root = ControlPlaneClient.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + "); expected an object such as "
                    + EXAMPLE);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("must be a JSON object mapping channel patterns to lists of"
                    + " operations, such as " + EXAMPLE);
        }
        Map<String, List<String>> claim = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> grant : root.properties()) {
            String pattern = grant.getKey();
            checkPattern(pattern);
            JsonNode ops = grant.getValue();
            if (!ops.isArray()) {
                throw new IllegalArgumentException("'" + pattern + "' must map to a list of operations, such as"
                        + " [\"subscribe\",\"history\"]; got " + ops);
            }
            List<String> names = new ArrayList<>();
            for (JsonNode op : ops) {
                if (!op.isTextual()) {
                    throw new IllegalArgumentException("'" + pattern + "': operations are strings; got " + op);
                }
                names.add(op.asText());
            }
            if (names.isEmpty()) {
                throw new IllegalArgumentException("'" + pattern + "' grants no operation: list at least one of"
                        + " subscribe, publish, presence, history, *");
            }
            claim.put(pattern, List.copyOf(names));
        }
        try {
            Capabilities.of(claim);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        return new CapsClaim(claim);
    }

    /** A pattern is a channel name in which {@code *} stands for any run of characters. */
    private static void checkPattern(String pattern) {
        String literal = pattern.replace("*", "");
        if (pattern.isEmpty() || pattern.length() > ChannelName.MAX_LENGTH
                || (!literal.isEmpty() && !ChannelName.isValid(literal))) {
            throw new IllegalArgumentException("pattern '" + pattern + "' can match no channel: channel names are 1"
                    + " to 255 characters of letters, digits and _ - . : @, and * matches any run of them");
        }
    }

    /** For picocli: a bad claim is a usage error (exit 2) with the reason. */
    static final class Converter implements ITypeConverter<CapsClaim> {
        @Override
        public CapsClaim convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
