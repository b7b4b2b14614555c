/**
 * An edge node: {@link io.heliograph.edge.EdgeNode} assembles configuration, the region engine, delivery and the
 * transports; {@link io.heliograph.edge.Main} runs it as a process.
 */
package io.heliograph.edge;
