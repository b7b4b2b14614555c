/**
 * The generic handle on one child process a fixture started ({@link io.heliograph.launcher.process.ManagedProcess}):
 * its command ({@link io.heliograph.launcher.process.JavaCommand} for a Java main), its log, waiting for a line,
 * kill -9, freeze and thaw, graceful stop and the log's tail. It knows nothing of edge nodes, bridges or control
 * planes (their flags, announcements and health live beside their own handles, such as
 * {@link io.heliograph.launcher.EdgeProcess}) and only ever signals the PID of a process it started.
 */
package io.heliograph.launcher.process;
