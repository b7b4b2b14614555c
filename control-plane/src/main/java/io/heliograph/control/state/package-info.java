/**
 * The pure decision of what state ({@link io.heliograph.region.mesh.RegionState}, the mesh table's) each region is in
 * from successive rounds of probes ({@link io.heliograph.control.state.RegionAssessor}, invariant 8: a region is down
 * only when its edges and a peer agree). No I/O and no clock of its own: the time is passed in.
 */
package io.heliograph.control.state;
