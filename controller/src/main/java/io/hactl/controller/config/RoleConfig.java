package io.hactl.controller.config;

import io.hactl.controller.vrrp.VrrpConfig;
import java.nio.file.Path;

/**
 * The {@code role:} section: where the node learns whether it is MASTER or BACKUP.
 *
 * @param source      "keepalived" (notify hook or notify_fifo), "vrrp" (hactl's own VRRPv3) or
 *                    "none" (operations by hand only)
 * @param notifyFifo  keepalived's notify_fifo the daemon reads, or null
 * @param trackFile   keepalived track_file hactl writes to demote the node, or null
 * @param syncGroup   the vrrp_sync_group whose notify_fifo lines drive the role, or null for instances
 * @param vrrp        hactl's VRRP with source "vrrp"; null otherwise
 */
public record RoleConfig(String source, Path notifyFifo, Path trackFile, String syncGroup, VrrpConfig vrrp) {
}
