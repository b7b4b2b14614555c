/**
 * Nearest-region routing ({@code GET /v1/route}): which region and edges a client should use, from the mesh table
 * and the regions' health. Pure; the same answer the edges give at {@code /v1/negotiate} from their copy of the table.
 */
package io.heliograph.control.route;
