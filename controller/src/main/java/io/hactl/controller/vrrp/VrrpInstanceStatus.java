package io.hactl.controller.vrrp;

import java.util.Map;

/**
 * One virtual router as {@code hactl status} shows it.
 *
 * @param name             instance name
 * @param interfaceName    its interface
 * @param vrid             its VRID
 * @param state            INITIALIZE, BACKUP, MASTER or FAULT
 * @param why              what moved it there
 * @param priority         configured priority (advertised while MASTER)
 * @param masterAddress    the master's address as last heard (this node's own when MASTER); null
 *                         when unknown
 * @param masterPriority   the master's priority as last heard
 * @param advertsSent      advertisements sent, priority 0 included
 * @param advertsReceived  advertisements that passed the receive checks and reached the election
 * @param masterDownMillis while BACKUP, time left until it takes over unless the master is heard;
 *                         -1 otherwise
 * @param drops            packets dropped by the receive checks of its interface and family, by
 *                         reason (non-zero reasons only; shared with other instances there)
 * @param holdBack         why the group does not preempt (not in sync with a live peer); null
 * @param lastTransition   the group's last transition and its steps; null before the first
 */
public record VrrpInstanceStatus(String name, String interfaceName, int vrid, VrrpState state, String why,
        int priority, String masterAddress, int masterPriority, long advertsSent, long advertsReceived,
        long masterDownMillis, Map<DropReason, Long> drops, String holdBack, GroupTransition lastTransition) {
    public VrrpInstanceStatus {
        drops = Map.copyOf(drops);
    }
}
