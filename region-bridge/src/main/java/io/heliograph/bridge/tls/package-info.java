/**
 * Mutual TLS between regions: a bridge is identified by the region its certificate names
 * ({@link io.heliograph.bridge.tls.RegionIdentity}), is accepted only when that region is a configured peer, and picks
 * up rotated certificate, key and CA files at its next handshake. {@link io.heliograph.bridge.tls.ThrowawayCa} makes
 * a local CA and region certificates for tests and {@code ./mesh up}. Depends on gRPC's credential types and
 * BouncyCastle only.
 */
package io.heliograph.bridge.tls;
