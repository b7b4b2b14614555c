/**
 * Region states and the pure decision of what state each region is in from one round of probes
 * ({@link io.heliograph.control.state.RegionAssessor}, invariant 8: a region is down only when its edges and a peer
 * agree). No I/O and no clock of its own: the time is passed in.
 */
package io.heliograph.control.state;
