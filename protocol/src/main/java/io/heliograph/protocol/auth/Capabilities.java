package io.heliograph.protocol.auth;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a token allows: channel patterns ({@code *} matches any run of characters) mapped to operations. An empty set
 * grants nothing.
 */
public final class Capabilities {

    private record Grant(String pattern, Pattern regex, Set<Operation> operations) {
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
            grants.add(new Grant(e.getKey(), toRegex(e.getKey()), ops));
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

    private static Pattern toRegex(String pattern) {
        StringBuilder regex = new StringBuilder();
        int start = 0;
        for (int i = pattern.indexOf('*'); i >= 0; i = pattern.indexOf('*', start)) {
            regex.append(Pattern.quote(pattern.substring(start, i))).append(".*");
            start = i + 1;
        }
        regex.append(Pattern.quote(pattern.substring(start)));
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    public boolean allows(String channel, Operation operation) {
        for (Grant grant : grants) {
            if (grant.operations.contains(operation) && grant.regex.matcher(channel).matches()) {
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
