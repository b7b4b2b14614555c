/**
 * {@code meshctl}, the SRE's CLI over the control plane's public API (docs/control-plane.md): the command tree
 * ({@link io.heliograph.meshctl.MeshctlCommand}), the HTTP client with its timeouts and error mapping
 * ({@link io.heliograph.meshctl.ControlPlaneClient}), the renderings for a terminal, and client tokens minted through
 * protocol's {@code Tokens}. It talks to the control plane only over HTTP and must not depend on its classes.
 */
package io.heliograph.meshctl;
