package io.heliograph.region.sequencing;

/**
 * Whether this process may assign serials as a channel's home right now. A process that cannot be sure its mesh table
 * is current (it was paused, frozen or starved for longer than the control plane takes to move a home) must not
 * sequence on it: the home may have moved while it could not hear of it (shared/MULTI-REGION.md, invariant 2).
 * Forwarding to another region's home is unaffected: that home fences for itself.
 */
@FunctionalInterface
public interface SequencingGate {

    /** Why this process may not sequence now; null when it may. */
    String refusal();

    /** Always open: a region on its own, or tests. */
    SequencingGate OPEN = () -> null;
}
