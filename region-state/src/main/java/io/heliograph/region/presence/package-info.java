/** Presence: who is on a channel, one entry per connection; the registry is the plug point. */
package io.heliograph.region.presence;
