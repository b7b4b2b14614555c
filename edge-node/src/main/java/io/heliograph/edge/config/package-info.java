/** Typed, validated configuration of an edge node; nothing else reads configuration sources. */
package io.heliograph.edge.config;
