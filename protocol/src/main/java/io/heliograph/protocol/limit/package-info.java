/**
 * The protocol's rate rule and the token bucket under it: enforced per connection by the edge, followed by the SDK
 * when it paces its frames. Depends on nothing but the JDK.
 */
package io.heliograph.protocol.limit;
