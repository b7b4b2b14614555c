package io.heliograph.edge.config;

import java.util.List;

import io.heliograph.protocol.Durability;
import io.heliograph.region.sequencing.ChannelPattern;

/**
 * The durability a publish gets when its publisher asks for none, by channel pattern ({@code durability.defaults}:
 * {@code metrics:*=region}); the first matching rule wins, and a channel no rule matches gets the region's own
 * default (global with peers). Every region should be given the same rules: a publish's default is decided where it
 * is accepted.
 */
public record DurabilityRules(List<Rule> rules) {

    public static final DurabilityRules NONE = new DurabilityRules(List.of());

    /** One rule: channels matching {@code pattern} default to {@code durability}. */
    public record Rule(ChannelPattern pattern, Durability durability) {

        /**
         * Parses {@code pattern=region|global}; the last {@code =} separates them.
         *
         * @throws IllegalArgumentException naming what is wrong
         */
        public static Rule parse(String text) {
            int split = text.lastIndexOf('=');
            if (split <= 0 || split == text.length() - 1) {
                throw new IllegalArgumentException("'" + text + "' is not pattern=durability (e.g. metrics:*=region)");
            }
            String name = text.substring(split + 1).trim();
            Durability durability;
            try {
                durability = Durability.parse(name);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'" + name + "' is not a durability: region or global");
            }
            return new Rule(new ChannelPattern(text.substring(0, split).trim()), durability);
        }
    }

    public DurabilityRules {
        rules = List.copyOf(rules);
    }

    /** The default of {@code channel}'s publishes by rule, or {@code otherwise} when no rule matches. */
    public Durability forChannel(String channel, Durability otherwise) {
        for (Rule rule : rules) {
            if (rule.pattern().matches(channel)) {
                return rule.durability();
            }
        }
        return otherwise;
    }

    /** Whether a rule asks for {@code durability} (checked against what the region can give at start). */
    public boolean asks(Durability durability) {
        return rules.stream().anyMatch(rule -> rule.durability() == durability);
    }
}
