/**
 * Client tokens: HS256 JWTs whose {@code caps} claim maps channel patterns to operations. Minting lives here too, so
 * that tests, the bench and {@code ./mesh up} issue exactly the tokens the edge verifies.
 */
package io.heliograph.protocol.auth;
