package io.heliograph.protocol.auth;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a token allows: channel patterns ({@code *} matches any run of characters) mapped to operations. An empty set
 * grants nothing.
 */
public final class Capabilities {

    /** A channel pattern split at its {@code *}s: the literal parts, in order. */
    private record Grant(String pattern, String[] parts, Set<Operation> operations) {
    }

    private final List<Grant> grants;
    private final Map<String, List<String>> claim;

    private Capabilities(List<Grant> grants, Map<String, List<String>> claim) {
        this.grants = grants;
        this.claim = claim;
    }

    public static Capabilities none() {
        return new Capabilities(List.of(), Map.of());
    }

    /** Everything on every channel. */
    public static Capabilities all() {
        return of(Map.of("*", List.of("*")));
    }

    /**
     * Builds capabilities from the {@code caps} claim.
     *
     * @throws IllegalArgumentException naming an unknown operation
     */
    public static Capabilities of(Map<String, List<String>> claim) {
        List<Grant> grants = new java.util.ArrayList<>();
        Map<String, List<String>> copy = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : claim.entrySet()) {
            EnumSet<Operation> ops = EnumSet.noneOf(Operation.class);
            // Every entry is checked, also after a "*": a token naming an unknown operation is refused whole.
            for (String op : e.getValue()) {
                if ("*".equals(op)) {
                    ops.addAll(EnumSet.allOf(Operation.class));
                } else {
                    ops.add(parseOperation(op));
                }
            }
            grants.add(new Grant(e.getKey(), e.getKey().split("\\*", -1), ops));
            copy.put(e.getKey(), List.copyOf(e.getValue()));
        }
        return new Capabilities(List.copyOf(grants), copy);
    }

    private static Operation parseOperation(String op) {
        for (Operation o : Operation.values()) {
            if (o.wireName().equals(op)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown operation '" + op + "' (allowed: subscribe, publish, presence, "
                + "history, *)");
    }

    /**
     * Whether {@code channel} matches the pattern whose literal parts are {@code parts} ({@code *} between them, any
     * run of characters). No regular expression: a token is checked for every connection of a storm, and a compiled
     * pattern per grant was the largest object an idle connection held after its socket.
     */
    static boolean matches(String[] parts, String channel) {
        if (parts.length == 1) {
            return channel.equals(parts[0]);
        }
        String first = parts[0];
        String last = parts[parts.length - 1];
        int end = channel.length() - last.length();
        if (end < first.length() || !channel.startsWith(first) || !channel.startsWith(last, end)) {
            return false;
        }
        int at = first.length();
        // Leftmost matches are enough when * is the only wildcard: a later match never leaves more room.
        for (int i = 1; i < parts.length - 1; i++) {
            int found = channel.indexOf(parts[i], at);
            if (found < 0 || found + parts[i].length() > end) {
                return false;
            }
            at = found + parts[i].length();
        }
        return true;
    }

    public boolean allows(String channel, Operation operation) {
        for (Grant grant : grants) {
            if (grant.operations.contains(operation) && matches(grant.parts, channel)) {
                return true;
            }
        }
        return false;
    }

    /** The claim this was built from, for minting. */
    public Map<String, List<String>> claim() {
        return claim;
    }
}
