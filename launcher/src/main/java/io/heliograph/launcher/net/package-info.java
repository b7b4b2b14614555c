/**
 * Network conditions for local meshes and system tests without kernel support (no netem, no namespaces needed): a
 * userspace TCP proxy on loopback that delays every byte by a fixed one-way delay in both directions and can cut
 * and restore its connections ({@link io.heliograph.launcher.net.TcpProxy}). Knows nothing of what it carries (TLS
 * passes through untouched) and nothing of edge nodes or bridges.
 */
package io.heliograph.launcher.net;
