/**
 * The mesh table: where every channel group is homed (with its epoch) and where clients are routed, as the control
 * plane's leader last decided. Every region keeps the newest one it was given in its own store, so the data plane
 * carries on with it when the whole control plane is gone (docs/control-plane.md, "The mesh table").
 */
package io.heliograph.region.mesh;
