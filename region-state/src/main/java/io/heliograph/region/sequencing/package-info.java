/**
 * Who sequences a channel: its home region, under an epoch that changes whenever the home moves. A {@link
 * io.heliograph.region.sequencing.Sequencer} appends locally when this region is the home and forwards to the home
 * otherwise; {@link io.heliograph.region.sequencing.Replication} takes what other homes sequenced and sends it on
 * through the same fan-out as a local publish. Engine-free: the home table and the forwarder plug in (the control plane
 * pushes the table, the region bridge forwards).
 */
package io.heliograph.region.sequencing;
