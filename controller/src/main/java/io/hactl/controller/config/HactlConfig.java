package io.hactl.controller.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The whole of /etc/hactl/hactl.yaml, validated and immutable.
 *
 * @param node           this gateway's name (log prefix, status)
 * @param sync           replication settings
 * @param role           where the node's role comes from
 * @param controlSocket  the root-only control socket
 * @param metricsListen  Prometheus exposition address, or null when off
 * @param source         the file it was read from
 */
public record HactlConfig(String node, SyncConfig sync, RoleConfig role, Path controlSocket,
                          InetSocketAddress metricsListen, Path source) {
}
