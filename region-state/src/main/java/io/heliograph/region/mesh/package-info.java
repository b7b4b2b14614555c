/**
 * The mesh table: where every channel group is homed (with its epoch) and where clients are routed, as the control
 * plane's leader last decided. Every region keeps the newest one it was given in its own store, so the data plane
 * carries on with it when the whole control plane is gone (docs/control-plane.md, "The mesh table"). One model
 * ({@link io.heliograph.region.mesh.MeshTable}, {@link io.heliograph.region.mesh.RegionState}) and one JSON codec
 * ({@link io.heliograph.region.mesh.MeshTableJson}) for the control plane that writes it and the edges that take it.
 */
package io.heliograph.region.mesh;
