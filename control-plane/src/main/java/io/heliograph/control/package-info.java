/**
 * The control plane process: {@link io.heliograph.control.ControlPlane} wires a replica together (its own Hazelcast
 * member, the lease, the probe loop, the HTTP API) and {@link io.heliograph.control.Main} runs it.
 */
package io.heliograph.control;
