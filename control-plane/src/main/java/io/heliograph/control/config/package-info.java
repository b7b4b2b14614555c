/**
 * The control plane's typed configuration ({@link io.heliograph.control.config.ControlConfig}), read once at start-up
 * from flags, {@code HELIOGRAPH_*} variables and a YAML file, and validated with errors naming the key. Depends on
 * nothing else of the control plane.
 */
package io.heliograph.control.config;
