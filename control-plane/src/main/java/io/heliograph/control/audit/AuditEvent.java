package io.heliograph.control.audit;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One entry of the audit log, as {@code /v1/events} answers it. Drafts (from {@link #draft}) have no {@code seq} and
 * no {@code at} yet; {@link AuditLog#append} gives them both.
 *
 * @param who          {@code admin} for a call with the admin token, {@code auto} for the leader's own decisions
 * @param what         {@code failover}, {@code restore}, {@code drain}, {@code drain-node} or {@code region-state}
 * @param region       the region (or, for {@code drain-node}, the node's region) the event is about
 * @param to           where homes went (failover), the new state (region-state), the node (drain-node)
 * @param epochsBefore the epochs of the base regions that moved, before the change
 * @param tableVersion the mesh table version that carries the change
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record AuditEvent(long seq, String at, String who, String what, String region, String to, String reason,
                         Map<String, Long> epochsBefore, Map<String, Long> epochsAfter, long tableVersion) {

    public AuditEvent {
        epochsBefore = Map.copyOf(epochsBefore);
        epochsAfter = Map.copyOf(epochsAfter);
    }

    public static AuditEvent draft(String who, String what, String region, String to, String reason,
                                   Map<String, Long> epochsBefore, Map<String, Long> epochsAfter,
                                   long tableVersion) {
        return new AuditEvent(0, null, who, what, region, to, reason, epochsBefore, epochsAfter, tableVersion);
    }

    AuditEvent stamped(long newSeq, String newAt) {
        return new AuditEvent(newSeq, newAt, who, what, region, to, reason, epochsBefore, epochsAfter, tableVersion);
    }

    public AuditEvent atVersion(long version) {
        return new AuditEvent(seq, at, who, what, region, to, reason, epochsBefore, epochsAfter, version);
    }
}
