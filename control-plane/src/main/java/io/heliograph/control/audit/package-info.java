/**
 * The append-only audit log: every change the leader makes (failover, restore, drain, region states), who made it,
 * when, the epochs before and after, and the table version; kept in the replicas' Hazelcast so that every replica
 * answers {@code /v1/events}, and in a JSON-lines file written by the leader. Depends on nothing else here.
 */
package io.heliograph.control.audit;
