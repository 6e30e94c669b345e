package io.hactl.controller.vrrp;

import java.util.List;

/**
 * The whole of hactl's VRRP as status shows it: the sync group and its instances.
 *
 * @param state                the group's state
 * @param holdBack             why it does not preempt; null when it may
 * @param takeoverWithinBudget takeovers whose state steps finished before the addresses went up
 * @param takeoverOverBudget   takeovers whose addresses went up when the commit budget ran out
 * @param ioErrors             calls to the network that failed (send, addresses, announce)
 * @param unmatched            datagrams received on an interface or family without instances
 * @param overruns             datagrams dropped because the loop had too many waiting (a flood)
 * @param lastTransition       the group's last transition; null before the first
 * @param instances            every instance, in configuration order
 */
public record VrrpStatus(VrrpState state, String holdBack, long takeoverWithinBudget, long takeoverOverBudget,
        long ioErrors, long unmatched, long overruns, GroupTransition lastTransition, List<VrrpInstanceStatus> instances) {
    public VrrpStatus {
        instances = List.copyOf(instances);
    }
}
