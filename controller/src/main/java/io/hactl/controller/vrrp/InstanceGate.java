package io.hactl.controller.vrrp;

/** Asked before the silence of the master makes a {@link VrrpInstance} MASTER (its sync group's). */
@FunctionalInterface
interface InstanceGate {
    /** Why {@code instance} must stay BACKUP for now; null when it may take over. */
    String holdsBack(VrrpInstance instance);
}
