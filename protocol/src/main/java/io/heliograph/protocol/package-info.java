/**
 * Protocol v1, the public contract between edge nodes and clients: serials, frame types, error codes, channel names
 * and JSON encoding. Depends on nothing of Heliograph; everything else depends on it.
 */
package io.heliograph.protocol;
